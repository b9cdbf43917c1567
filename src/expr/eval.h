// expr/eval.h: the evaluator. An EvalState owns everything an evaluation needs (symbols,
// positions, parsed files, the base environment with the builtins, caches) and evaluates
// expressions lazily to Values (expr/value.h) allocated on the Boehm GC heap.
//
// Errors are EvalError subclasses (expr/eval_error.h) with Nix's messages; functions that force
// values take the position to blame and an `errorCtx`, the "while evaluating ..." line Nix adds
// to the trace ("" for none). Not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "expr/ast.h"
#include "expr/builtins.h"
#include "expr/eval_error.h"
#include "expr/eval_io.h"
#include "expr/lexer.h"
#include "expr/value.h"

namespace nixpp {

// Nix's resolveUri: "channel:NAME" is https://nixos.org/channels/NAME/nixexprs.tar.xz; any
// other URL is itself.
std::string resolveUri(const std::string& uri);

class DrvHashCache;

// The context of a string being built: store paths and derivation references (see value.h).
using NixStringContext = std::set<std::string>;

// What varies between evaluations; filled by the front-end from flags and the environment.
struct EvalSettings {
  std::vector<std::string> nixPath;  // -I entries then NIX_PATH's: "prefix=path" or "path"
  std::string currentSystem = "x86_64-linux";
  std::string home;                  // for ~/ path literals
  LexerOptions lexer;                // experimental syntax (pipe operators)
  // Nix's pure evaluation (pure-eval; `nix` without --impure): no search path, no getEnv,
  // currentTime or currentSystem, fetchers need hashes or locked inputs, builtins.storePath
  // refused, and only allowed paths readable (expr/restricted_io.h).
  bool pureEval = false;
  // Nix's restricted evaluation (restrict-eval): only the search path's entries (and what is
  // fetched or copied to the store) readable, no getEnv, fetchers limited to `allowedUris`.
  bool restrictEval = false;
  std::vector<std::string> allowedUris;  // allowed-uris: URI prefixes fetchers may reach
  size_t maxStackBytes = 48u << 20;  // native stack evaluation may use before "stack overflow"
                                     // (capped by the stack's rlimit)
  size_t maxCallDepth = 10000;       // --max-call-depth
  bool showTrace = false;            // collect "… while ..." frames (costs only on errors)
  // Enabled experimental features ("flakes", "parse-toml-timestamps", ...): builtins gated by
  // one (BuiltinTable::add's `feature`) exist only when it is enabled, as in Nix.
  std::set<std::string> experimentalFeatures;
  bool hasFeature(std::string_view f) const { return experimentalFeatures.count(std::string(f)) > 0; }
};

// Errors of evaluation, by kind (all EvalError: message + position + trace).
NIXPP_DECLARE_EVAL_ERROR(TypeError, EvalError);           // "expected a string but found an integer: 42"
NIXPP_DECLARE_EVAL_ERROR(AssertionError, EvalError);      // "assertion '...' failed"
NIXPP_DECLARE_EVAL_ERROR(ThrownError, EvalError);         // builtins.throw (caught by tryEval)
NIXPP_DECLARE_EVAL_ERROR(Abort, EvalError);               // builtins.abort (never caught)
// "infinite recursion encountered": `value` is the value found under evaluation, so that the
// frame that started evaluating it can add "… entering the infinite recursion".
class InfiniteRecursionError : public EvalError {
public:
  InfiniteRecursionError(const std::string& msg, const Pos& pos, const Value* v = nullptr)
      : EvalError(msg, pos), value(v) {}
  [[noreturn]] void throwCopy() const override { throw InfiniteRecursionError(*this); }
  const Value* value;
};
NIXPP_DECLARE_EVAL_ERROR(StackOverflowError, EvalError);  // native stack bound reached
NIXPP_DECLARE_EVAL_ERROR(MissingArgumentError, EvalError);
// What Nix reports as a usage error though met while evaluating (an unknown hash algorithm):
// front-ends add "Try '<program> --help' for more information.".
NIXPP_DECLARE_EVAL_ERROR(EvalUsageError, EvalError);

class RestrictedEvalIo;

class EvalState {
  // The access checks of pure and restricted evaluation, in front of the front-end's EvalIo
  // (null when neither is on). Declared first: `io` refers to it.
  std::unique_ptr<RestrictedEvalIo> restricted_;

public:
  EvalState(EvalIo& io, EvalSettings settings);
  ~EvalState();
  EvalState(const EvalState&) = delete;
  EvalState& operator=(const EvalState&) = delete;

