// expr/builtins/lists.cc: builtins on lists (the common ones; sorting and grouping live in
// their own theme).
#include <set>
#include <vector>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/print.h"

namespace nixpp {

namespace {

void primLength(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[0], pos, "while evaluating the first argument passed to builtins.length");
  v.mkInt(int64_t(args[0]->listSize()));
}

void elemAt(EvalState& st, Value& list, int64_t n, PosIdx pos, Value& v) {
  if (n < 0 || size_t(n) >= list.listSize())
    throw EvalError("'builtins.elemAt' called with index " + std::to_string(n) + " on a list of size " +
                        std::to_string(list.listSize()),
                    st.pos(pos));
  st.forceValue(*list.listElems()[n], pos);
  v = *list.listElems()[n];
}

void primElemAt(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[0], pos, "while evaluating the first argument passed to 'builtins.elemAt'");
  int64_t n = st.forceInt(*args[1], pos, "while evaluating the second argument passed to builtins.elemAt");
  elemAt(st, *args[0], n, pos, v);
}

void primHead(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[0], pos, "while evaluating the first argument passed to 'builtins.head'");
  if (args[0]->listSize() == 0) throw EvalError("'builtins.head' called on an empty list", st.pos(pos));
  elemAt(st, *args[0], 0, pos, v);
}

void primTail(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[0], pos, "while evaluating the first argument passed to 'builtins.tail'");
  size_t n = args[0]->listSize();
  if (n == 0) throw EvalError("'builtins.tail' called on an empty list", st.pos(pos));
  Value r;
  st.mkList(r, n - 1);
  for (size_t i = 1; i < n; ++i) r.listElems()[i - 1] = args[0]->listElems()[i];
  v = r;
}

void primMap(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.map");
  size_t n = args[1]->listSize();
  if (n > 0) st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.map");
  Value r;
  st.mkList(r, n);
  for (size_t i = 0; i < n; ++i) {
    Value* e = st.allocValue();
    e->mkApp(args[0], args[1]->listElems()[i]);
    r.listElems()[i] = e;
  }
  v = r;
}

void primFilter(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.filter");
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.filter");
  size_t n = args[1]->listSize();
  // The kept elements (reachable through the argument list, so a malloc'd vector may hold
  // them), then one list of exactly their number.
  std::vector<Value*> kept;
  for (size_t i = 0; i < n; ++i) {
    Value res;
    st.callFunction(*args[0], *args[1]->listElems()[i], res, pos);
    if (st.forceBool(res, pos, "while evaluating the return value of the filtering function passed to builtins.filter"))
      kept.push_back(args[1]->listElems()[i]);
  }
  Value out;
  st.mkList(out, kept.size());
  std::copy(kept.begin(), kept.end(), out.listElems());
  v = out;
}

void primFoldl(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.foldlStrict");
  st.forceList(*args[2], pos, "while evaluating the third argument passed to builtins.foldlStrict");
  size_t n = args[2]->listSize();
  if (n == 0) {
    st.forceValue(*args[1], pos);
    v = *args[1];
    return;
  }
  Value* acc = args[1];
  for (size_t i = 0; i < n; ++i) {
    Value* fargs[2] = {acc, args[2]->listElems()[i]};
    Value* res = st.allocValue();
    st.callFunction(*args[0], 2, fargs, *res, pos);
    acc = res;
  }
  st.forceValue(*acc, pos);
  v = *acc;
}

void primGenList(EvalState& st, PosIdx pos, Value** args, Value& v) {
  int64_t n = st.forceInt(*args[1], pos, "while evaluating the second argument passed to builtins.genList");
  if (n < 0) throw EvalError("cannot create list of size " + std::to_string(n), st.pos(pos));
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.genList");
  Value r;
  st.mkList(r, size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    Value* idx = st.allocValue();
    idx->mkInt(i);
    Value* e = st.allocValue();
    e->mkApp(args[0], idx);
    r.listElems()[i] = e;
  }
  v = r;
}

void primElem(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.elem");
  for (size_t i = 0; i < args[1]->listSize(); ++i)
    if (st.eqValues(*args[0], *args[1]->listElems()[i], pos, "while searching for the presence of the given element in the list"))
      return v.mkBool(true);
  v.mkBool(false);
}

void primConcatLists(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[0], pos, "while evaluating the first argument passed to builtins.concatLists");
  size_t total = 0;
  for (size_t i = 0; i < args[0]->listSize(); ++i) {
    Value* l = args[0]->listElems()[i];
    st.forceList(*l, pos, "while evaluating a value of the list passed to builtins.concatLists");
    total += l->listSize();
  }
  Value r;
  st.mkList(r, total);
  size_t k = 0;
  for (size_t i = 0; i < args[0]->listSize(); ++i) {
    Value* l = args[0]->listElems()[i];
    for (size_t j = 0; j < l->listSize(); ++j) r.listElems()[k++] = l->listElems()[j];
  }
  v = r;
}

