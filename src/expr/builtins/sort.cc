// expr/builtins/sort.cc: builtins that order or group lists: sort, partition, groupBy.
// Temporary C++ containers here only hold pointers to values that the argument lists keep
// reachable, so the GC never misses them.
#include <algorithm>
#include <map>
#include <vector>

#include "expr/ast.h"
#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/value.h"

namespace nixpp {

namespace {

// How a comparator orders when it is known to be `<` itself: the lessThan builtin, or a lambda
// `a: b: a < b` (Ascending) or `a: b: b < a` / `a: b: a > b` (Descending) whose `<` is the
// builtin. On ints or on strings such a comparator cannot fail and has no effect but its answer,
// so the sort may compare the values directly.
enum class DirectOrder { None, Ascending, Descending };

bool isLessThanPrimOp(const Value& v) { return v.type() == ValueType::PrimOp && v.primOp()->name == "lessThan"; }

DirectOrder directOrder(const Value& f) {
  if (isLessThanPrimOp(f)) return DirectOrder::Ascending;
  if (f.type() != ValueType::Lambda) return DirectOrder::None;
  const ExprLambda* outer = f.lambda();
  if (outer->hasFormals || !outer->arg || outer->body->kind != ExprKind::Lambda) return DirectOrder::None;
  const auto* inner = static_cast<const ExprLambda*>(outer->body);
  if (inner->hasFormals || !inner->arg || inner->body->kind != ExprKind::Call) return DirectOrder::None;
  const auto* call = static_cast<const ExprCall*>(inner->body);
  if (call->args.size() != 2 || call->fun->kind != ExprKind::Var) return DirectOrder::None;
  auto var = [](const Expr* e) { return e->kind == ExprKind::Var && !static_cast<const ExprVar*>(e)->fromWith ? static_cast<const ExprVar*>(e) : nullptr; };
  const ExprVar* fun = var(call->fun);
  const ExprVar* x = var(call->args[0]);
  const ExprVar* y = var(call->args[1]);
  if (!fun || !x || !y || fun->level < 2 || x->displ != 0 || y->displ != 0) return DirectOrder::None;
  DirectOrder order;
  if (x->level == 1 && y->level == 0) order = DirectOrder::Ascending;        // a < b
  else if (x->level == 0 && y->level == 1) order = DirectOrder::Descending;  // b < a
  else return DirectOrder::None;
  // The function called is whatever the variable holds in the lambda's environment (levels 0
  // and 1 are the two arguments' environments).
  Env* env = f.lambdaEnv();
  for (uint32_t k = 2; k < fun->level && env; ++k) env = env->up;
  if (!env || !isLessThanPrimOp(*env->values[fun->displ])) return DirectOrder::None;
  return order;
}

// A string ordered as std::string_view (bytewise, unsigned), with its first 8 bytes as a number
// (big-endian, zero-padded) compared first: most comparisons then touch no string. Zero padding
// is sound: where one prefix is padded and the other is not, the shorter string is the smaller,
// and equal prefixes fall back to the whole strings.
struct StringKey {
  uint64_t prefix = 0;
  std::string_view s;
  StringKey() = default;
  explicit StringKey(std::string_view str) : s(str) {
    for (size_t i = 0; i < 8; ++i) prefix = prefix << 8 | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
  }
  bool operator<(const StringKey& o) const { return prefix != o.prefix ? prefix < o.prefix : s < o.s; }
};

// Sorts `elems` (forced) by key when the comparator is `<` and they are all ints or all
// strings: a stable sort by a strict weak order has one result, the one the comparator gives.
// False if that does not apply.
bool sortDirect(const Value& comparator, Value** elems, size_t n) {
  DirectOrder order = directOrder(comparator);
  if (order == DirectOrder::None) return false;
  ValueType t = elems[0]->type();
  if (t != ValueType::Int && t != ValueType::String) return false;
  for (size_t i = 1; i < n; ++i)
    if (elems[i]->type() != t) return false;
  auto run = [&](auto key) {
    using Key = decltype(key(elems[0]));
    std::vector<std::pair<Key, Value*>> keyed(n);
    for (size_t i = 0; i < n; ++i) keyed[i] = {key(elems[i]), elems[i]};
    if (order == DirectOrder::Ascending)
      std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    else
      std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return b.first < a.first; });
    for (size_t i = 0; i < n; ++i) elems[i] = keyed[i].second;
  };
  if (t == ValueType::Int) run([](const Value* v) { return v->integer(); });
  else run([](const Value* v) { return StringKey(v->string_view()); });
  return true;
}