  // What the evaluation reads and writes through: the front-end's EvalIo, behind the access
  // checks in pure and restricted evaluation.
  EvalIo& io;
  const EvalSettings settings;
  SymbolTable symbols;
  PosTable positions;

  // Symbols the evaluator and builtins use often.
  struct Syms {
    Symbol outPath, type, drvPath, name, value, file, line, column, functor, toString, derivation,
        outputs, out, success, prefix, path, body, self;
    // "__overrides": interned at the first `rec` set evaluated, not before (symbol order).
    Symbol overrides;
  } s;

  // --- parsing ---
  // Parses `text` (relative paths against `basePath`) and binds it in the base environment.
  // `originName` names an Origin::Kind::Internal source ("derivation-internal.nix").
  Expr* parseExprFromString(std::string text, const std::string& basePath, Origin::Kind kind = Origin::Kind::String,
                            std::string originName = "");
  // Parses a file (a directory means its default.nix); cached by resolved path.
  Expr* parseExprFromFile(const std::string& path);
  // Parses a file (not cached) bound in `env` (whose top must be staticBaseEnv()), for scopedImport.
  Expr* parseExprFromFile(const std::string& path, const StaticEnv& env);
  // `import path`: evaluates the file once per path (cached) into `v`.
  void evalFile(const std::string& path, Value& v);
  // Resolves `<name>` against settings.nixPath, as __findFile does. Throws if not found.
  // "nix/NAME" is Nix's corepkg /__corepkgs__/NAME (not searched for, as in Nix 2.8).
  std::string findFile(std::string_view name, PosIdx pos);
  // The directory a search path entry's path stands for: itself (nullopt, with Nix's warning,
  // when it does not exist), or for a URL (http(s)://,
  // file://, channel:NAME, ... as Nix 2.8's isUri) the store path of it fetched as a tarball
  // (its real path in a chroot store, as Nix), once per evaluation; nullopt (with Nix 2.8's
  // warning) if that fails.
  std::optional<std::string> resolveSearchPathEntry(const std::string& path);
  // The message of a failed `<name>` lookup: not found, or in pure evaluation refused.
  std::string searchPathMiss(std::string_view name) const;
  // The Nix source of a corepkg path ("/__corepkgs__/fetchurl.nix"), or null (expr/corepkgs.cc).
  static const char* corepkgSource(std::string_view path);

  // --- evaluation ---
  // Evaluates `e` (bound in the base environment) to WHNF.
  void eval(Expr* e, Value& v);
  void eval(Env& env, Expr* e, Value& v);
  // Evaluates `e` in `env` to WHNF, or makes a thunk for it (constants are evaluated at once).
  Value* maybeThunk(Env& env, Expr* e);

  // Forces `v` to weak head normal form. `pos` is blamed on infinite recursion.
  void forceValue(Value& v, PosIdx pos) {
    if (v.isThunk()) forceThunk(v, pos);
  }
  // Forces `v` and everything in it (lists, attribute values), as --strict and deepSeq do.
  void forceValueDeep(Value& v);
  // The position Nix blames for a value: a set's, a function's, an application's function's;
  // `fallback` for the others.
  PosIdx determinePos(const Value& v, PosIdx fallback) const;

  int64_t forceInt(Value& v, PosIdx pos, std::string_view errorCtx);
  double forceFloat(Value& v, PosIdx pos, std::string_view errorCtx);  // an int or a float
  bool forceBool(Value& v, PosIdx pos, std::string_view errorCtx);
  Bindings* forceAttrs(Value& v, PosIdx pos, std::string_view errorCtx);
  void forceList(Value& v, PosIdx pos, std::string_view errorCtx);
  void forceFunction(Value& v, PosIdx pos, std::string_view errorCtx);
  // A string value's contents; its context is added to `context` (first form) or must be empty
  // (NoCtx: "the string '...' is not allowed to refer to a store path").
  std::string_view forceString(Value& v, PosIdx pos, std::string_view errorCtx);
  std::string_view forceString(Value& v, NixStringContext& context, PosIdx pos, std::string_view errorCtx);
  std::string_view forceStringNoCtx(Value& v, PosIdx pos, std::string_view errorCtx);

  // Whether `v` (forced) is a derivation: an attribute set with type = "derivation".
  bool isDerivation(Value& v);
  // Nix's string coercion (interpolation, toString with coerceMore): strings, paths (copied to
  // the store when copyToStore), sets with __toString or outPath; with coerceMore also ints,
  // floats, bools, null and lists.
  std::string coerceToString(PosIdx pos, Value& v, NixStringContext& context, std::string_view errorCtx,
                             bool coerceMore = false, bool copyToStore = true);
  // A path value, or a string that is an absolute path (its context kept in `context`).
  std::string coerceToPath(PosIdx pos, Value& v, NixStringContext& context, std::string_view errorCtx);
  // Where `path` is read from (Nix's toRealPath): for a path in the store with a non-empty
  // context, its place on disk (elsewhere in a chroot store); else itself.
  std::string toRealPath(const std::string& path, const NixStringContext& context);
  // Copies a source path to the store (once per path), records it in `context`, returns it.
  std::string copyPathToStore(NixStringContext& context, const std::string& path, PosIdx pos);

