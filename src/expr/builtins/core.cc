// expr/builtins/core.cc: the builtins the language itself relies on: arithmetic and comparison
// operators, types, control (throw, abort, seq, tryEval, trace), import and the search path, and
// the constants (true, false, null, nixVersion, ...).
#include <charconv>
#include <chrono>
#include <cmath>
#include <iostream>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/parser.h"
#include "expr/print.h"
#include "util/strings.h"
#include "util/version.h"

namespace nixpp {

// Nix's `<`: numbers, strings, paths, lists (lexicographic).
bool lessThan(EvalState& st, Value& a, Value& b, PosIdx pos) {
  st.forceValue(a, pos);
  st.forceValue(b, pos);
  auto ta = a.type(), tb = b.type();
  if (ta == ValueType::Int && tb == ValueType::Int) return a.integer() < b.integer();
  if ((ta == ValueType::Int || ta == ValueType::Float) && (tb == ValueType::Int || tb == ValueType::Float)) {
    double x = ta == ValueType::Int ? double(a.integer()) : a.fpoint();
    double y = tb == ValueType::Int ? double(b.integer()) : b.fpoint();
    return x < y;
  }
  if (ta == ValueType::String && tb == ValueType::String) return a.string_view() < b.string_view();
  if (ta == ValueType::Path && tb == ValueType::Path) return a.path()->view() < b.path()->view();
  if (ta == ValueType::List && tb == ValueType::List) {
    for (size_t i = 0;; ++i) {
      if (i == b.listSize()) return false;
      if (i == a.listSize()) return true;
      if (!st.eqValues(*a.listElems()[i], *b.listElems()[i], pos, "")) {
        try {
          return lessThan(st, *a.listElems()[i], *b.listElems()[i], pos);
        } catch (EvalError& e) {
          e.addTrace(Pos{}, "while comparing two list elements");
          throw;
        }
      }
    }
  }
  if (ta == tb)
    throw EvalError("cannot compare " + st.showType(a) + " with " + st.showType(b) +
                        "; values of that type are incomparable (values are " + printValueForError(st, a) + " and " +
                        printValueForError(st, b) + ")",
                    st.pos(pos));
  throw EvalError("cannot compare " + st.showType(a) + " with " + st.showType(b) + "; values are " +
                      printValueForError(st, a) + " and " + printValueForError(st, b),
                  st.pos(pos));
}

namespace {

// --- arithmetic ---

void primAdd(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  st.forceValue(*args[1], pos);
  if (args[0]->type() == ValueType::Float || args[1]->type() == ValueType::Float)
    return v.mkFloat(st.forceFloat(*args[0], pos, "while evaluating the first argument of the addition") +
                     st.forceFloat(*args[1], pos, "while evaluating the second argument of the addition"));
  int64_t a = st.forceInt(*args[0], pos, "while evaluating the first argument of the addition");
  int64_t b = st.forceInt(*args[1], pos, "while evaluating the second argument of the addition");
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    throw EvalError("integer overflow in adding " + std::to_string(a) + " + " + std::to_string(b), st.pos(pos));
  v.mkInt(r);
}

void primSub(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  st.forceValue(*args[1], pos);
  if (args[0]->type() == ValueType::Float || args[1]->type() == ValueType::Float)
    return v.mkFloat(st.forceFloat(*args[0], pos, "while evaluating the first argument of the subtraction") -
                     st.forceFloat(*args[1], pos, "while evaluating the second argument of the subtraction"));
  int64_t a = st.forceInt(*args[0], pos, "while evaluating the first argument of the subtraction");
  int64_t b = st.forceInt(*args[1], pos, "while evaluating the second argument of the subtraction");
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r))
    throw EvalError("integer overflow in subtracting " + std::to_string(a) + " - " + std::to_string(b), st.pos(pos));
  v.mkInt(r);
}

void primMul(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  st.forceValue(*args[1], pos);
  if (args[0]->type() == ValueType::Float || args[1]->type() == ValueType::Float)
    return v.mkFloat(st.forceFloat(*args[0], pos, "while evaluating the first argument of the multiplication") *
                     st.forceFloat(*args[1], pos, "while evaluating the second argument of the multiplication"));
  int64_t a = st.forceInt(*args[0], pos, "while evaluating the first argument of the multiplication");
  int64_t b = st.forceInt(*args[1], pos, "while evaluating the second argument of the multiplication");
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    throw EvalError("integer overflow in multiplying " + std::to_string(a) + " * " + std::to_string(b), st.pos(pos));
  v.mkInt(r);
}

