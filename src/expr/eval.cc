// expr/eval.cc: evaluation of the AST (one switch over node kinds) and function calls.
#include "expr/eval.h"

#include <gc/gc.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "expr/parser.h"
#include "expr/print.h"

namespace nixpp {

namespace {

std::string lambdaName(const EvalState& st, const ExprLambda& l) {
  return l.name ? "'" + std::string(st.name(l.name)) + "'" : "anonymous lambda";
}

std::string lambdaDisplayName(const EvalState& st, const ExprLambda& l) {
  return l.name ? std::string(st.name(l.name)) : "anonymous lambda";
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Variables

static Value* lookupVar(EvalState& st, Env* env, const ExprVar& var, bool noEval) {
  for (uint32_t l = var.level; l; --l) env = env->up;
  if (!var.fromWith) return env->values[var.displ];
  if (noEval) return nullptr;
  for (const ExprWith* w = var.with;; w = w->parentWith) {
    Value* attrsV = env->values[0];
    Bindings* b = st.forceAttrs(*attrsV, var.pos, "while evaluating the first subexpression of a with expression");
    if (auto* a = b->get(var.name)) return a->value;
    if (!w->parentWith)
      throw UndefinedVarError("undefined variable '" + std::string(st.name(var.name)) + "'", st.pos(var.pos));
    for (uint32_t l = w->prevWith; l; --l) env = env->up;
  }
}

// A NixString outside the collected heap (it lives as long as the AST that holds it).
static const NixString* permanentString(std::string_view s) {
  auto* ns = static_cast<NixString*>(GC_MALLOC_ATOMIC_UNCOLLECTABLE(sizeof(NixString) + s.size() + 1));
  ns->size = s.size();
  std::memcpy(const_cast<char*>(ns->data()), s.data(), s.size());
  const_cast<char*>(ns->data())[s.size()] = 0;
  return ns;
}

// The Value of a literal (int, float, string, path), made once per AST node and shared by every
// evaluation of it: such a Value is never a thunk, so nothing ever overwrites it. Uncollectable
// (scanned, never freed), like the AST.
static Value* constantValue(Expr* e) {
  Value** slot;
  switch (e->kind) {
  case ExprKind::Int: slot = &static_cast<ExprInt*>(e)->value; break;
  case ExprKind::Float: slot = &static_cast<ExprFloat*>(e)->value; break;
  case ExprKind::String: slot = &static_cast<ExprString*>(e)->value; break;
  default: slot = &static_cast<ExprPath*>(e)->value; break;
  }
  if (*slot) return *slot;
  auto* v = static_cast<Value*>(GC_MALLOC_UNCOLLECTABLE(sizeof(Value)));
  switch (e->kind) {
  case ExprKind::Int: v->mkInt(static_cast<ExprInt*>(e)->n); break;
  case ExprKind::Float: v->mkFloat(static_cast<ExprFloat*>(e)->f); break;
  case ExprKind::String: v->mkString(permanentString(static_cast<ExprString*>(e)->s)); break;
  default: v->mkPath(permanentString(static_cast<ExprPath*>(e)->path)); break;
  }
  return *slot = v;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic on values at hand

// The int an operand already is: an int literal, or a variable bound (not by `with`) to an
// evaluated int. A slot not filled yet (a later binding of the same `let`) is not ready.
[[gnu::always_inline]] static inline bool readyInt(Env& env, const Expr* e, int64_t& n) {
  if (e->kind == ExprKind::Int) {
    n = static_cast<const ExprInt*>(e)->n;
    return true;
  }
  if (e->kind != ExprKind::Var) return false;
  auto& var = static_cast<const ExprVar&>(*e);
  if (var.fromWith) return false;
  Env* p = &env;
  for (uint32_t l = var.level; l; --l) p = p->up;
  const Value* v = p->values[var.displ];
  if (!v || v->type() != ValueType::Int) return false;
  n = v->integer();
  return true;
}

bool EvalState::evalReadyArith(Env& env, Expr* e, Value& v) {
  int64_t a, b, r;
  if (e->kind == ExprKind::ConcatStrings) {  // `a + b`
    auto& c = static_cast<ExprConcatStrings&>(*e);
    if (c.forceString || c.es.size() != 2 || !readyInt(env, c.es[0].second, a) || !readyInt(env, c.es[1].second, b) ||
        __builtin_add_overflow(a, b, &r))
      return false;
    v.mkInt(r);
    return true;
  }
  if (e->kind != ExprKind::Call) return false;
  auto& c = static_cast<ExprCall&>(*e);
  if (c.args.size() != 2 || c.fun->kind != ExprKind::Var) return false;
  auto& fv = static_cast<const ExprVar&>(*c.fun);
  if (fv.fromWith || !readyInt(env, c.args[0], a) || !readyInt(env, c.args[1], b)) return false;
  Env* p = &env;
  for (uint32_t l = fv.level; l; --l) p = p->up;
  const Value* f = p->values[fv.displ];
  if (!f || f->type() != ValueType::PrimOp) return false;
  const PrimOp* op = f->primOp();
  if (op == opLessThan_) {
    v.mkBool(a < b);
    return true;
  }
  if (op == opSub_) {
    if (__builtin_sub_overflow(a, b, &r)) return false;
  } else if (op == opAdd_) {
    if (__builtin_add_overflow(a, b, &r)) return false;
  } else if (op == opMul_) {
    if (__builtin_mul_overflow(a, b, &r)) return false;
  } else if (op == opDiv_) {
    if (b == 0 || (a == INT64_MIN && b == -1)) return false;
    r = a / b;
  } else {
    return false;
  }
  v.mkInt(r);
  return true;
}

// A cheap first test for evalReadyArith: the node's shape, not its operands.
[[gnu::always_inline]] static inline bool mayBeReadyArith(const Expr* e) {
  if (e->kind == ExprKind::Call) {
    auto* c = static_cast<const ExprCall*>(e);
    return c->args.size() == 2 && c->fun->kind == ExprKind::Var;
  }
  if (e->kind != ExprKind::ConcatStrings) return false;
  auto* c = static_cast<const ExprConcatStrings*>(e);
  return !c->forceString && c->es.size() == 2;
}

// A Value standing for the int or Boolean `r`: shared ones for the Booleans and small ints (a
// Value in weak head normal form is never written, so one can stand for every use), else a new
// one.
static Value* readyValue(EvalState& st, const Value& r) {
  static constexpr int64_t lo = -128, hi = 1024;
  struct Table {
    Value ints[hi - lo], bools[2];
    Table() {
      for (int64_t i = lo; i < hi; ++i) ints[i - lo].mkInt(i);
      bools[0].mkBool(false);
      bools[1].mkBool(true);
    }
  };
  static const Table table;
  if (r.type() == ValueType::Bool) return const_cast<Value*>(&table.bools[r.boolean()]);
  if (r.integer() >= lo && r.integer() < hi) return const_cast<Value*>(&table.ints[r.integer() - lo]);
  Value* v = st.allocValue();
  *v = r;
  return v;
}

// A thunk of `e` in `env`, with none of maybeThunk's shortcuts.
static Value* makeThunk(EvalState& st, Env& env, Expr* e) {
  Value* v = st.allocValue();
  v->mkThunk(st.captureEnv(env), e);
  return v;
}

Value* EvalState::maybeThunk(Env& env, Expr* e) {
  switch (e->kind) {
  case ExprKind::Int:
  case ExprKind::Float:
  case ExprKind::String:
  case ExprKind::Path: return constantValue(e);
  case ExprKind::Var:
    if (Value* v = lookupVar(*this, &env, static_cast<ExprVar&>(*e), true)) return v;
    break;
  default: break;
  }
  return makeThunk(*this, env, e);
}

// maybeThunk for an argument that the callee forces before anything else happens: `n - 1` with
// n an int already is computed now rather than by a thunk later (see evalReadyArith); nothing
// can tell the two apart (a thunk is seen unforced only when printed, and this one would be
// forced first). As a resource limit, max-call-depth is then not checked for this call, where
// the thunk would have checked it at the depth it was forced at.
Value* EvalState::maybeThunkForced(Env& env, Expr* e) {
  Value r;
  if (mayBeReadyArith(e) && evalReadyArith(env, e, r)) return readyValue(*this, r);
  return maybeThunk(env, e);
}

// Whether `op` forces its arguments, in order, before anything else: then arguments computed at
// once cannot be told from thunks.
bool EvalState::strictPrimOp(const PrimOp* op) const {
  return op == opLessThan_ || op == opSub_ || op == opAdd_ || op == opMul_ || op == opDiv_;
}

// Whether evaluating `e` in the environment of a call of a one-argument lambda forces the
// argument (slot 0 of that environment) before anything else. `closure` is the lambda's
// environment, for resolving calls of the built-ins (only those of the base environment count:
// they are the same for every closure of the lambda, so the answer can be kept).
bool EvalState::forcesArgFirst(const Expr* e, Env* closure) const {
  switch (e->kind) {
  case ExprKind::Var: {
    auto* v = static_cast<const ExprVar*>(e);
    return !v->fromWith && v->level == 0 && v->displ == 0;
  }
  case ExprKind::If: return forcesArgFirst(static_cast<const ExprIf*>(e)->cond, closure);
  case ExprKind::Assert: return forcesArgFirst(static_cast<const ExprAssert*>(e)->cond, closure);
  case ExprKind::OpNot: return forcesArgFirst(static_cast<const ExprOpNot*>(e)->e, closure);
  case ExprKind::Select: return forcesArgFirst(static_cast<const ExprSelect*>(e)->e, closure);
  case ExprKind::OpEq:
  case ExprKind::OpNEq:
  case ExprKind::OpAnd:
  case ExprKind::OpOr:
  case ExprKind::OpImpl: return forcesArgFirst(static_cast<const ExprBinOp*>(e)->e1, closure);
  case ExprKind::ConcatStrings: {
    auto* c = static_cast<const ExprConcatStrings*>(e);
    return !c->es.empty() && forcesArgFirst(c->es[0].second, closure);
  }
  case ExprKind::Call: {
    auto* c = static_cast<const ExprCall*>(e);
    if (c->fun->kind != ExprKind::Var || c->args.empty()) return false;
    auto* f = static_cast<const ExprVar*>(c->fun);
    if (f->fromWith || f->level == 0) return false;
    Env* p = closure;
    for (uint32_t l = f->level - 1; l && p; --l) p = p->up;
    if (p != baseEnv_) return false;
    const Value* fv = p->values[f->displ];
    return fv && fv->type() == ValueType::PrimOp && fv->primOp()->arity == c->args.size() &&
           strictPrimOp(fv->primOp()) && forcesArgFirst(c->args[0], closure);
  }
  default: return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Attribute names and sets

static Symbol attrNameOf(EvalState& st, Env& env, const AttrName& n) {
  if (n.symbol) return n.symbol;
  Value v;
  st.eval(env, n.expr, v);
  std::string_view s = st.forceStringNoCtx(v, n.expr->pos, "while evaluating an attribute name");
  return st.symbol(s);
}

static std::string showAttrPath(EvalState& st, Env& env, const AttrPath& path) {
  std::string out;
  bool first = true;
  for (auto& n : path) {
    if (!first) out += '.';
    first = false;
    if (n.symbol) out += st.name(n.symbol);
    else {
      try {
        out += st.name(attrNameOf(st, env, n));
      } catch (EvalError&) {
        out += "\"${";
        showExpr(*n.expr, st.symbols, out);
        out += "}\"";
      }
    }
  }
  return out;
}

// Evaluates an operand, adding `ctx` ("in the left operand of '//'") at its position to any
// error on the way, as Nix's operators do.
static void evalOperand(EvalState& st, Env& env, Expr* e, Value& v, const char* ctx) {
  try {
    st.eval(env, e, v);
  } catch (EvalError& err) {
    st.addTrace(err, e->pos, ctx);
    throw;
  }
}

// An operand that must be a Boolean / set / list: evaluation and type errors get `ctx`.
static bool evalBoolOperand(EvalState& st, Env& env, Expr* e, const char* ctx) {
  Value v;
  evalOperand(st, env, e, v, ctx);
  if (v.type() != ValueType::Bool) st.typeError("a Boolean", v, e->pos, ctx, true);
  return v.boolean();
}

static Bindings* evalAttrsOperand(EvalState& st, Env& env, Expr* e, Value& v, const char* ctx) {
  evalOperand(st, env, e, v, ctx);
  if (v.type() != ValueType::Attrs) st.typeError("a set", v, e->pos, ctx, true);
  return v.attrs();
}

// Nix's "Did you mean x?" for a name not found among `candidates`: the (at most 5) closest by
// edit distance, at most 2 edits away.
static std::string suggest(std::string_view query, const std::vector<std::string>& candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t prev = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t cur = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
        prev = cur;
      }
    }
    return row[b.size()];
  };
  std::set<std::pair<size_t, std::string>> ranked;
  for (auto& c : candidates) ranked.emplace(distance(query, c), c);
  std::vector<std::string> best;
  for (auto& [d, c] : ranked) {
    if (best.size() >= 5 || d > 2) break;
    best.push_back(c);
  }
  if (best.empty()) return {};
  std::string out = "Did you mean ";
  if (best.size() > 1) out += "one of ";
  for (size_t i = 0; i < best.size(); ++i) {
    if (i > 0) out += i + 1 == best.size() ? " or " : ", ";
    out += best[i];
  }
  return out + "?";
}

static Env* makeInheritFromEnv(EvalState& st, ExprAttrs& a, Env& evalIn) {
  if (a.inheritFromExprs.empty()) return nullptr;
  Env& ie = st.allocEnv(a.inheritFromExprs.size());
  ie.up = st.captureEnv(evalIn);
  for (size_t i = 0; i < a.inheritFromExprs.size(); ++i) ie.values[i] = st.maybeThunk(evalIn, a.inheritFromExprs[i]);
  return &ie;
}

static void evalAttrs(EvalState& st, Env& env, ExprAttrs& a, Value& v) {
  Bindings* b = st.allocBindings(a.attrs.size() + a.dynamicAttrs.size());
  b->pos = a.pos;
  Env* dynEnv = &env;
  if (a.recursive) {
    Env& env2 = st.allocEnv(a.attrs.size());
    env2.up = st.captureEnv(env);
    dynEnv = &env2;
    Env* ie = makeInheritFromEnv(st, a, env2);
    // `__overrides` replaces slots of env2 after this loop: no attribute may be computed
    // before that (an overridden `b` changes `c = b - 1`), so they get plain thunks.
    if (!st.s.overrides) st.s.overrides = st.symbol("__overrides");
    auto byName = [](const AttrDef& d, Symbol n) { return d.name < n; };
    auto ov = std::lower_bound(a.attrs.begin(), a.attrs.end(), st.s.overrides, byName);
    bool overrides = ov != a.attrs.end() && ov->name == st.s.overrides;
    for (auto& d : a.attrs) {
      Value* val = d.kind == AttrDef::Kind::Plain       ? (overrides ? makeThunk(st, env2, d.e) : st.maybeThunk(env2, d.e))
                   : d.kind == AttrDef::Kind::Inherited ? st.maybeThunk(env, d.e)
                                                        : st.maybeThunk(*ie, d.e);
      env2.values[d.displ] = val;
      b->push(d.name, val, d.pos);
    }
    // `__overrides` (a deprecated feature): its attributes replace or extend the set, and the
    // replaced ones are seen by the other attributes through the environment.
    if (auto* ov = overrides ? b->get(st.s.overrides) : nullptr) {
      Bindings* o = st.forceAttrs(*ov->value, st.determinePos(*ov->value, noPos), "while evaluating the `__overrides` attribute");
      Bindings* nb = st.allocBindings(b->size + o->size + a.dynamicAttrs.size());
      nb->pos = b->pos;
      for (auto& x : *b) nb->push(x.name, x.value, x.pos);
      for (auto& x : *o) {
        bool found = false;
        for (uint32_t i = 0; i < nb->size; ++i)
          if (nb->attrs()[i].name == x.name) {
            nb->attrs()[i].value = x.value;
            found = true;
          }
        if (!found) nb->push(x.name, x.value, x.pos);
        for (auto& d : a.attrs)
          if (d.name == x.name) env2.values[d.displ] = x.value;
      }
      nb->sort();
      b = nb;
    }
  } else {
    Env* ie = makeInheritFromEnv(st, a, env);
    for (auto& d : a.attrs)
      b->push(d.name, d.kind == AttrDef::Kind::InheritedFrom ? st.maybeThunk(*ie, d.e) : st.maybeThunk(env, d.e), d.pos);
  }
  if (!a.dynamicAttrs.empty()) {
    for (auto& d : a.dynamicAttrs) {
      Value nameV;
      st.eval(*dynEnv, d.nameExpr, nameV);
      st.forceValue(nameV, d.pos);
      if (nameV.type() == ValueType::Null) continue;
      Symbol name = st.symbol(st.forceStringNoCtx(nameV, d.pos, "while evaluating the name of a dynamic attribute"));
      if (auto* prev = b->get(name))
        throw EvalError("dynamic attribute '" + std::string(st.name(name)) + "' already defined at " +
                            st.pos(prev->pos).toString(),
                        st.pos(d.pos));
      b->push(name, st.maybeThunk(*dynEnv, d.valueExpr), d.pos);
      b->sort();
    }
  }
  v.mkAttrs(b);
}

// ---------------------------------------------------------------------------------------------
// String concatenation and `+`

// `+` of numbers: `acc`, the first operand's value (an int or a float), plus the others in order.
static void addNumbers(EvalState& st, Env& env, ExprConcatStrings& c, const Value& acc, Value& v) {
  ValueType type = acc.type();
  int64_t n = type == ValueType::Int ? acc.integer() : 0;
  double nf = type == ValueType::Float ? acc.fpoint() : 0;
  for (size_t i = 1; i < c.es.size(); ++i) {
    auto& [pos, e] = c.es[i];
    Value tmp;
    evalOperand(st, env, e, tmp, "in an operand of '+'");
    if (type == ValueType::Int) {
      if (tmp.type() == ValueType::Int) {
        int64_t sum;
        if (__builtin_add_overflow(n, tmp.integer(), &sum))
          throw EvalError("integer overflow in adding " + std::to_string(n) + " + " + std::to_string(tmp.integer()), st.pos(pos));
        n = sum;
        continue;
      }
      if (tmp.type() == ValueType::Float) {
        type = ValueType::Float;
        nf = double(n) + tmp.fpoint();
        continue;
      }
      throw EvalError("cannot add " + st.showType(tmp) + " to an integer", st.pos(pos));
    }
    if (tmp.type() == ValueType::Int) { nf += double(tmp.integer()); continue; }
    if (tmp.type() == ValueType::Float) { nf += tmp.fpoint(); continue; }
    throw EvalError("cannot add " + st.showType(tmp) + " to a float", st.pos(pos));
  }
  if (type == ValueType::Int) v.mkInt(n);
  else v.mkFloat(nf);
}

// String interpolation, and `+` of strings and paths (`first`: the first operand's value, when
// evaluated already).
[[gnu::noinline]] static void concatStrings(EvalState& st, Env& env, ExprConcatStrings& c, const Value* first, Value& v) {
  NixStringContext context;
  std::string s;
  ValueType firstType = ValueType::String;
  for (size_t i = 0; i < c.es.size(); ++i) {
    auto& [pos, e] = c.es[i];
    Value tmp;
    if (i == 0 && first) tmp = *first;
    else if (c.forceString) st.eval(env, e, tmp);
    else evalOperand(st, env, e, tmp, "in an operand of '+'");
    if (i == 0 && !c.forceString && tmp.type() == ValueType::Path) firstType = ValueType::Path;
    s += st.coerceToString(pos, tmp, context, "while evaluating a path segment", false, firstType == ValueType::String);
  }
  if (firstType == ValueType::Path) {
    if (!context.empty())
      throw EvalError("a string that refers to a store path cannot be appended to a path", st.pos(c.pos));
    st.mkPath(v, canonPath(s));
  } else st.mkString(v, s, context);
}

static void evalConcat(EvalState& st, Env& env, ExprConcatStrings& c, Value& v) {
  if (c.forceString) return concatStrings(st, env, c, nullptr, v);
  // `+`: its first operand's type says whether numbers are added or strings concatenated.
  Value first;
  evalOperand(st, env, c.es[0].second, first, "in an operand of '+'");
  if (first.type() == ValueType::Int || first.type() == ValueType::Float) return addNumbers(st, env, c, first, v);
  concatStrings(st, env, c, &first, v);
}

// ---------------------------------------------------------------------------------------------
// The node kinds, one function each. eval() below dispatches and keeps only the cheapest and
// hottest cases in its own body, so that its frame (paid on every evaluation, and the measure
// of how deep recursion can go) stays small.

[[gnu::noinline]] static void evalSelect(EvalState& st, Env& env, ExprSelect& sel, Value& v) {
  Value vTmp;
  Value* cur = &vTmp;
  if (sel.def) st.eval(env, sel.e, vTmp);
  else evalAttrsOperand(st, env, sel.e, vTmp, "while selecting an attribute");
  PosIdx pos2;  // where the attribute selected last was defined
  Symbol name2;
  try {
    for (auto& n : sel.path) {
      Symbol name = attrNameOf(st, env, n);
      const Attr* a;
      if (sel.def) {
        st.forceValue(*cur, sel.pos);
        a = cur->type() == ValueType::Attrs ? cur->attrs()->get(name) : nullptr;
        if (!a) {
          st.eval(env, sel.def, v);
          return;
        }
      } else {
        Bindings* b = st.forceAttrs(*cur, sel.pos, "while selecting an attribute");
        a = b->get(name);
        if (!a) {
          EvalError err("attribute '" + std::string(st.name(name)) + "' missing", Pos{});
          std::vector<std::string> names;
          for (auto& x : *b) names.emplace_back(st.name(x.name));
          err.suggestion = suggest(st.name(name), names);
          throw err;
        }
      }
      cur = a->value;
      pos2 = a->pos;
      name2 = name;
    }
    st.forceValue(*cur, pos2 ? pos2 : sel.pos);
  } catch (EvalError& err) {
    if (pos2) st.addTrace(err, pos2, "from the definition of '" + std::string(st.name(name2)) + "'");
    st.addTrace(err, sel.pos, "while evaluating the attribute '" + showAttrPath(st, env, sel.path) + "'");
    throw;
  }
  v = *cur;
}

[[gnu::noinline]] static void evalHasAttr(EvalState& st, Env& env, ExprOpHasAttr& h, Value& v) {
  Value vTmp;
  Value* cur = &vTmp;
  evalOperand(st, env, h.e, vTmp, "in the argument of '?'");
  for (auto& n : h.path) {
    st.forceValue(*cur, h.pos);
    const Attr* a = nullptr;
    if (cur->type() != ValueType::Attrs || !(a = cur->attrs()->get(attrNameOf(st, env, n)))) {
      v.mkBool(false);
      return;
    }
    cur = a->value;
  }
  v.mkBool(true);
}

[[gnu::noinline]] static void evalList(EvalState& st, Env& env, ExprList& l, Value& v) {
  Value tmp;
  st.mkList(tmp, l.elems.size());
  for (size_t i = 0; i < l.elems.size(); ++i) tmp.listElems()[i] = st.maybeThunk(env, l.elems[i]);
  v = tmp;
}

// A `let`: its environment, then the body (returned for eval to evaluate in it).
[[gnu::noinline]] static Env& evalLetEnv(EvalState& st, Env& env, ExprLet& l) {
  Env& env2 = st.allocEnv(l.attrs->attrs.size());
  env2.up = st.captureEnv(env);
  Env* ie = makeInheritFromEnv(st, *l.attrs, env2);
  for (auto& d : l.attrs->attrs)
    env2.values[d.displ] = d.kind == AttrDef::Kind::Plain       ? st.maybeThunk(env2, d.e)
                           : d.kind == AttrDef::Kind::Inherited ? st.maybeThunk(env, d.e)
                                                                : st.maybeThunk(*ie, d.e);
  return env2;
}

[[gnu::noinline]] static Env& evalWithEnv(EvalState& st, Env& env, ExprWith& w) {
  Env& env2 = st.allocEnv(1);
  env2.up = st.captureEnv(env);
  env2.values[0] = st.maybeThunk(env, w.attrs);
  return env2;
}

// An `assert`'s condition: returns if it holds, throws otherwise.
[[gnu::noinline]] static void evalAssertion(EvalState& st, Env& env, ExprAssert& a) {
  Value c;
  bool ok;
  std::string text;
  try {
    st.eval(env, a.cond, c);
    if (c.type() != ValueType::Bool) st.typeError("a Boolean", c, a.cond->pos, "", true);
    ok = c.boolean();
    if (!ok) {
      showExpr(*a.cond, st.symbols, text);
      // `assert a == b`: say how they differ, as Nix does.
      if (a.cond->kind == ExprKind::OpEq) {
        auto& eq = static_cast<ExprBinOp&>(*a.cond);
        Value v1, v2;
        st.eval(env, eq.e1, v1);
        st.eval(env, eq.e2, v2);
        st.assertEqValues(v1, v2, eq.pos, "");
      }
    }
  } catch (EvalError& err) {
    if (text.empty()) showExpr(*a.cond, st.symbols, text);
    st.addTrace(err, a.pos, "while evaluating the condition of the assertion '" + text + "'");
    throw;
  }
  if (!ok) throw AssertionError("assertion '" + text + "' failed", st.pos(a.pos));
}

[[gnu::noinline]] static void evalEq(EvalState& st, Env& env, ExprBinOp& b, Value& v) {
  Value v1, v2;
  bool isEq = b.kind == ExprKind::OpEq;
  evalOperand(st, env, b.e1, v1, isEq ? "in the left operand of '=='" : "in the left operand of '!='");
  evalOperand(st, env, b.e2, v2, isEq ? "in the right operand of '=='" : "in the right operand of '!='");
  bool eq = st.eqValues(v1, v2, b.pos, "while testing two values for equality");
  v.mkBool(isEq ? eq : !eq);
}

[[gnu::noinline]] static void evalLogic(EvalState& st, Env& env, ExprBinOp& b, Value& v) {
  ExprKind k = b.kind;
  const char* side1 = k == ExprKind::OpAnd ? "in the left operand of '&&'"
                      : k == ExprKind::OpOr ? "in the left operand of '||'"
                                            : "in the left operand of '->'";
  bool l = evalBoolOperand(st, env, b.e1, side1);
  if (k == ExprKind::OpAnd && !l) return v.mkBool(false);
  if (k == ExprKind::OpOr && l) return v.mkBool(true);
  if (k == ExprKind::OpImpl && !l) return v.mkBool(true);
  const char* side2 = k == ExprKind::OpAnd ? "in the right operand of '&&'"
                      : k == ExprKind::OpOr ? "in the right operand of '||'"
                                            : "in the right operand of '->'";
  v.mkBool(evalBoolOperand(st, env, b.e2, side2));
}

[[gnu::noinline]] static void evalUpdate(EvalState& st, Env& env, ExprBinOp& b, Value& v) {
  Value v1, v2;
  const Bindings* a1 = evalAttrsOperand(st, env, b.e1, v1, "in the left operand of '//'");
  const Bindings* a2 = evalAttrsOperand(st, env, b.e2, v2, "in the right operand of '//'");
  if (a1->size == 0) return void(v = v2);
  if (a2->size == 0) return void(v = v1);
  Bindings* r = st.allocBindings(a1->size + a2->size);
  auto append = [&](const Attr* from, const Attr* to) {
    std::copy(from, to, r->attrs() + r->size);
    r->size += uint32_t(to - from);
  };
  auto byName = [](const Attr& a, Symbol n) { return a.name < n; };
  if (a2->size * 8 <= a1->size) {
    // A few attributes over a big set (`big // { x = 1; }`): the big one is copied in runs
    // between the places of the others, found by binary search.
    const Attr* i = a1->begin();
    for (const Attr& x : *a2) {
      const Attr* at = std::lower_bound(i, a1->end(), x.name, byName);
      append(i, at);
      r->attrs()[r->size++] = x;
      i = at != a1->end() && at->name == x.name ? at + 1 : at;
    }
    append(i, a1->end());
  } else if (a1->size * 8 <= a2->size) {
    // The other way round: the attributes of the small left set not overridden go between runs
    // of the big right one.
    const Attr* j = a2->begin();
    for (const Attr& x : *a1) {
      const Attr* at = std::lower_bound(j, a2->end(), x.name, byName);
      append(j, at);
      j = at;
      if (at == a2->end() || at->name != x.name) r->attrs()[r->size++] = x;
    }
    append(j, a2->end());
  } else {
    const Attr *i = a1->begin(), *j = a2->begin();
    while (i != a1->end() && j != a2->end()) {
      if (i->name == j->name) {
        r->attrs()[r->size++] = *j++;
        ++i;
      } else if (i->name < j->name) r->attrs()[r->size++] = *i++;
      else r->attrs()[r->size++] = *j++;
    }
    append(i, a1->end());
    append(j, a2->end());
  }
  v.mkAttrs(r);
}

[[gnu::noinline]] static void evalConcatLists(EvalState& st, Env& env, ExprBinOp& b, Value& v) {
  Value v1, v2;
  evalOperand(st, env, b.e1, v1, "in the left operand of '++'");
  st.forceList(v1, b.pos, "while evaluating one of the elements to concatenate");
  evalOperand(st, env, b.e2, v2, "in the right operand of '++'");
  st.forceList(v2, b.pos, "while evaluating one of the elements to concatenate");
  if (v1.listSize() == 0) return void(v = v2);
  if (v2.listSize() == 0) return void(v = v1);
  Value r;
  st.mkList(r, v1.listSize() + v2.listSize());
  std::copy_n(v1.listElems(), v1.listSize(), r.listElems());
  std::copy_n(v2.listElems(), v2.listSize(), r.listElems() + v1.listSize());
  v = r;
}

[[gnu::noinline]] static void evalCurPos(EvalState& st, Expr& e, Value& v) {
  st.mkPosAttrs(v, st.pos(e.pos));
}

void EvalState::evalCall(Env& env, ExprCall& c, Value& v) {
  Value vFun;
  eval(env, c.fun, vFun);
  Value* argsBuf[8];
  Value** args = c.args.size() <= 8 ? argsBuf : static_cast<Value**>(GC_MALLOC(c.args.size() * sizeof(Value*)));
  // Arguments the callee forces at once may be computed now (maybeThunkForced): all of them
  // for `-`, `<`, ... of ints, the first for a lambda that forces its argument first.
  size_t forced = 0;
  if (vFun.type() == ValueType::PrimOp) {
    if (vFun.primOp()->arity == c.args.size() && strictPrimOp(vFun.primOp())) forced = c.args.size();
  } else if (vFun.type() == ValueType::Lambda) {
    ExprLambda& l = *vFun.lambda();
    if (l.strictArg < 0) l.strictArg = l.hasFormals || forcesArgFirst(l.body, vFun.lambdaEnv());
    forced = l.strictArg;
  }
  for (size_t i = 0; i < c.args.size(); ++i)
    args[i] = i < forced ? maybeThunkForced(env, c.args[i]) : maybeThunk(env, c.args[i]);
  // A built-in given exactly its arguments (`a - b`, `a < b`, `f x` with f a one-argument
  // builtin) is called here: callFunction's steps, without its loop over partial
  // applications.
  if (vFun.type() == ValueType::PrimOp && vFun.primOp()->arity == c.args.size()) {
    const PrimOp* op = vFun.primOp();
    if (callDepth_++ > settings.maxCallDepth) {
      --callDepth_;
      throw StackOverflowError("stack overflow; max-call-depth exceeded", pos(c.pos));
    }
    Value res;
    try {
      op->fun(*this, noPos, args, res);
    } catch (EvalError& err) {
      --callDepth_;
      if (op->name != "addErrorContext") addTrace(err, c.pos, "while calling the '" + op->name + "' builtin");
      throw;
    } catch (...) {
      --callDepth_;
      throw;
    }
    --callDepth_;
    v = res;
    return;
  }
  callFunction(vFun, c.args.size(), args, v, c.pos);
}

// ---------------------------------------------------------------------------------------------

void EvalState::eval(Expr* e, Value& v) { eval(*baseEnv_, e, v); }

void EvalState::eval(Env& env, Expr* e, Value& v) {
  checkStack();
  switch (e->kind) {
  case ExprKind::Int: v.mkInt(static_cast<ExprInt*>(e)->n); return;
  case ExprKind::Float: v.mkFloat(static_cast<ExprFloat*>(e)->f); return;
  case ExprKind::String:
  case ExprKind::Path: v = *constantValue(e); return;
  case ExprKind::Var: {
    auto& var = static_cast<ExprVar&>(*e);
    Value* slot = lookupVar(*this, &env, var, false);
    forceValue(*slot, var.pos);
    v = *slot;
    return;
  }
  case ExprKind::InheritFrom: {
    Value* slot = env.values[static_cast<ExprInheritFrom*>(e)->displ];
    forceValue(*slot, e->pos);
    v = *slot;
    return;
  }
  case ExprKind::Select: return evalSelect(*this, env, static_cast<ExprSelect&>(*e), v);
  case ExprKind::OpHasAttr: return evalHasAttr(*this, env, static_cast<ExprOpHasAttr&>(*e), v);
  case ExprKind::Attrs: return evalAttrs(*this, env, static_cast<ExprAttrs&>(*e), v);
  case ExprKind::List: return evalList(*this, env, static_cast<ExprList&>(*e), v);
  case ExprKind::Lambda: v.mkLambda(captureEnv(env), static_cast<ExprLambda*>(e)); return;
  case ExprKind::Call:
    // The generic path would check max-call-depth for the builtin's call: so does this.
    if (mayBeReadyArith(e) && callDepth_ <= settings.maxCallDepth && evalReadyArith(env, e, v)) return;
    return evalCall(env, static_cast<ExprCall&>(*e), v);
  case ExprKind::Let: {
    auto& l = static_cast<ExprLet&>(*e);
    return eval(evalLetEnv(*this, env, l), l.body, v);
  }
  case ExprKind::With: {
    auto& w = static_cast<ExprWith&>(*e);
    return eval(evalWithEnv(*this, env, w), w.body, v);
  }
  case ExprKind::If: {
    auto& i = static_cast<ExprIf&>(*e);
    bool b = evalBoolOperand(*this, env, i.cond, "while evaluating a branch condition");
    return eval(env, b ? i.then : i.else_, v);
  }
  case ExprKind::Assert: {
    auto& a = static_cast<ExprAssert&>(*e);
    evalAssertion(*this, env, a);
    return eval(env, a.body, v);
  }
  case ExprKind::OpNot:
    v.mkBool(!evalBoolOperand(*this, env, static_cast<ExprOpNot*>(e)->e, "in the argument of '!'"));
    return;
  case ExprKind::OpEq:
  case ExprKind::OpNEq: return evalEq(*this, env, static_cast<ExprBinOp&>(*e), v);
  case ExprKind::OpAnd:
  case ExprKind::OpOr:
  case ExprKind::OpImpl: return evalLogic(*this, env, static_cast<ExprBinOp&>(*e), v);
  case ExprKind::OpUpdate: return evalUpdate(*this, env, static_cast<ExprBinOp&>(*e), v);
  case ExprKind::OpConcatLists: return evalConcatLists(*this, env, static_cast<ExprBinOp&>(*e), v);
  case ExprKind::ConcatStrings:
    if (mayBeReadyArith(e) && evalReadyArith(env, e, v)) return;
    return evalConcat(*this, env, static_cast<ExprConcatStrings&>(*e), v);
  case ExprKind::CurPos: return evalCurPos(*this, *e, v);
  }
}

// ---------------------------------------------------------------------------------------------
// Calls

// Whether `e` is a literal or a variable not bound by `with`: what maybeThunk returns as is.
static bool plainOperand(const Expr* a) {
  switch (a->kind) {
  case ExprKind::Int:
  case ExprKind::Float:
  case ExprKind::String:
  case ExprKind::Path: return true;
  case ExprKind::Var: return !static_cast<const ExprVar*>(a)->fromWith;
  default: return false;
  }
}

// Whether `e` has the shape evalReadyArith computes (`n - 1`, `a + b`, `i < 10`), so that
// maybeThunk makes no thunk of it when its operands are ints already.
static bool arithShape(const Expr* e) {
  if (e->kind == ExprKind::ConcatStrings) {
    auto* c = static_cast<const ExprConcatStrings*>(e);
    return !c->forceString && c->es.size() == 2 && plainOperand(c->es[0].second) && plainOperand(c->es[1].second);
  }
  if (e->kind != ExprKind::Call) return false;
  auto* c = static_cast<const ExprCall*>(e);
  return c->args.size() == 2 && plainOperand(c->fun) && c->fun->kind == ExprKind::Var && plainOperand(c->args[0]) &&
         plainOperand(c->args[1]);
}

// Whether evaluating `e` in an environment is unlikely to store a pointer to that environment in
// a heap object or in its result: it makes no thunks, lambdas or environments, except thunks of
// arithmetic on variables (`f (n - 1)`), which are usually computed at once. A stack
// environment is copied to the heap when it is captured after all (captureEnv), so this only
// decides where environments start. Anything not listed is assumed to capture.
static bool nonCapturing(const Expr* e) {
  auto operand = [](const Expr* a) {  // an argument of a call goes through maybeThunk
    return plainOperand(a) || arithShape(a);
  };
  auto names = [](const AttrPath& path) {
    for (auto& n : path)
      if (n.expr && !nonCapturing(n.expr)) return false;
    return true;
  };
  switch (e->kind) {
  case ExprKind::Int:
  case ExprKind::Float:
  case ExprKind::String:
  case ExprKind::Path:
  case ExprKind::Var:
  case ExprKind::CurPos: return true;
  case ExprKind::Select: {
    auto* s = static_cast<const ExprSelect*>(e);
    return nonCapturing(s->e) && names(s->path) && (!s->def || nonCapturing(s->def));
  }
  case ExprKind::OpHasAttr: {
    auto* h = static_cast<const ExprOpHasAttr*>(e);
    return nonCapturing(h->e) && names(h->path);
  }
  case ExprKind::Call: {
    auto* c = static_cast<const ExprCall*>(e);
    if (!nonCapturing(c->fun)) return false;
    for (auto* a : c->args)
      if (!operand(a)) return false;
    return true;
  }
  case ExprKind::If: {
    auto* i = static_cast<const ExprIf*>(e);
    return nonCapturing(i->cond) && nonCapturing(i->then) && nonCapturing(i->else_);
  }
  case ExprKind::Assert: {
    auto* a = static_cast<const ExprAssert*>(e);
    return nonCapturing(a->cond) && nonCapturing(a->body);
  }
  case ExprKind::OpNot: return nonCapturing(static_cast<const ExprOpNot*>(e)->e);
  case ExprKind::OpEq:
  case ExprKind::OpNEq:
  case ExprKind::OpAnd:
  case ExprKind::OpOr:
  case ExprKind::OpImpl:
  case ExprKind::OpUpdate:
  case ExprKind::OpConcatLists: {
    auto* b = static_cast<const ExprBinOp*>(e);
    return nonCapturing(b->e1) && nonCapturing(b->e2);
  }
  case ExprKind::ConcatStrings:
    for (auto& [p, x] : static_cast<const ExprConcatStrings*>(e)->es)
      if (!nonCapturing(x)) return false;
    return true;
  default: return false;
  }
}

// ExprLambda::stackChain, computed once.
static int stackChain(ExprLambda& l) {
  if (l.stackChain < 0) {
    int k = 0;
    if (!l.hasFormals) {
      if (nonCapturing(l.body)) k = 1;
      else if (l.body->kind == ExprKind::Lambda) {
        int inner = stackChain(*static_cast<ExprLambda*>(l.body));
        if (inner > 0 && inner < 100) k = inner + 1;
      }
    }
    l.stackChain = int8_t(k);
  }
  return l.stackChain;
}

// Fills `env2`, the environment of a call of `l` (a lambda with formals), from the set `arg`.
[[gnu::noinline]] static void bindFormals(EvalState& st, ExprLambda& l, Env& env2, Value& arg, PosIdx pos) {
  Bindings* a;
  try {
    a = st.forceAttrs(arg, pos, "while evaluating the value passed for the lambda argument");
  } catch (EvalError& err) {
    if (pos) st.addTrace(err, pos, "from call site");
    throw;
  }
  uint32_t displ = 0;
  if (l.arg) env2.values[displ++] = &arg;
  size_t used = 0;
  for (auto& f : l.formals) {
    if (auto* j = a->get(f.name)) {
      ++used;
      env2.values[displ++] = j->value;
    } else if (f.def) {
      env2.values[displ++] = st.maybeThunk(env2, f.def);
    } else {
      MissingArgumentError err("function '" + lambdaDisplayName(st, l) + "' called without required argument '" +
                                   std::string(st.name(f.name)) + "'",
                               st.pos(l.pos));
      if (pos) st.addTrace(err, pos, "from call site");
      throw err;
    }
  }
  if (!l.ellipsis && used != a->size) {
    for (auto& attr : *a) {
      bool known = std::any_of(l.formals.begin(), l.formals.end(), [&](const Formal& f) { return f.name == attr.name; });
      if (known) continue;
      EvalError err("function '" + lambdaDisplayName(st, l) + "' called with unexpected argument '" +
                        std::string(st.name(attr.name)) + "'",
                    st.pos(l.pos));
      std::vector<std::string> formalNames;
      for (auto& f : l.formals) formalNames.emplace_back(st.name(f.name));
      err.suggestion = suggest(st.name(attr.name), formalNames);
      if (pos) st.addTrace(err, pos, "from call site");
      throw err;
    }
  }
}

Env* EvalState::promoteEnv(Env& env) {
  if (GC_is_heap_ptr(&env)) return &env;  // a heap environment near the stack after all
  auto* forward = reinterpret_cast<Env**>(&env) - 1;
  if (!*forward) {
    Env& heap = allocEnv(1);
    heap.up = captureEnv(*env.up);
    heap.values[0] = env.values[0];
    *forward = &heap;
  }
  return *forward;
}

void EvalState::callFunction(Value& fun, size_t nargs, Value** args, Value& vRes, PosIdx pos) {
  checkStack();
  // As Nix: the check comes before the increment, so max-call-depth + 1 calls may nest.
  if (callDepth_++ > settings.maxCallDepth) {
    --callDepth_;
    throw StackOverflowError("stack overflow; max-call-depth exceeded", this->pos(pos));
  }
  struct DepthGuard {
    size_t& d;
    ~DepthGuard() { --d; }
  } guard{callDepth_};

  Value vCur = fun;
  forceValue(vCur, pos);
  while (nargs > 0) {
    if (vCur.type() == ValueType::Lambda) {
      ExprLambda& l = *vCur.lambda();
      Env* env2;
      if (l.hasFormals) {
        env2 = &allocEnv((l.arg ? 1 : 0) + l.formals.size());
        env2->up = captureEnv(*vCur.lambdaEnv());
        bindFormals(*this, l, *env2, *args[0], pos);
      } else if (int chain = stackChain(l); chain > 0 && size_t(chain) <= nargs) {
        // A lambda (or chain of lambdas) that gets its argument here and is unlikely to
        // capture its environment: the environment lives in this frame, scanned by the GC as
        // part of the stack, with the word before it for its heap copy (see captureEnv), and
        // 16-byte aligned as values' pointers must be. Its `up` may be the stack environment of
        // the previous lambda of the chain.
        auto** mem = static_cast<Env**>(__builtin_alloca(4 * sizeof(void*)));
        mem[1] = nullptr;
        env2 = reinterpret_cast<Env*>(mem + 2);
        env2->up = vCur.lambdaEnv();
        env2->values[0] = args[0];
      } else {
        env2 = &allocEnv(1);
        env2->up = captureEnv(*vCur.lambdaEnv());
        env2->values[0] = args[0];
      }
      if (nargs > 1 && l.body->kind == ExprKind::Lambda) {
        // `a: b: ...` given both: the inner lambda is only applied in the next round, never
        // kept, so it may refer to a stack environment.
        vCur.mkLambda(env2, static_cast<ExprLambda*>(l.body));
        --nargs;
        ++args;
        continue;
      }
      try {
        eval(*env2, l.body, vCur);
      } catch (EvalError& err) {
        if (settings.showTrace) {
          addTrace(err, l.pos, "while calling " + lambdaName(*this, l));
          if (pos) addTrace(err, pos, "from call site");
        }
        throw;
      }
      --nargs;
      ++args;
    } else if (vCur.type() == ValueType::PrimOp || vCur.type() == ValueType::PrimOpApp) {
      // Count the arguments already applied.
      size_t applied = 0;
      Value* p = &vCur;
      while (p->type() == ValueType::PrimOpApp) {
        ++applied;
        p = p->primOpAppLeft();
      }
      const PrimOp* op = p->primOp();
      size_t need = op->arity - applied;
      if (nargs < need) {
        for (size_t i = 0; i < nargs; ++i) {
          Value* left = allocValue();
          *left = vCur;
          vCur.mkPrimOpApp(left, args[i]);
        }
        break;
      }
      Value* vArgs[8];
      Value** all = op->arity <= 8 ? vArgs : static_cast<Value**>(GC_MALLOC(op->arity * sizeof(Value*)));
      p = &vCur;
      for (size_t i = applied; i > 0; --i) {
        all[i - 1] = p->primOpAppRight();
        p = p->primOpAppLeft();
      }
      for (size_t i = 0; i < need; ++i) all[applied + i] = args[i];
      try {
        // As in Nix, a primop gets no position: its errors and frames show none; the call
        // site is the frame added here.
        op->fun(*this, noPos, all, vCur);
      } catch (EvalError& err) {
        if (op->name != "addErrorContext") addTrace(err, pos, "while calling the '" + op->name + "' builtin");
        throw;
      }
      nargs -= need;
      args += need;
    } else if (vCur.type() == ValueType::Attrs && vCur.attrs()->get(s.functor)) {
      Value* functor = vCur.attrs()->get(s.functor)->value;
      Value* self = allocValue();
      *self = vCur;
      Value* fargs[2] = {self, args[0]};
      try {
        callFunction(*functor, 2, fargs, vCur, pos);
      } catch (EvalError& err) {
        addTrace(err, pos, "while calling a functor (an attribute set with a '__functor' attribute)");
        throw;
      }
      --nargs;
      ++args;
    } else {
      throw TypeError("attempt to call something which is not a function but " + showType(vCur) + ": " +
                          printValueForError(*this, vCur),
                      this->pos(pos));
    }
    if (nargs > 0) forceValue(vCur, pos);
  }
  vRes = vCur;
}

void EvalState::autoCallFunction(Bindings* args, Value& fun, Value& res) {
  forceValue(fun, noPos);
  if (fun.type() == ValueType::Attrs && fun.attrs()->get(s.functor)) {
    Value* v = allocValue();
    callFunction(*fun.attrs()->get(s.functor)->value, fun, *v, noPos);
    forceValue(*v, noPos);
    return autoCallFunction(args, *v, res);
  }
  if (fun.type() != ValueType::Lambda || !fun.lambda()->hasFormals) {
    res = fun;
    return;
  }
  ExprLambda& l = *fun.lambda();
  Bindings* actual = allocBindings(std::max<size_t>(args->size, l.formals.size()));
  if (l.ellipsis) {
    for (auto& a : *args) actual->push(a.name, a.value, a.pos);
  } else {
    for (auto& f : l.formals)
      if (auto* a = args->get(f.name)) actual->push(a->name, a->value, a->pos);
  }
  for (auto& f : l.formals)
    if (!f.def && !args->get(f.name))
      throw MissingArgumentError("cannot evaluate a function that has an argument without a value ('" +
                                     std::string(name(f.name)) +
                                     "')\n       Nix attempted to evaluate a function as a top level expression; in\n"
                                     "       this case it must have its arguments supplied either by default\n"
                                     "       values, or passed explicitly with '--arg' or '--argstr'. See\n"
                                     "       https://nix.dev/manual/nix/stable/language/constructs.html#functions.",
                                 pos(f.pos));
  actual->sort();
  Value vArgs;
  vArgs.mkAttrs(actual);
  Value* pa = allocValue();
  *pa = vArgs;
  callFunction(fun, *pa, res, l.pos);
}

} // namespace nixpp