  // Calls `fun` with `nargs` arguments (curried), result in `vRes`.
  void callFunction(Value& fun, size_t nargs, Value** args, Value& vRes, PosIdx pos);
  void callFunction(Value& fun, Value& arg, Value& vRes, PosIdx pos) {
    Value* a = &arg;
    callFunction(fun, 1, &a, vRes, pos);
  }
  // If `fun` is a function with formals (or a set with __functor), calls it with the arguments
  // from `args` it asks for (as nix-instantiate --arg does); otherwise res = fun.
  void autoCallFunction(Bindings* args, Value& fun, Value& res);

  // Deep equality as `==` (functions are never equal; derivations compare by outPath).
  bool eqValues(Value& a, Value& b, PosIdx pos, std::string_view errorCtx);
  // For a failed `assert a == b`: throws an error saying where and how a and b differ (with
  // "while comparing attribute 'x'" frames); returns if they are equal after all.
  void assertEqValues(Value& a, Value& b, PosIdx pos, std::string_view errorCtx);

  // --- allocation (GC heap) ---
  // Values and environments of up to 3 slots (16 and 32 bytes, zeroed) come from free lists that
  // GC_malloc_many refills in batches, so most allocations are a pop.
  Value* allocValue() { return static_cast<Value*>(allocSmall(0)); }
  Env& allocEnv(size_t size) {
    return size <= 3 ? *static_cast<Env*>(allocSmall(size <= 1 ? 0 : 1)) : allocEnvLarge(size);
  }
  Bindings* allocBindings(size_t capacity);
  // Makes `v` a list of `size` elements; fill v.listElems()[0..size).
  void mkList(Value& v, size_t size);
  void mkString(Value& v, std::string_view s, const NixStringContext& context = {});
  void mkPath(Value& v, std::string_view path);
  // Makes `v` the set { file, line, column } of a position (__curPos, unsafeGetAttrPos).
  void mkPosAttrs(Value& v, const Pos& p);
  const NixString* makeString(std::string_view s);
  // Adds the elements of a value's context to `context`.
  static void copyContext(const Value& v, NixStringContext& context);
  Symbol symbol(std::string_view s) { return symbols.create(s); }
  std::string_view name(Symbol s) const { return symbols[s]; }

  // --- errors ---
  // "a string", "an integer", "the built-in function 'map'", ... as in Nix's messages.
  std::string showType(const Value& v) const;
  Pos pos(PosIdx p) const { return positions[p]; }
  // "expected a set but found ...", with `errorCtx` as a frame at `pos`. As in Nix, only string
  // and operand errors (`atPos`) also carry `pos` themselves.
  [[noreturn]] void typeError(std::string_view expected, Value& v, PosIdx pos, std::string_view errorCtx,
                              bool atPos = false);
  // Adds a "… <hint>" trace frame at `pos` to an error passing through.
  void addTrace(EvalError& e, PosIdx pos, std::string_view hint) const;

  // --- pure and restricted evaluation (expr/restricted_io.h; no-ops when neither is on) ---
  // Lets the evaluation read `path` and what is below it (Nix's allowPath).
  void allowPath(const std::string& path);
  // Throws RestrictedPathError unless `path` may be read (Nix's checkSourcePath).
  void checkSourcePath(const std::string& path);
  // Throws RestrictedPathError unless a fetcher may reach `uri` (Nix's checkURI).
  void checkUri(const std::string& uri);
  // The front-end's EvalIo without the checks, for what Nix does unchecked.
  EvalIo& uncheckedIo();

  // The base environment (builtins) and the `builtins` set.
  Env& baseEnv() { return *baseEnv_; }
  Value& builtinsValue() { return *builtins_; }
  const StaticEnv& staticBaseEnv() const { return staticBaseEnv_; }

  // The environment `env` as it may be kept in a heap object (a thunk, a lambda, another
  // environment): itself, or for an environment on the C stack (a lambda's, kept in
  // callFunction's frame when its body is unlikely to capture it) its copy on the heap, made once.
  // Environments are never written once filled, so the copy stands for the original.
  Env* captureEnv(Env& env) { return onStack(env) ? promoteEnv(env) : &env; }