void primDiv(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  st.forceValue(*args[1], pos);
  double f2 = st.forceFloat(*args[1], pos, "while evaluating the second operand of the division");
  if (f2 == 0) throw EvalError("division by zero", st.pos(pos));
  if (args[0]->type() == ValueType::Float || args[1]->type() == ValueType::Float)
    return v.mkFloat(st.forceFloat(*args[0], pos, "while evaluating the first operand of the division") / f2);
  int64_t a = st.forceInt(*args[0], pos, "while evaluating the first operand of the division");
  int64_t b = st.forceInt(*args[1], pos, "while evaluating the second operand of the division");
  if (a == INT64_MIN && b == -1)
    throw EvalError("integer overflow in dividing " + std::to_string(a) + " / " + std::to_string(b), st.pos(pos));
  v.mkInt(a / b);
}

template <int Op>
void primBit(EvalState& st, PosIdx pos, Value** args, Value& v) {
  static const char* names[] = {"bitAnd", "bitOr", "bitXor"};
  int64_t a = st.forceInt(*args[0], pos, std::string("while evaluating the first argument passed to builtins.") + names[Op]);
  int64_t b = st.forceInt(*args[1], pos, std::string("while evaluating the second argument passed to builtins.") + names[Op]);
  v.mkInt(Op == 0 ? (a & b) : Op == 1 ? (a | b) : (a ^ b));
}

template <bool Ceil>
void primRound(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  if (args[0]->type() == ValueType::Int) return void(v = *args[0]);
  double f = st.forceFloat(*args[0], pos, Ceil ? "while evaluating the first argument passed to builtins.ceil"
                                               : "while evaluating the first argument passed to builtins.floor");
  double r = Ceil ? std::ceil(f) : std::floor(f);
  if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
    throw EvalError(std::string("Float argument ") + std::to_string(f) + " to builtins." + (Ceil ? "ceil" : "floor") +
                        " is out of range of an integer",
                    st.pos(pos));
  v.mkInt(int64_t(r));
}

void primLessThan(EvalState& st, PosIdx pos, Value** args, Value& v) { v.mkBool(lessThan(st, *args[0], *args[1], pos)); }

// --- types ---

void primTypeOf(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  st.mkString(v, typeOfName(args[0]->type()));
}

template <ValueType T>
void primIsType(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  v.mkBool(args[0]->type() == T);
}

void primIsFunction(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  v.mkBool(args[0]->isFunction());
}

// --- control ---

void primThrow(EvalState& st, PosIdx pos, Value** args, Value&) {
  NixStringContext ctx;
  std::string msg = st.coerceToString(pos, *args[0], ctx, "while evaluating the error message passed to builtin.throw");
  throw ThrownError(msg, Pos{});
}

void primAbort(EvalState& st, PosIdx pos, Value** args, Value&) {
  NixStringContext ctx;
  std::string msg = st.coerceToString(pos, *args[0], ctx, "while evaluating the error message passed to builtins.abort");
  throw Abort("evaluation aborted with the following error message: '" + msg + "'", Pos{});
}

void primSeq(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  st.forceValue(*args[1], pos);
  v = *args[1];
}

void primDeepSeq(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValueDeep(*args[0]);
  st.forceValue(*args[1], pos);
  v = *args[1];
}

void primTryEval(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* b = st.allocBindings(2);
  Value* value = st.allocValue();
  Value* success = st.allocValue();
  try {
    st.forceValue(*args[0], pos);
    *value = *args[0];
    success->mkBool(true);
  } catch (ThrownError&) {
    value->mkBool(false);
    success->mkBool(false);
  } catch (AssertionError&) {
    value->mkBool(false);
    success->mkBool(false);
  }
  b->push(st.s.success, success);
  b->push(st.s.value, value);
  b->sort();
  v.mkAttrs(b);
}

void primBreak(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  v = *args[0];
}

void primWarn(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view msg = st.forceString(*args[0], pos, "while evaluating the first argument; the message passed to builtins.warn");
  // As Nix: the message's further lines are aligned under its first, unless it starts on a
  // line of its own (a message that begins with a newline is printed as it is).
  // Empty lines stay empty; others get the width of "evaluation warning: ".
  if (msg.starts_with('\n')) std::cerr << "evaluation warning:" << msg << std::endl;
  else std::cerr << "evaluation warning: " << indentLines(msg, std::string(20, ' '), false) << std::endl;
  st.forceValue(*args[1], pos);
  v = *args[1];
}

void primTraceVerbose(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[1], pos);
  v = *args[1];
}