// builtins.sort comparator list: a stable sort, as Nix's (std::stable_sort with the comparator).
void primSort(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.sort");
  size_t n = args[1]->listSize();
  Value r;
  st.mkList(r, n);
  Value** elems = r.listElems();
  std::copy(args[1]->listElems(), args[1]->listElems() + n, elems);
  if (n == 0) {
    v = r;
    return;
  }
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.sort");
  // Elements are forced first, as Nix does, so that errors in them are reported before any call.
  for (size_t i = 0; i < n; ++i) st.forceValue(*elems[i], pos);
  if (sortDirect(*args[0], elems, n)) {
    v = r;
    return;
  }
  // A built-in comparator of two arguments (builtins.lessThan, most often) is called directly,
  // without callFunction's bookkeeping; its errors get the frame callFunction would add.
  const PrimOp* direct = args[0]->type() == ValueType::PrimOp && args[0]->primOp()->arity == 2 ? args[0]->primOp() : nullptr;
  std::stable_sort(elems, elems + n, [&](Value* a, Value* b) {
    Value res;
    Value* callArgs[2] = {a, b};
    if (direct) {
      try {
        direct->fun(st, noPos, callArgs, res);
      } catch (EvalError& err) {
        st.addTrace(err, pos, "while calling the '" + direct->name + "' builtin");
        throw;
      }
    } else
      st.callFunction(*args[0], 2, callArgs, res, pos);
    return st.forceBool(res, pos, "while evaluating the return value of the sorting function passed to builtins.sort");
  });
  v = r;
}

// builtins.partition pred list: { right = [elements satisfying pred]; wrong = [the others]; }.
void primPartition(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.partition");
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.partition");
  size_t n = args[1]->listSize();
  std::vector<Value*> right, wrong;
  for (size_t i = 0; i < n; ++i) {
    Value* e = args[1]->listElems()[i];
    st.forceValue(*e, pos);
    Value res;
    st.callFunction(*args[0], *e, res, pos);
    if (st.forceBool(res, pos, "while evaluating the return value of the partition function passed to builtins.partition"))
      right.push_back(e);
    else
      wrong.push_back(e);
  }
  auto makeList = [&](const std::vector<Value*>& items) {
    Value* l = st.allocValue();
    st.mkList(*l, items.size());
    std::copy(items.begin(), items.end(), l->listElems());
    return l;
  };
  Bindings* b = st.allocBindings(2);
  b->push(st.symbol("right"), makeList(right));
  b->push(st.symbol("wrong"), makeList(wrong));
  b->sort();
  v.mkAttrs(b);
}

// builtins.groupBy f list: an attribute set from f's string results to the lists of elements
// (in list order) that produced them.
void primGroupBy(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.groupBy");
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.groupBy");
  size_t n = args[1]->listSize();
  std::map<Symbol, std::vector<Value*>> groups;
  for (size_t i = 0; i < n; ++i) {
    Value* e = args[1]->listElems()[i];
    Value res;
    st.callFunction(*args[0], *e, res, pos);
    std::string_view key = st.forceStringNoCtx(res, pos, "while evaluating the return value of the grouping function passed to builtins.groupBy");
    groups[st.symbol(key)].push_back(e);
  }
  Bindings* b = st.allocBindings(groups.size());
  for (auto& [name, items] : groups) {
    Value* l = st.allocValue();
    st.mkList(*l, items.size());
    std::copy(items.begin(), items.end(), l->listElems());
    b->push(name, l);
  }
  b->sort();
  v.mkAttrs(b);
}

} // namespace

void registerSortBuiltins(BuiltinTable& t) {
  t.add("sort", 2, primSort);
  t.add("partition", 2, primPartition);
  t.add("groupBy", 2, primGroupBy);
}

} // namespace nixpp