  // Native stack guard: throws StackOverflowError when too deep. Inline: it runs on every
  // eval, call and force (tens of millions of times in a big evaluation).
  void checkStack() {
    char here;
    auto addr = reinterpret_cast<uintptr_t>(&here);
    if (addr > stackBase_) stackBase_ = addr;  // the base is the highest frame seen
    else if (stackBase_ - addr > stackLimit_) stackOverflow();
  }
  [[noreturn]] void stackOverflow();

  // The files `import`ed so far, and the store paths of copied sources (path -> store path).
  std::unordered_map<std::string, Value*> fileEvalCache;
  std::map<std::string, std::optional<std::string>> searchPathResolved_;  // resolveSearchPathEntry
  std::unordered_map<std::string, std::string> srcToStore;
  // Compiled regular expressions of builtins.match/split (defined in builtins/strings.cc).
  std::shared_ptr<struct RegexCache> regexCache;
  // derivationStrict's memo of hashes modulo of .drv files (builtins/derivation.cc).
  std::shared_ptr<DrvHashCache> drvHashes;
  // Values of primops by name, for builtins that need another one (e.g. derivation).
  const PrimOp* findPrimOp(std::string_view name) const;

  // Deprecated-feature / trace output (builtins.trace): "trace: ..." on stderr.
  void printTrace(std::string_view msg);

private:
  friend struct Evaluator;
  void forceThunk(Value& v, PosIdx pos);
  void createBaseEnv();
  void allowSearchPath();  // restricted evaluation: the search path's entries are readable
  void evalCall(Env& env, ExprCall& c, Value& v);
  // Whether `env` may be on the C stack: within the stack evaluation may use below stackBase_,
  // with a margin for the frame that runs past the limit before the next check. promoteEnv
  // tells the GC heap from the stack for certain.
  bool onStack(const Env& env) const {
    auto a = reinterpret_cast<uintptr_t>(&env);
    return a < stackBase_ && stackBase_ - a <= stackLimit_ + (1u << 20);
  }
  // captureEnv's copy of a stack environment: a one-slot one, with the word before it holding
  // its copy once made (expr/eval.cc, callFunction).
  Env* promoteEnv(Env& env);
  // Computes `e` into `v` when it is a call of a strict arithmetic builtin (`a - b`, `a < b`,
  // __add, __mul, __div) or an addition `a + b` whose two operands are int literals or variables
  // already holding ints, and it cannot fail (no overflow, no division by zero): such an
  // expression is total and has no effect, so it may be computed at once. Returns false, having
  // evaluated nothing, for anything else (expr/eval.cc).
  Value* maybeThunkForced(Env& env, Expr* e);
  bool strictPrimOp(const PrimOp* op) const;
  bool forcesArgFirst(const Expr* e, Env* closure) const;
  bool evalReadyArith(Env& env, Expr* e, Value& v);
  // The builtins evalReadyArith computes, found once in the base environment.
  const PrimOp *opAdd_ = nullptr, *opSub_ = nullptr, *opMul_ = nullptr, *opDiv_ = nullptr, *opLessThan_ = nullptr;
  // An object of 16 (sizeClass 0) or 32 (1) bytes from its free list.
  void* allocSmall(int sizeClass) {
    void* p = freeLists_[sizeClass];
    if (!p) p = refillFreeList(sizeClass);
    freeLists_[sizeClass] = *static_cast<void**>(p);
    *static_cast<void**>(p) = nullptr;
    return p;
  }
  void* refillFreeList(int sizeClass);
  Env& allocEnvLarge(size_t size);

  // The heads of the free lists, in an uncollectable (scanned) cell so that the GC keeps them.
  void** freeLists_ = nullptr;

  std::vector<std::unique_ptr<Arena>> arenas_;
  std::unordered_map<std::string, Expr*> parseCache_;
  StaticEnv staticBaseEnv_;
  Env* baseEnv_ = nullptr;
  Value* builtins_ = nullptr;
  std::vector<std::unique_ptr<PrimOp>> primOps_;
  uintptr_t stackBase_ = 0;  // address of the highest evaluation frame seen
  size_t stackLimit_ = 0;
  size_t callDepth_ = 0;
};

// Runs f(); a non-language error on the way (a SysError from EvalIo, say) becomes an EvalError
// at `pos`, so builtins that reach the outside world report where they were called.
template <typename F>
auto withPos(EvalState& st, PosIdx pos, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (EvalError&) {
    throw;
  } catch (Error& e) {
    throw EvalError(e.what(), st.pos(pos));
  }
}

} // namespace nixpp