void primTrace(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  if (args[0]->type() == ValueType::String) st.printTrace(args[0]->string_view());
  else st.printTrace(printValueForError(st, *args[0]));
  st.forceValue(*args[1], pos);
  v = *args[1];
}

void primAddErrorContext(EvalState& st, PosIdx pos, Value** args, Value& v) {
  try {
    st.forceValue(*args[1], pos);
    v = *args[1];
  } catch (EvalError& e) {
    NixStringContext ctx;
    std::string msg = st.coerceToString(pos, *args[0], ctx, "while evaluating the error message passed to builtins.addErrorContext");
    e.addTrace(Pos{}, msg, true);  // printed even when the trace is truncated, as in Nix
    throw;
  }
}

void primToString(EvalState& st, PosIdx pos, Value** args, Value& v) {
  // The common cases without a temporary std::string and context set: an int is printed in
  // place; a string is its own result (strings are immutable: the bytes and context are shared).
  st.forceValue(*args[0], pos);
  if (args[0]->type() == ValueType::Int) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, args[0]->integer());
    return v.mkString(st.makeString(std::string_view(buf, size_t(r.ptr - buf))));
  }
  if (args[0]->type() == ValueType::String) return v.mkString(args[0]->str(), args[0]->context());
  NixStringContext ctx;
  std::string s = st.coerceToString(pos, *args[0], ctx, "while evaluating the first argument passed to builtins.toString", true, false);
  st.mkString(v, s, ctx);
}

// builtins.toPath (deprecated): an absolute path string, canonicalised (a string, not a path).
void primToPath(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string p = st.coerceToPath(pos, *args[0], ctx, "while evaluating the first argument passed to builtins.toPath");
  st.mkString(v, canonPath(p), ctx);
}

// --- import and the search path ---

std::string realisePath(EvalState& st, PosIdx pos, Value& v, std::string_view ctxMsg) {
  NixStringContext ctx;
  std::string path = st.coerceToPath(pos, v, ctx, ctxMsg);
  return withPos(st, pos, [&] { return st.toRealPath(path, ctx); });  // where the store keeps it
}

void primImport(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string path = realisePath(st, pos, *args[0], "while evaluating the first argument passed to builtins.import");
  if (!EvalState::corepkgSource(path) && !withPos(st, pos, [&] { return st.io.pathExists(path); }))
    throw EvalError("path '" + path + "' does not exist", st.pos(pos));
  st.evalFile(path, v);
}

void primScopedImport(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* scope = st.forceAttrs(*args[0], pos, "while evaluating the first argument passed to builtins.scopedImport");
  std::string path = realisePath(st, pos, *args[1], "while evaluating the second argument passed to builtins.scopedImport");
  if (!withPos(st, pos, [&] { return st.io.pathExists(path); }))
    throw EvalError("path '" + path + "' does not exist", st.pos(pos));
  // The scope's attributes are variables of an environment between the file and the builtins.
  StaticEnv staticEnv;
  staticEnv.up = &st.staticBaseEnv();
  Env& env = st.allocEnv(scope->size);
  env.up = &st.baseEnv();
  uint32_t displ = 0;
  for (auto& a : *scope) {
    staticEnv.vars.emplace_back(a.name, displ);
    env.values[displ++] = a.value;
  }
  Expr* e = st.parseExprFromFile(path, staticEnv);
  st.eval(env, e, v);
}

void primFindFile(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[0], pos, "while evaluating the first argument passed to builtins.findFile");
  std::string_view name = st.forceStringNoCtx(*args[1], pos, "while evaluating the second argument passed to builtins.findFile");
  if (name.starts_with("nix/")) return st.mkPath(v, "/__corepkgs__/" + std::string(name.substr(4)));
  // Search the list given (entries { prefix; path; }).
  for (size_t i = 0; i < args[0]->listSize(); ++i) {
    Bindings* e = st.forceAttrs(*args[0]->listElems()[i], pos, "while evaluating an element of the list passed to builtins.findFile");
    std::string prefix;
    if (auto* p = e->get(st.s.prefix)) prefix = std::string(st.forceStringNoCtx(*p->value, pos, "while evaluating the `prefix` attribute of an element of the list passed to builtins.findFile"));
    auto* pa = e->get(st.s.path);
    if (!pa) throw EvalError("attribute 'path' missing", st.pos(pos));
    NixStringContext ctx;
    std::string path = st.coerceToString(pos, *pa->value, ctx, "while evaluating the `path` attribute of an element of the list passed to builtins.findFile", false, false);
    std::string rest;
    if (prefix.empty()) rest = std::string(name);
    else if (name == prefix) rest = "";
    else if (name.starts_with(prefix) && name.size() > prefix.size() && name[prefix.size()] == '/') rest = std::string(name.substr(prefix.size() + 1));
    else continue;
    auto dir = st.resolveSearchPathEntry(path);
    if (!dir) continue;
    std::string full = canonPath(rest.empty() ? *dir : *dir + "/" + rest);
    if (st.uncheckedIo().pathExists(full)) return st.mkPath(v, full);  // unchecked, as Nix
  }
  throw ThrownError(st.searchPathMiss(name), st.pos(pos));
}

