// expr/eval_assert.cc: the explanation of a failed `assert a == b`. Nix compares the two sides
// again and reports the first difference, with frames leading to it; this is that comparison.
#include "expr/eval.h"
#include "expr/print.h"

namespace nixpp {

namespace {

[[noreturn]] void notEqual(std::string msg) { throw AssertionError(msg, Pos{}); }

// "'<value>'" as Nix quotes values in these messages.
std::string quoted(EvalState& st, Value& v) { return "'" + printValueForError(st, v) + "'"; }

} // namespace

void EvalState::assertEqValues(Value& a, Value& b, PosIdx pos, std::string_view errorCtx) {
  forceValue(a, pos);
  forceValue(b, pos);
  if (&a == &b) return;
  bool aNum = a.type() == ValueType::Int || a.type() == ValueType::Float;
  bool bNum = b.type() == ValueType::Int || b.type() == ValueType::Float;
  if (aNum && bNum) {
    if (eqValues(a, b, pos, errorCtx)) return;
    notEqual(showType(a) + " with value " + quoted(*this, a) + " is not equal to " + showType(b) + " with value " +
             quoted(*this, b));
  }
  if (a.type() != b.type())
    notEqual(showType(a) + " of value " + quoted(*this, a) + " is not equal to " + showType(b) + " of value " +
             quoted(*this, b));
  switch (a.type()) {
  case ValueType::Bool:
    if (a.boolean() != b.boolean())
      notEqual("boolean " + quoted(*this, a) + " is not equal to boolean " + quoted(*this, b));
    return;
  case ValueType::String:
    if (a.string_view() != b.string_view())
      notEqual("string " + quoted(*this, a) + " is not equal to string " + quoted(*this, b));
    return;
  case ValueType::Path:
    if (a.path()->view() != b.path()->view())
      notEqual("path '" + std::string(a.path()->view()) + "' is not equal to path '" + std::string(b.path()->view()) +
               "'");
    return;
  case ValueType::Null: return;
  case ValueType::List: {
    if (a.listSize() != b.listSize())
      notEqual("list of size '" + std::to_string(a.listSize()) + "' is not equal to list of size '" +
               std::to_string(b.listSize()) + "', left hand side is " + quoted(*this, a) + ", right hand side is " +
               quoted(*this, b));
    for (size_t i = 0; i < a.listSize(); ++i) {
      try {
        assertEqValues(*a.listElems()[i], *b.listElems()[i], pos, errorCtx);
      } catch (EvalError& e) {
        addTrace(e, pos, "while comparing list element " + std::to_string(i));
        throw;
      }
    }
    return;
  }
  case ValueType::Attrs: {
    if (isDerivation(a) && isDerivation(b)) {
      auto* o1 = a.attrs()->get(s.outPath);
      auto* o2 = b.attrs()->get(s.outPath);
      if (o1 && o2) {
        try {
          assertEqValues(*o1->value, *o2->value, pos, errorCtx);
        } catch (EvalError& e) {
          addTrace(e, pos, "while comparing a derivation by its 'outPath' attribute");
          throw;
        }
        return;
      }
    }
    Bindings* x = a.attrs();
    Bindings* y = b.attrs();
    bool sameNames = x->size == y->size;
    for (uint32_t i = 0; sameNames && i < x->size; ++i) sameNames = x->attrs()[i].name == y->attrs()[i].name;
    if (!sameNames)
      notEqual("attribute names of attribute set " + quoted(*this, a) + " differs from attribute set " +
               quoted(*this, b));
    for (uint32_t i = 0; i < x->size; ++i) {
      const Attr& l = x->attrs()[i];
      const Attr& r = y->attrs()[i];
      try {
        assertEqValues(*l.value, *r.value, pos, errorCtx);
      } catch (EvalError& e) {
        addTrace(e, r.pos, "where right hand side is");
        addTrace(e, l.pos, "where left hand side is");
        addTrace(e, pos, "while comparing attribute '" + std::string(name(l.name)) + "'");
        throw;
      }
    }
    return;
  }
  case ValueType::Lambda:
  case ValueType::PrimOp:
  case ValueType::PrimOpApp:
    notEqual("distinct functions and immediate comparisons of identical functions compare as unequal");
  default: return;
  }
}

} // namespace nixpp
