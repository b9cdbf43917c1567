// expr/eval.cc: evaluation of the AST (one switch over node kinds) and function calls.
#include "expr/eval.h"

#include <gc/gc.h>

#include <algorithm>
#include <cstring>

#include "expr/parser.h"
#include "expr/print.h"

namespace nixpp {

namespace {

std::string lambdaName(const EvalState& st, const ExprLambda& l) {
  return l.name ? "'" + std::string(st.name(l.name)) + "'" : "anonymous lambda";
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Variables

static Value* lookupVar(EvalState& st, Env* env, const ExprVar& var, bool noEval) {
  for (uint32_t l = var.level; l; --l) env = env->up;
  if (!var.fromWith) return env->values[var.displ];
  if (noEval) return nullptr;
  while (true) {
    Value* attrsV = env->values[0];
    Bindings* b = st.forceAttrs(*attrsV, var.pos, "while evaluating the first subexpression of a with expression");
    if (auto* a = b->get(var.name)) return a->value;
    if (!env->prevWith)
      throw UndefinedVarError("undefined variable '" + std::string(st.name(var.name)) + "'", st.pos(var.pos));
    for (uint32_t l = env->prevWith; l; --l) env = env->up;
  }
}

Value* EvalState::maybeThunk(Env& env, Expr* e) {
  switch (e->kind) {
  case ExprKind::Int:
  case ExprKind::Float:
  case ExprKind::String:
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
  for (auto& n : path) {
    if (!out.empty()) out += '.';
    if (n.symbol) printIdentifier(st.name(n.symbol), out);
    else {
      try {
        printIdentifier(st.name(attrNameOf(st, env, n)), out);
      } catch (EvalError&) {
        out += "\"${...}\"";
      }
    }
  }
  return out;
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
      Bindings* o = st.forceAttrs(*ov->value, ov->pos, "while evaluating the `__overrides` attribute");
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
    st.eval(env, e, tmp);
    st.forceValue(tmp, pos);
    if (first) {
      firstType = tmp.type();
      first = false;
      if (firstType == ValueType::Int) { n = tmp.integer(); continue; }
      if (firstType == ValueType::Float) { nf = tmp.fpoint(); continue; }
      if (firstType != ValueType::Path) firstType = ValueType::String;
    } else if (firstType == ValueType::Int) {
      if (tmp.type() == ValueType::Int) {
        if (__builtin_add_overflow(n, tmp.integer(), &n))
          throw EvalError("integer overflow in adding " + std::to_string(n) + " + " + std::to_string(tmp.integer()), st.pos(pos));
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
    eval(env, sel.e, vTmp);
    try {
      for (auto& n : sel.path) {
        Symbol name = attrNameOf(*this, env, n);
        if (sel.def) {
          forceValue(*cur, sel.pos);
          const Attr* a = cur->type() == ValueType::Attrs ? cur->attrs()->get(name) : nullptr;
          if (!a) {
            eval(env, sel.def, v);
            return;
          }
          cur = a->value;
        } else {
          Bindings* b = forceAttrs(*cur, sel.pos, "while selecting an attribute");
          const Attr* a = b->get(name);
          if (!a) throw EvalError("attribute '" + std::string(this->name(name)) + "' missing", pos(sel.pos));
          cur = a->value;
        }
      }
      forceValue(*cur, sel.pos);
    } catch (EvalError& err) {
      if (settings.showTrace) addTrace(err, sel.pos, "while evaluating the attribute '" + showAttrPath(*this, env, sel.path) + "'");
      throw;
    }
    v = *cur;
    return;
  }
  case ExprKind::OpHasAttr: {
    auto& h = static_cast<ExprOpHasAttr&>(*e);
    Value vTmp;
    Value* cur = &vTmp;
    eval(env, h.e, vTmp);
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
    env2.prevWith = w.prevWith;
    env2.values[0] = maybeThunk(env, w.attrs);
    eval(env2, w.body, v);
    return;
  }
  case ExprKind::If: {
    auto& i = static_cast<ExprIf&>(*e);
    Value c;
    eval(env, i.cond, c);
    bool b = forceBool(c, i.cond->pos ? i.cond->pos : i.pos, "while evaluating a branch condition");
    eval(env, b ? i.then : i.else_, v);
    return;
  }
  case ExprKind::Assert: {
    auto& a = static_cast<ExprAssert&>(*e);
    Value c;
    eval(env, a.cond, c);
    if (!forceBool(c, a.pos, "in the condition of the assert statement")) {
      std::string text;
      showExpr(*a.cond, symbols, text);
      throw AssertionError("assertion '" + text + "' failed", pos(a.pos));
    }
    eval(env, a.body, v);
    return;
  }
  case ExprKind::OpNot: {
    Value c;
    eval(env, static_cast<ExprOpNot*>(e)->e, c);
    v.mkBool(!forceBool(c, e->pos, "in the argument of the not operator"));
    return;
  }
  case ExprKind::OpEq:
  case ExprKind::OpNEq: {
    auto& b = static_cast<ExprBinOp&>(*e);
    Value v1, v2;
    eval(env, b.e1, v1);
    eval(env, b.e2, v2);
    bool eq = eqValues(v1, v2, b.pos, "while testing two values for equality");
    v.mkBool(e->kind == ExprKind::OpEq ? eq : !eq);
    return;
  }
  case ExprKind::OpAnd:
  case ExprKind::OpOr:
  case ExprKind::OpImpl: {
    auto& b = static_cast<ExprBinOp&>(*e);
    Value v1;
    eval(env, b.e1, v1);
    const char* side1 = e->kind == ExprKind::OpAnd ? "in the left operand of the AND (&&) operator"
                        : e->kind == ExprKind::OpOr ? "in the left operand of the OR (||) operator"
                                                    : "in the left operand of the IMPL (->) operator";
    bool l = forceBool(v1, b.pos, side1);
    if (e->kind == ExprKind::OpAnd && !l) return v.mkBool(false);
    if (e->kind == ExprKind::OpOr && l) return v.mkBool(true);
    if (e->kind == ExprKind::OpImpl && !l) return v.mkBool(true);
    Value v2;
    eval(env, b.e2, v2);
    const char* side2 = e->kind == ExprKind::OpAnd ? "in the right operand of the AND (&&) operator"
                        : e->kind == ExprKind::OpOr ? "in the right operand of the OR (||) operator"
                                                    : "in the right operand of the IMPL (->) operator";
    v.mkBool(forceBool(v2, b.pos, side2));
    return;
  }
  case ExprKind::OpUpdate: {
    auto& b = static_cast<ExprBinOp&>(*e);
    Value v1, v2;
    eval(env, b.e1, v1);
    eval(env, b.e2, v2);
    Bindings* a1 = forceAttrs(v1, b.pos, "in the left operand of the update (//) operator");
    Bindings* a2 = forceAttrs(v2, b.pos, "in the right operand of the update (//) operator");
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
    eval(env, b.e1, v1);
    forceList(v1, b.pos, "in the left operand of the list concatenation operator");
    eval(env, b.e2, v2);
    forceList(v2, b.pos, "in the right operand of the list concatenation operator");
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

void EvalState::callFunction(Value& fun, size_t nargs, Value** args, Value& vRes, PosIdx pos) {
  checkStack();
  if (++callDepth_ > settings.maxCallDepth) {
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
      Env& env2 = allocEnv((l.arg ? 1 : 0) + l.formals.size());
      env2.up = vCur.lambdaEnv();
      uint32_t displ = 0;
      if (!l.hasFormals) {
        env2.values[displ++] = args[0];
      } else {
        Bindings* a;
        try {
          a = forceAttrs(*args[0], pos, "while evaluating the value passed for the lambda argument");
        } catch (EvalError& err) {
          if (settings.showTrace && pos) addTrace(err, pos, "from call site");
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
            MissingArgumentError err("function " + lambdaName(*this, l) + " called without required argument '" +
                                         std::string(name(f.name)) + "'",
                                     this->pos(l.pos));
            if (settings.showTrace && pos) addTrace(err, pos, "from call site");
            throw err;
          }
        }
        if (!l.ellipsis && used != a->size) {
          for (auto& attr : *a) {
            bool known = std::any_of(l.formals.begin(), l.formals.end(), [&](const Formal& f) { return f.name == attr.name; });
            if (known) continue;
            EvalError err("function " + lambdaName(*this, l) + " called with unexpected argument '" +
                              std::string(name(attr.name)) + "'",
                          this->pos(l.pos));
            if (settings.showTrace && pos) addTrace(err, pos, "from call site");
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
        op->fun(*this, pos, all, vCur);
      } catch (EvalError& err) {
        if (settings.showTrace) addTrace(err, pos, "while calling the '" + op->name + "' builtin");
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
        if (settings.showTrace) addTrace(err, pos, "while calling a functor (an attribute set with a '__functor' attribute)");
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