void initNixPath(EvalState& st, Value& v) {
  const auto& entries = st.settings.nixPath;
  st.mkList(v, entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string prefix, path = entries[i];
    if (auto eq = path.find('='); eq != std::string::npos) {
      prefix = path.substr(0, eq);
      path = path.substr(eq + 1);
    }
    Bindings* b = st.allocBindings(2);
    Value* vp = st.allocValue();
    st.mkString(*vp, prefix);
    Value* vpath = st.allocValue();
    st.mkString(*vpath, path);
    b->push(st.s.prefix, vp);
    b->push(st.s.path, vpath);
    b->sort();
    Value* e = st.allocValue();
    e->mkAttrs(b);
    v.listElems()[i] = e;
  }
}

void primGetEnv(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view name = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.getEnv");
  st.mkString(v, st.io.getEnv(std::string(name)));  // "" in pure and restricted evaluation
}

} // namespace

void registerCoreBuiltins(BuiltinTable& t) {
  t.add("add", 2, primAdd);
  t.add("sub", 2, primSub);
  t.add("mul", 2, primMul);
  t.add("div", 2, primDiv);
  t.add("lessThan", 2, primLessThan);
  t.add("bitAnd", 2, primBit<0>);
  t.add("bitOr", 2, primBit<1>);
  t.add("bitXor", 2, primBit<2>);
  t.add("floor", 1, primRound<false>);
  t.add("ceil", 1, primRound<true>);
  t.add("break", 1, primBreak);
  t.add("warn", 2, primWarn);
  t.add("traceVerbose", 2, primTraceVerbose);
  t.add("typeOf", 1, primTypeOf);
  t.add("isNull", 1, primIsType<ValueType::Null>);
  t.add("isInt", 1, primIsType<ValueType::Int>);
  t.add("isFloat", 1, primIsType<ValueType::Float>);
  t.add("isBool", 1, primIsType<ValueType::Bool>);
  t.add("isString", 1, primIsType<ValueType::String>);
  t.add("isPath", 1, primIsType<ValueType::Path>);
  t.add("isList", 1, primIsType<ValueType::List>);
  t.add("isAttrs", 1, primIsType<ValueType::Attrs>);
  t.add("isFunction", 1, primIsFunction);
  t.add("throw", 1, primThrow);
  t.add("abort", 1, primAbort);
  t.add("seq", 2, primSeq);
  t.add("deepSeq", 2, primDeepSeq);
  t.add("tryEval", 1, primTryEval);
  t.add("trace", 2, primTrace);
  t.add("addErrorContext", 2, primAddErrorContext);
  t.add("toString", 1, primToString);
  t.add("toPath", 1, primToPath);
  t.add("import", 1, primImport);
  t.add("scopedImport", 2, primScopedImport);
  t.add("findFile", 2, primFindFile);
  t.add("getEnv", 1, primGetEnv);
  t.addConstant("nixPath", initNixPath);
  t.addConstant("true", [](EvalState&, Value& v) { v.mkBool(true); });
  t.addConstant("false", [](EvalState&, Value& v) { v.mkBool(false); });
  t.addConstant("null", [](EvalState&, Value& v) { v.mkNull(); });
  // Absent in pure evaluation, as currentTime.
  t.addConstant(
      "currentSystem", [](EvalState& st, Value& v) { st.mkString(v, st.settings.currentSystem); },
      BuiltinTable::Purity::impure);
  t.addConstant("nixVersion", [](EvalState& st, Value& v) { st.mkString(v, nixCompatVersion); });
  t.addConstant("langVersion", [](EvalState&, Value& v) { v.mkInt(6); });
  t.addConstant("storeDir", [](EvalState& st, Value& v) { st.mkString(v, st.io.storeDir()); });
  // The time the evaluation started (seconds since the epoch); absent in pure evaluation.
  t.addConstant(
      "currentTime",
      [](EvalState&, Value& v) {
        v.mkInt(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
      },
      BuiltinTable::Purity::impure);
}

} // namespace nixpp
