// expr/builtins/attrs.cc: builtins on attribute sets.
#include <algorithm>
#include <map>
#include <unordered_set>

#include "expr/builtins.h"
#include "expr/eval.h"

namespace nixpp {

namespace {

// The attributes of `b` in the lexicographic order of their names (attrNames, attrValues).
// Each name is read from the symbol table once, and its first 8 bytes (big-endian, zero-padded:
// they order as the names do) decide most comparisons without touching the strings.
std::vector<const Attr*> lexicographic(EvalState& st, Bindings* b) {
  struct Key {
    uint64_t prefix;
    std::string_view name;
    const Attr* attr;
  };
  std::vector<Key> keyed;
  keyed.reserve(b->size);
  for (auto& a : *b) {
    std::string_view name = st.name(a.name);
    uint64_t prefix = 0;
    for (size_t i = 0; i < 8; ++i) prefix = prefix << 8 | (i < name.size() ? uint8_t(name[i]) : 0);
    keyed.push_back({prefix, name, &a});
  }
  std::sort(keyed.begin(), keyed.end(), [](const Key& x, const Key& y) {
    if (x.prefix != y.prefix) return x.prefix < y.prefix;
    return x.name < y.name;
  });
  std::vector<const Attr*> v;
  v.reserve(keyed.size());
  for (auto& k : keyed) v.push_back(k.attr);
  return v;
}

void primAttrNames(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* b = st.forceAttrs(*args[0], pos, "while evaluating the argument passed to builtins.attrNames");
  auto sorted = lexicographic(st, b);
  st.mkList(v, sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    Value* n = st.allocValue();
    st.mkString(*n, st.name(sorted[i]->name));
    v.listElems()[i] = n;
  }
}

void primAttrValues(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* b = st.forceAttrs(*args[0], pos, "while evaluating the argument passed to builtins.attrValues");
  auto sorted = lexicographic(st, b);
  st.mkList(v, sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) v.listElems()[i] = sorted[i]->value;
}

void primGetAttr(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view name = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.getAttr");
  Bindings* b = st.forceAttrs(*args[1], pos, "while evaluating the second argument passed to builtins.getAttr");
  auto* a = b->get(st.symbol(name));
  if (!a) {
    EvalError e("attribute '" + std::string(name) + "' missing", Pos{});
    e.addTrace(Pos{}, "in the attribute set under consideration");
    throw e;
  }
  st.forceValue(*a->value, a->pos);
  v = *a->value;
}

void primHasAttr(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view name = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.hasAttr");
  Bindings* b = st.forceAttrs(*args[1], pos, "while evaluating the second argument passed to builtins.hasAttr");
  v.mkBool(b->get(st.symbol(name)) != nullptr);
}

void primRemoveAttrs(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* b = st.forceAttrs(*args[0], pos, "while evaluating the first argument passed to builtins.removeAttrs");
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.removeAttrs");
  std::vector<Symbol> names;
  for (size_t i = 0; i < args[1]->listSize(); ++i)
    names.push_back(st.symbol(st.forceStringNoCtx(*args[1]->listElems()[i], pos,
                                                  "while evaluating the values of the second argument passed to builtins.removeAttrs")));
  std::sort(names.begin(), names.end());
  Bindings* r = st.allocBindings(b->size);
  for (auto& a : *b)
    if (!std::binary_search(names.begin(), names.end(), a.name)) r->push(a.name, a.value, a.pos);
  v.mkAttrs(r);
}

void primListToAttrs(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[0], pos, "while evaluating the argument passed to builtins.listToAttrs");
  Bindings* r = st.allocBindings(args[0]->listSize());
  std::unordered_set<uint32_t> seen;  // symbol ids already in r: linear, not quadratic
  seen.reserve(args[0]->listSize());
  for (size_t i = 0; i < args[0]->listSize(); ++i) {
    Bindings* e = st.forceAttrs(*args[0]->listElems()[i], pos, "while evaluating an element of the list passed to builtins.listToAttrs");
    auto* n = e->get(st.s.name);
    auto missing = [&](const char* what) {
      EvalError err(std::string("attribute '") + what + "' missing", Pos{});
      err.addTrace(Pos{}, "in a {name=...; value=...;} pair");
      return err;
    };
    if (!n) throw missing("name");
    Symbol name = st.symbol(st.forceStringNoCtx(*n->value, n->pos, "while evaluating the `name` attribute of an element of the list passed to builtins.listToAttrs"));
    if (!seen.insert(name.id()).second) continue;  // the first occurrence wins
    auto* val = e->get(st.s.value);
    if (!val) throw missing("value");
    r->push(name, val->value, val->pos);
  }
  r->sort();
  v.mkAttrs(r);
}

void primIntersectAttrs(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* a = st.forceAttrs(*args[0], pos, "while evaluating the first argument passed to builtins.intersectAttrs");
  Bindings* b = st.forceAttrs(*args[1], pos, "while evaluating the second argument passed to builtins.intersectAttrs");
  Bindings* r = st.allocBindings(std::min(a->size, b->size));
  for (auto& x : *b)
    if (a->get(x.name)) r->push(x.name, x.value, x.pos);
  v.mkAttrs(r);
}

void primCatAttrs(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Symbol name = st.symbol(st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.catAttrs"));
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.catAttrs");
  std::vector<Value*> found;
  for (size_t i = 0; i < args[1]->listSize(); ++i) {
    Bindings* b = st.forceAttrs(*args[1]->listElems()[i], pos, "while evaluating an element in the list passed as second argument to builtins.catAttrs");
    if (auto* a = b->get(name)) found.push_back(a->value);
  }
  st.mkList(v, found.size());
  std::copy(found.begin(), found.end(), v.listElems());
}

void primMapAttrs(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* b = st.forceAttrs(*args[1], pos, "while evaluating the second argument passed to builtins.mapAttrs");
  Bindings* r = st.allocBindings(b->size);
  for (auto& a : *b) {
    Value* name = st.allocValue();
    st.mkString(*name, st.name(a.name));
    Value* partial = st.allocValue();
    partial->mkApp(args[0], name);
    Value* res = st.allocValue();
    res->mkApp(partial, a.value);
    r->push(a.name, res);  // no position, as in Nix
  }
  v.mkAttrs(r);
}

void primFunctionArgs(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  if (args[0]->type() == ValueType::PrimOp || args[0]->type() == ValueType::PrimOpApp) {
    v.mkAttrs(st.allocBindings(0));
    return;
  }
  if (args[0]->type() != ValueType::Lambda) throw TypeError("'functionArgs' requires a function", st.pos(pos));
  ExprLambda* l = args[0]->lambda();
  Bindings* r = st.allocBindings(l->formals.size());
  for (auto& f : l->formals) {
    Value* b = st.allocValue();
    b->mkBool(f.def != nullptr);
    r->push(f.name, b, f.pos);
  }
  r->sort();
  v.mkAttrs(r);
}

void primUnsafeGetAttrPos(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Symbol name = st.symbol(st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.unsafeGetAttrPos"));
  Bindings* b = st.forceAttrs(*args[1], pos, "while evaluating the second argument passed to builtins.unsafeGetAttrPos");
  auto* a = b->get(name);
  Pos p = a ? st.pos(a->pos) : Pos{};
  if (!p) return v.mkNull();
  st.mkPosAttrs(v, p);
}

void primZipAttrsWith(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.zipAttrsWith");
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.zipAttrsWith");
  size_t n = args[1]->listSize();
  std::map<Symbol, std::vector<Value*>> groups;
  for (size_t i = 0; i < n; ++i) {
    Bindings* b = st.forceAttrs(*args[1]->listElems()[i], pos, "while evaluating a value of the list passed as second argument to builtins.zipAttrsWith");
    for (auto& a : *b) groups[a.name].push_back(a.value);
  }
  Bindings* r = st.allocBindings(groups.size());
  for (auto& [name, vals] : groups) {
    Value* list = st.allocValue();
    st.mkList(*list, vals.size());
    for (size_t i = 0; i < vals.size(); ++i) list->listElems()[i] = vals[i];
    Value* nameV = st.allocValue();
    st.mkString(*nameV, st.name(name));
    Value* partial = st.allocValue();
    partial->mkApp(args[0], nameV);
    Value* res = st.allocValue();
    res->mkApp(partial, list);
    r->push(name, res);
  }
  v.mkAttrs(r);
}

} // namespace

void registerAttrBuiltins(BuiltinTable& t) {
  t.add("attrNames", 1, primAttrNames);
  t.add("attrValues", 1, primAttrValues);
  t.add("getAttr", 2, primGetAttr);
  t.add("hasAttr", 2, primHasAttr);
  t.add("removeAttrs", 2, primRemoveAttrs);
  t.add("listToAttrs", 1, primListToAttrs);
  t.add("intersectAttrs", 2, primIntersectAttrs);
  t.add("catAttrs", 2, primCatAttrs);
  t.add("mapAttrs", 2, primMapAttrs);
  t.add("functionArgs", 1, primFunctionArgs);
  t.add("unsafeGetAttrPos", 2, primUnsafeGetAttrPos);
  t.add("zipAttrsWith", 2, primZipAttrsWith);
}

} // namespace nixpp
