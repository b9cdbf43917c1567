#include "expr/value_printer.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "expr/eval.h"
#include "expr/print.h"

namespace nixpp {

namespace {

struct Printer {
  EvalState& st;
  const ValuePrinterOptions& opts;
  std::string& out;
  std::string indent;
  std::unordered_set<const void*> seen;

  bool pretty() const { return opts.prettyIndent > 0; }

  // Nix pretty-prints a collection of several items, or of one that is itself a collection
  // (or not yet evaluated).
  bool shouldPretty(size_t n, const Value* first) const {
    if (!pretty() || n == 0) return false;
    if (n > 1) return true;
    auto t = first->type();
    return t == ValueType::List || t == ValueType::Attrs || first->isThunk();
  }
  void space(bool prettyPrint) {
    if (prettyPrint) out += "\n" + indent;
    else out += " ";
  }
  void more() {
    if (pretty()) indent.append(opts.prettyIndent, ' ');
  }
  void less() {
    if (pretty()) indent.resize(indent.size() - opts.prettyIndent);
  }

  void print(Value& v, size_t depth) {
    st.checkStack();
    if (opts.force && v.isThunk()) {
      try {
        st.forceValue(v, noPos);
      } catch (EvalError& e) {
        if (!opts.errorsAtTopLevelOnly || depth == 0) throw;
        std::string msg = e.message();
        out += "«error: " + msg.substr(0, msg.find('\n')) + "»";
        return;
      }
    }
    switch (v.type()) {
    case ValueType::Int: out += std::to_string(v.integer()); return;
    case ValueType::Float: printFloat(v.fpoint(), out); return;
    case ValueType::Bool: out += v.boolean() ? "true" : "false"; return;
    case ValueType::Null: out += "null"; return;
    case ValueType::String: printLiteralString(v.string_view(), out); return;
    case ValueType::Path: out += v.path()->view(); return;
    case ValueType::Attrs: printAttrs(v, depth); return;
    case ValueType::List: printList(v, depth); return;
    case ValueType::Thunk:
    case ValueType::App:
    case ValueType::Failed: out += "«thunk»"; return;
    case ValueType::Blackhole: out += "«potential infinite recursion»"; return;
    case ValueType::Lambda: {
      auto* l = v.lambda();
      out += "«lambda";
      if (l->name) out += " " + std::string(st.name(l->name));
      if (Pos p = st.pos(l->pos)) out += " @ " + p.toString();
      out += "»";
      return;
    }
    case ValueType::PrimOp: out += "«primop " + v.primOp()->name + "»"; return;
    case ValueType::PrimOpApp: {
      const Value* p = &v;
      while (p->type() == ValueType::PrimOpApp) p = p->primOpAppLeft();
      out += "«partially applied primop " + p->primOp()->name + "»";
      return;
    }
    case ValueType::Uninit: out += "«uninitialised»"; return;
    }
  }

  void printAttrs(Value& v, size_t depth) {
    Bindings* b = v.attrs();
    if (b->size && !seen.insert(b).second) {
      out += "«repeated»";
      return;
    }
    if (opts.force && opts.derivationPaths && st.isDerivation(v)) {
      out += "«derivation";
      if (auto* d = b->get(st.s.drvPath)) {
        NixStringContext ctx;
        out += " " + st.coerceToString(d->pos, *d->value, ctx, "while evaluating the drvPath of a derivation");
      }
      out += "»";
      return;
    }
    if (depth >= opts.maxDepth) {
      out += "{ ... }";
      return;
    }
    std::vector<const Attr*> sorted;
    for (auto& a : *b) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(),
              [&](const Attr* x, const Attr* y) { return st.name(x->name) < st.name(y->name); });
    bool pp = shouldPretty(sorted.size(), sorted.empty() ? nullptr : sorted[0]->value);
    more();
    out += "{";
    for (auto* a : sorted) {
      space(pp);
      printIdentifier(st.name(a->name), out);
      out += " = ";
      print(*a->value, depth + 1);
      out += ";";
    }
    less();
    space(pp);
    out += "}";
  }

  void printList(Value& v, size_t depth) {
    // Lists of up to two elements are identified by the value's address (see expr/print.cc).
    const void* key = v.listSize() <= 2 ? static_cast<const void*>(&v) : v.listElems();
    if (v.listSize() && !seen.insert(key).second) {
      out += "«repeated»";
      return;
    }
    if (depth >= opts.maxDepth) {
      out += "[ ... ]";
      return;
    }
    bool pp = shouldPretty(v.listSize(), v.listSize() ? v.listElems()[0] : nullptr);
    more();
    out += "[";
    for (size_t i = 0; i < v.listSize(); ++i) {
      space(pp);
      print(*v.listElems()[i], depth + 1);
    }
    less();
    space(pp);
    out += "]";
  }
};

} // namespace

std::string printValueAsNix(EvalState& state, Value& v, const ValuePrinterOptions& opts) {
  std::string out;
  Printer{state, opts, out, {}, {}}.print(v, 0);
  return out;
}

} // namespace nixpp
