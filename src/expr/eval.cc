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
  Value* v = allocValue();
  v->mkThunk(&env, e);
  return v;
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
  ie.up = &evalIn;
  for (size_t i = 0; i < a.inheritFromExprs.size(); ++i) ie.values[i] = st.maybeThunk(evalIn, a.inheritFromExprs[i]);
  return &ie;
}

static void evalAttrs(EvalState& st, Env& env, ExprAttrs& a, Value& v) {
  Bindings* b = st.allocBindings(a.attrs.size() + a.dynamicAttrs.size());
  b->pos = a.pos;
  Env* dynEnv = &env;
  if (a.recursive) {
    Env& env2 = st.allocEnv(a.attrs.size());
    env2.up = &env;
    dynEnv = &env2;
    Env* ie = makeInheritFromEnv(st, a, env2);
    for (auto& d : a.attrs) {
      Value* val = d.kind == AttrDef::Kind::Plain       ? st.maybeThunk(env2, d.e)
                   : d.kind == AttrDef::Kind::Inherited ? st.maybeThunk(env, d.e)
                                                        : st.maybeThunk(*ie, d.e);
      env2.values[d.displ] = val;
      b->push(d.name, val, d.pos);
    }
    // `__overrides` (a deprecated feature): its attributes replace or extend the set, and the
    // replaced ones are seen by the other attributes through the environment.
    if (auto* ov = b->get(st.symbol("__overrides"))) {
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

static void evalConcat(EvalState& st, Env& env, ExprConcatStrings& c, Value& v) {
  NixStringContext context;
  std::string s;
  ValueType firstType = ValueType::String;
  int64_t n = 0;
  double nf = 0;
  bool first = !c.forceString;
  for (auto& [pos, e] : c.es) {
    Value tmp;
    if (c.forceString) st.eval(env, e, tmp);
    else evalOperand(st, env, e, tmp, "in an operand of '+'");
    if (first) {
      firstType = tmp.type();
      first = false;
      if (firstType == ValueType::Int) { n = tmp.integer(); continue; }
      if (firstType == ValueType::Float) { nf = tmp.fpoint(); continue; }
      if (firstType != ValueType::Path) firstType = ValueType::String;
    } else if (firstType == ValueType::Int) {
      if (tmp.type() == ValueType::Int) {
        int64_t sum;
        if (__builtin_add_overflow(n, tmp.integer(), &sum))
          throw EvalError("integer overflow in adding " + std::to_string(n) + " + " + std::to_string(tmp.integer()), st.pos(pos));
        n = sum;
        continue;
      }
      if (tmp.type() == ValueType::Float) {
        firstType = ValueType::Float;
        nf = double(n) + tmp.fpoint();
        continue;
      }
      throw EvalError("cannot add " + st.showType(tmp) + " to an integer", st.pos(pos));
    } else if (firstType == ValueType::Float) {
      if (tmp.type() == ValueType::Int) { nf += double(tmp.integer()); continue; }
      if (tmp.type() == ValueType::Float) { nf += tmp.fpoint(); continue; }
      throw EvalError("cannot add " + st.showType(tmp) + " to a float", st.pos(pos));
    }
    s += st.coerceToString(pos, tmp, context, "while evaluating a path segment", false, firstType == ValueType::String);
  }
  if (firstType == ValueType::Int) v.mkInt(n);
  else if (firstType == ValueType::Float) v.mkFloat(nf);
  else if (firstType == ValueType::Path) {
    if (!context.empty())
      throw EvalError("a string that refers to a store path cannot be appended to a path", st.pos(c.pos));
    st.mkPath(v, canonPath(s));
  } else st.mkString(v, s, context);
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
  case ExprKind::Select: {
    auto& sel = static_cast<ExprSelect&>(*e);
    Value vTmp;
    Value* cur = &vTmp;
    if (sel.def) eval(env, sel.e, vTmp);
    else evalAttrsOperand(*this, env, sel.e, vTmp, "while selecting an attribute");
    PosIdx pos2;  // where the attribute selected last was defined
    Symbol name2;
    try {
      for (auto& n : sel.path) {
        Symbol name = attrNameOf(*this, env, n);
        const Attr* a;
        if (sel.def) {
          forceValue(*cur, sel.pos);
          a = cur->type() == ValueType::Attrs ? cur->attrs()->get(name) : nullptr;
          if (!a) {
            eval(env, sel.def, v);
            return;
          }
        } else {
          Bindings* b = forceAttrs(*cur, sel.pos, "while selecting an attribute");
          a = b->get(name);
          if (!a) {
            EvalError err("attribute '" + std::string(this->name(name)) + "' missing", Pos{});
            std::vector<std::string> names;
            for (auto& x : *b) names.emplace_back(this->name(x.name));
            err.suggestion = suggest(this->name(name), names);
            throw err;
          }
        }
        cur = a->value;
        pos2 = a->pos;
        name2 = name;
      }
      forceValue(*cur, pos2 ? pos2 : sel.pos);
    } catch (EvalError& err) {
      if (pos2) addTrace(err, pos2, "from the definition of '" + std::string(name(name2)) + "'");
      addTrace(err, sel.pos, "while evaluating the attribute '" + showAttrPath(*this, env, sel.path) + "'");
      throw;
    }
    v = *cur;
    return;
  }
  case ExprKind::OpHasAttr: {
    auto& h = static_cast<ExprOpHasAttr&>(*e);
    Value vTmp;
    Value* cur = &vTmp;
    evalOperand(*this, env, h.e, vTmp, "in the argument of '?'");
    for (auto& n : h.path) {
      forceValue(*cur, h.pos);
      const Attr* a = nullptr;
      if (cur->type() != ValueType::Attrs || !(a = cur->attrs()->get(attrNameOf(*this, env, n)))) {
        v.mkBool(false);
        return;
      }
      cur = a->value;
    }
    v.mkBool(true);
    return;
  }
  case ExprKind::Attrs: evalAttrs(*this, env, static_cast<ExprAttrs&>(*e), v); return;
  case ExprKind::List: {
    auto& l = static_cast<ExprList&>(*e);
    Value tmp;
    mkList(tmp, l.elems.size());
    for (size_t i = 0; i < l.elems.size(); ++i) tmp.listElems()[i] = maybeThunk(env, l.elems[i]);
    v = tmp;
    return;
  }
  case ExprKind::Lambda: v.mkLambda(&env, static_cast<ExprLambda*>(e)); return;
  case ExprKind::Call: {
    auto& c = static_cast<ExprCall&>(*e);
    Value vFun;
    eval(env, c.fun, vFun);
    Value* argsBuf[8];
    Value** args = c.args.size() <= 8 ? argsBuf : static_cast<Value**>(GC_MALLOC(c.args.size() * sizeof(Value*)));
    for (size_t i = 0; i < c.args.size(); ++i) args[i] = maybeThunk(env, c.args[i]);
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
    return;
  }
  case ExprKind::Let: {
    auto& l = static_cast<ExprLet&>(*e);
    Env& env2 = allocEnv(l.attrs->attrs.size());
    env2.up = &env;
    Env* ie = makeInheritFromEnv(*this, *l.attrs, env2);
    for (auto& d : l.attrs->attrs)
      env2.values[d.displ] = d.kind == AttrDef::Kind::Plain       ? maybeThunk(env2, d.e)
                             : d.kind == AttrDef::Kind::Inherited ? maybeThunk(env, d.e)
                                                                  : maybeThunk(*ie, d.e);
    eval(env2, l.body, v);
    return;
  }
  case ExprKind::With: {
    auto& w = static_cast<ExprWith&>(*e);
    Env& env2 = allocEnv(1);
    env2.up = &env;
    env2.values[0] = maybeThunk(env, w.attrs);
    eval(env2, w.body, v);
    return;
  }
  case ExprKind::If: {
    auto& i = static_cast<ExprIf&>(*e);
    bool b = evalBoolOperand(*this, env, i.cond, "while evaluating a branch condition");
    eval(env, b ? i.then : i.else_, v);
    return;
  }
  case ExprKind::Assert: {
    auto& a = static_cast<ExprAssert&>(*e);
    Value c;
    bool ok;
    std::string text;
    try {
      eval(env, a.cond, c);
      if (c.type() != ValueType::Bool) typeError("a Boolean", c, a.cond->pos, "", true);
      ok = c.boolean();
      if (!ok) {
        showExpr(*a.cond, symbols, text);
        // `assert a == b`: say how they differ, as Nix does.
        if (a.cond->kind == ExprKind::OpEq) {
          auto& eq = static_cast<ExprBinOp&>(*a.cond);
          Value v1, v2;
          eval(env, eq.e1, v1);
          eval(env, eq.e2, v2);
          assertEqValues(v1, v2, eq.pos, "");
        }
      }
    } catch (EvalError& err) {
      if (text.empty()) showExpr(*a.cond, symbols, text);
      addTrace(err, a.pos, "while evaluating the condition of the assertion '" + text + "'");
      throw;
    }
    if (!ok) throw AssertionError("assertion '" + text + "' failed", pos(a.pos));
    eval(env, a.body, v);
    return;
  }
  case ExprKind::OpNot: {
    v.mkBool(!evalBoolOperand(*this, env, static_cast<ExprOpNot*>(e)->e, "in the argument of '!'"));
    return;
  }
  case ExprKind::OpEq:
  case ExprKind::OpNEq: {
    auto& b = static_cast<ExprBinOp&>(*e);
    Value v1, v2;
    bool isEq = e->kind == ExprKind::OpEq;
    evalOperand(*this, env, b.e1, v1, isEq ? "in the left operand of '=='" : "in the left operand of '!='");
    evalOperand(*this, env, b.e2, v2, isEq ? "in the right operand of '=='" : "in the right operand of '!='");
    bool eq = eqValues(v1, v2, b.pos, "while testing two values for equality");
    v.mkBool(e->kind == ExprKind::OpEq ? eq : !eq);
    return;
  }
  case ExprKind::OpAnd:
  case ExprKind::OpOr:
  case ExprKind::OpImpl: {
    auto& b = static_cast<ExprBinOp&>(*e);
    const char* side1 = e->kind == ExprKind::OpAnd ? "in the left operand of '&&'"
                        : e->kind == ExprKind::OpOr ? "in the left operand of '||'"
                                                    : "in the left operand of '->'";
    bool l = evalBoolOperand(*this, env, b.e1, side1);
    if (e->kind == ExprKind::OpAnd && !l) return v.mkBool(false);
    if (e->kind == ExprKind::OpOr && l) return v.mkBool(true);
    if (e->kind == ExprKind::OpImpl && !l) return v.mkBool(true);
    const char* side2 = e->kind == ExprKind::OpAnd ? "in the right operand of '&&'"
                        : e->kind == ExprKind::OpOr ? "in the right operand of '||'"
                                                    : "in the right operand of '->'";
    v.mkBool(evalBoolOperand(*this, env, b.e2, side2));
    return;
  }
  case ExprKind::OpUpdate: {
    auto& b = static_cast<ExprBinOp&>(*e);
    Value v1, v2;
    Bindings* a1 = evalAttrsOperand(*this, env, b.e1, v1, "in the left operand of '//'");
    Bindings* a2 = evalAttrsOperand(*this, env, b.e2, v2, "in the right operand of '//'");
    if (a1->size == 0) return void(v = v2);
    if (a2->size == 0) return void(v = v1);
    Bindings* r = allocBindings(a1->size + a2->size);
    const Attr *i = a1->begin(), *j = a2->begin();
    while (i != a1->end() && j != a2->end()) {
      if (i->name == j->name) {
        r->attrs()[r->size++] = *j++;
        ++i;
      } else if (i->name < j->name) r->attrs()[r->size++] = *i++;
      else r->attrs()[r->size++] = *j++;
    }
    while (i != a1->end()) r->attrs()[r->size++] = *i++;
    while (j != a2->end()) r->attrs()[r->size++] = *j++;
    v.mkAttrs(r);
    return;
  }
  case ExprKind::OpConcatLists: {
    auto& b = static_cast<ExprBinOp&>(*e);
    Value v1, v2;
    evalOperand(*this, env, b.e1, v1, "in the left operand of '++'");
    forceList(v1, b.pos, "while evaluating one of the elements to concatenate");
    evalOperand(*this, env, b.e2, v2, "in the right operand of '++'");
    forceList(v2, b.pos, "while evaluating one of the elements to concatenate");
    if (v1.listSize() == 0) return void(v = v2);
    if (v2.listSize() == 0) return void(v = v1);
    Value r;
    mkList(r, v1.listSize() + v2.listSize());
    std::copy_n(v1.listElems(), v1.listSize(), r.listElems());
    std::copy_n(v2.listElems(), v2.listSize(), r.listElems() + v1.listSize());
    v = r;
    return;
  }
  case ExprKind::ConcatStrings: evalConcat(*this, env, static_cast<ExprConcatStrings&>(*e), v); return;
  case ExprKind::CurPos: {
    Pos p = pos(e->pos);
    Bindings* b = allocBindings(3);
    Value* file = allocValue();
    mkString(*file, p.origin ? p.origin->display() : "");
    Value* line = allocValue();
    line->mkInt(p.line);
    Value* col = allocValue();
    col->mkInt(p.column);
    b->push(s.file, file);
    b->push(s.line, line);
    b->push(s.column, col);
    b->sort();
    v.mkAttrs(b);
    return;
  }
  }
}

// ---------------------------------------------------------------------------------------------
// Calls

// Whether evaluating `e` in an environment can never store a pointer to that environment in a
// heap object or in its result: no thunks, lambdas, or environments made in it. Conservative:
// anything not listed is assumed to capture.
static bool nonCapturing(const Expr* e) {
  auto operand = [](const Expr* a) {  // an argument of a call goes through maybeThunk
    switch (a->kind) {
    case ExprKind::Int:
    case ExprKind::Float:
    case ExprKind::String:
    case ExprKind::Path: return true;
    case ExprKind::Var: return !static_cast<const ExprVar*>(a)->fromWith;
    default: return false;
    }
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
      // A chain of lambdas that all get their argument here and capture nothing: the
      // environments live in this frame (scanned by the GC as part of the stack).
      int chain = stackChain(l);
      Env& env2 = chain > 0 && size_t(chain) <= nargs ? *static_cast<Env*>(__builtin_alloca(sizeof(Env)))
                                                      : allocEnv((l.arg ? 1 : 0) + l.formals.size());
      env2.up = vCur.lambdaEnv();
      uint32_t displ = 0;
      if (!l.hasFormals) {
        env2.values[displ++] = args[0];
      } else {
        Bindings* a;
        try {
          a = forceAttrs(*args[0], pos, "while evaluating the value passed for the lambda argument");
        } catch (EvalError& err) {
          if (pos) addTrace(err, pos, "from call site");
          throw;
        }
        if (l.arg) env2.values[displ++] = args[0];
        size_t used = 0;
        for (auto& f : l.formals) {
          if (auto* j = a->get(f.name)) {
            ++used;
            env2.values[displ++] = j->value;
          } else if (f.def) {
            env2.values[displ++] = maybeThunk(env2, f.def);
          } else {
            MissingArgumentError err("function '" + lambdaDisplayName(*this, l) +
                                         "' called without required argument '" + std::string(name(f.name)) + "'",
                                     this->pos(l.pos));
            if (pos) addTrace(err, pos, "from call site");
            throw err;
          }
        }
        if (!l.ellipsis && used != a->size) {
          for (auto& attr : *a) {
            bool known = std::any_of(l.formals.begin(), l.formals.end(), [&](const Formal& f) { return f.name == attr.name; });
            if (known) continue;
            EvalError err("function '" + lambdaDisplayName(*this, l) + "' called with unexpected argument '" +
                              std::string(name(attr.name)) + "'",
                          this->pos(l.pos));
            std::vector<std::string> formalNames;
            for (auto& f : l.formals) formalNames.emplace_back(name(f.name));
            err.suggestion = suggest(name(attr.name), formalNames);
            if (pos) addTrace(err, pos, "from call site");
            throw err;
          }
        }
      }
      try {
        eval(env2, l.body, vCur);
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
