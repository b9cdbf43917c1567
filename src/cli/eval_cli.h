// cli/eval_cli.h: what the evaluating front-ends (nix-instantiate --eval, nix eval) share:
// an EvalState over the configured store, the search path, --arg/--argstr, attribute paths and
// Nix's rendering of evaluation errors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/store_cli.h"
#include "expr/eval.h"
#include "glue/store_eval_io.h"

namespace nixpp {

// An evaluation session: the store (opened on first use), its EvalIo and the EvalState.
class EvalSession {
public:
  EvalSession(Settings settings, EvalSettings evalSettings, StoreWrites writes = StoreWrites::allowed);
  EvalState& state() { return *state_; }
  // An EvalState as state() but in pure evaluation (made on first use over the same store;
  // state() itself when that is pure): flakes are evaluated purely, as in Nix.
  EvalState& pureState();
  // The store the evaluation reads and writes (opened on first use).
  StoreRef& store() { return store_; }
  // For a command about to end: leaves the evaluator's memory to the process's exit instead of
  // freeing it piece by piece (the .drv hash cache, symbols, syntax trees: 5 % of the CPU time
  // of instantiating 3000 derivations). The store is still closed properly.
  void abandonState() { (void)state_.release(); }

private:
  StoreRef store_;
  StoreEvalIo io_;
  std::unique_ptr<EvalState> state_, pureState_;
};

// Copies restrict-eval and allowed-uris into `evalSettings` (EvalSession does it itself);
// pure-eval is each front-end's to decide (--impure, `nix eval --file`, nix repl).
void applyRestrictEval(EvalSettings& evalSettings, const Settings& settings);

// Raises the stack limit so that deep (but finite) evaluations do not hit "stack overflow".
void growStackForEval();

// The search path: the -I entries, then $NIX_PATH's, as given (as in Nix, a relative directory
// is relative to the current directory when it is looked up, and builtins.nixPath shows it so).
std::vector<std::string> makeNixPath(const std::vector<std::string>& includes);

// --arg NAME EXPR / --argstr NAME STRING, collected in order.
struct AutoArg {
  std::string name, value;
  bool isString;
};
// The set of auto arguments (expressions become thunks, evaluated on demand).
Bindings* makeAutoArgs(EvalState& state, const std::vector<AutoArg>& args, const std::string& cwd);

// Nix's findAlongAttrPath: follows "a.b.0.c" from `v` (auto-calling functions on the way).
Value& findAlongAttrPath(EvalState& state, const std::string& attrPath, Bindings* autoArgs, Value& v);

// The text Nix prints for an evaluation error ("error: ...", with the trace when asked).
std::string formatEvalError(const EvalError& e, bool showTrace, std::string_view program = "");

} // namespace nixpp