template <bool All>
void primAllAny(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceFunction(*args[0], pos,
                   All ? "while evaluating the first argument passed to builtins.all"
                       : "while evaluating the first argument passed to builtins.any");
  st.forceList(*args[1], pos,
               All ? "while evaluating the second argument passed to builtins.all"
                   : "while evaluating the second argument passed to builtins.any");
  for (size_t i = 0; i < args[1]->listSize(); ++i) {
    Value res;
    st.callFunction(*args[0], *args[1]->listElems()[i], res, pos);
    bool b = st.forceBool(res, pos,
                          All ? "while evaluating the return value of the function passed to builtins.all"
                              : "while evaluating the return value of the function passed to builtins.any");
    if (b != All) return v.mkBool(!All);
  }
  v.mkBool(All);
}

void primConcatMap(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.concatMap");
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.concatMap");
  size_t n = args[1]->listSize();
  Value results;
  st.mkList(results, n);
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    Value* r = st.allocValue();
    st.callFunction(*args[0], *args[1]->listElems()[i], *r, pos);
    st.forceList(*r, st.determinePos(*args[0], pos),
                 "while evaluating the return value of the function passed to builtins.concatMap");
    results.listElems()[i] = r;
    total += r->listSize();
  }
  Value out;
  st.mkList(out, total);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    Value* r = results.listElems()[i];
    for (size_t j = 0; j < r->listSize(); ++j) out.listElems()[k++] = r->listElems()[j];
  }
  v = out;
}

// builtins.genericClosure { startSet; operator; }: a breadth-first closure keyed by `key`.
void primGenericClosure(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* b = st.forceAttrs(*args[0], pos, "while evaluating the first argument passed to builtins.genericClosure");
  auto missing = [&](const char* name) {
    EvalError e(std::string("attribute '") + name + "' missing", Pos{});
    e.addTrace(Pos{}, "in the attrset passed as argument to builtins.genericClosure");
    return e;
  };
  auto* start = b->get(st.symbol("startSet"));
  if (!start) throw missing("startSet");
  st.forceList(*start->value, pos, "while evaluating the 'startSet' attribute passed as argument to builtins.genericClosure");
  auto* op = b->get(st.symbol("operator"));
  if (!op) throw missing("operator");
  st.forceFunction(*op->value, pos, "while evaluating the 'operator' attribute passed as argument to builtins.genericClosure");
  Symbol key = st.symbol("key");
  // Work list and result kept in GC-visible lists.
  std::vector<Value*> work(start->value->listElems(), start->value->listElems() + start->value->listSize());
  Value keep;  // keeps `work` items reachable for the GC
  keep = *start->value;
  std::vector<Value*> result;
  // Keys seen so far, ordered by Nix's `<` as Nix's std::set<Value*, CompareValues>: keys that
  // cannot be compared (a string and an integer, two sets) are an error naming both elements.
  struct Keyed {
    Value* key;
    Value* elem;
  };
  auto cmp = [&](const Keyed& a, const Keyed& b) {
    try {
      return lessThan(st, *a.key, *b.key, pos);
    } catch (EvalError& e) {
      e.addTrace(Pos{}, "with element " + printValueForError(st, *b.elem));
      e.addTrace(Pos{}, "while comparing element " + printValueForError(st, *a.elem));
      throw;
    }
  };
  std::set<Keyed, decltype(cmp)> doneKeys(cmp);
  Value resultList;
  size_t i = 0;
  while (i < work.size()) {
    Value* e = work[i++];
    const Attr* k;
    try {
      Bindings* eb = st.forceAttrs(*e, pos, "");
      k = eb->get(key);
      if (!k) throw EvalError("attribute 'key' missing", Pos{});
      st.forceValue(*k->value, pos);
    } catch (EvalError& err) {
      err.addTrace(Pos{}, "in genericClosure element " + printValueForError(st, *e));
      throw;
    }
    if (!doneKeys.insert({k->value, e}).second) continue;
    result.push_back(e);
    Value* res = st.allocValue();
    try {
      st.callFunction(*op->value, *e, *res, pos);
      st.forceList(*res, pos, "while evaluating the return value of the `operator` passed to builtins.genericClosure");
    } catch (EvalError& err) {
      err.addTrace(Pos{}, "while calling operator on genericClosure element " + printValueForError(st, *e));
      throw;
    }
    // Keep the new elements reachable: chain them through a GC list.
    Value* holder = st.allocValue();
    st.mkList(*holder, 2);
    holder->listElems()[0] = res;
    holder->listElems()[1] = st.allocValue();
    *holder->listElems()[1] = keep;
    keep = *holder;
    for (size_t j = 0; j < res->listSize(); ++j) work.push_back(res->listElems()[j]);
  }
  st.mkList(resultList, result.size());
  for (size_t j = 0; j < result.size(); ++j) resultList.listElems()[j] = result[j];
  v = resultList;
}

} // namespace

void registerListBuiltins(BuiltinTable& t) {
  t.add("length", 1, primLength);
  t.add("elemAt", 2, primElemAt);
  t.add("head", 1, primHead);
  t.add("tail", 1, primTail);
  t.add("map", 2, primMap);
  t.add("filter", 2, primFilter);
  t.add("foldl'", 3, primFoldl);
  t.add("genList", 2, primGenList);
  t.add("elem", 2, primElem);
  t.add("concatLists", 1, primConcatLists);
  t.add("concatMap", 2, primConcatMap);
  t.add("genericClosure", 1, primGenericClosure);
  t.add("all", 2, primAllAny<true>);
  t.add("any", 2, primAllAny<false>);
}

} // namespace nixpp
