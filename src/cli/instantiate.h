// cli/instantiate.h: the evaluation driver that nix-instantiate and nix-build share: parse the
// files (or -E expressions, or stdin), select the -A attribute paths, and find the derivations a
// value stands for (Nix's getDerivations: a derivation, a set of them, a list of them; nested
// sets only with `recurseForDerivations = true`); evaluating `drvPath` writes the .drv files.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/eval_cli.h"

namespace nixpp {

// What to evaluate.
struct EvalTargets {
  bool fromExpr = false;   // -E: `files` are expressions
  bool readStdin = false;  // "-": one expression from stdin
  std::vector<std::string> files;      // empty (and not fromExpr): ./default.nix
  std::vector<std::string> attrPaths;  // -A; empty: the whole value
  std::vector<AutoArg> autoArgs;       // --arg / --argstr
};

// Evaluates each file or expression (in order) and, for each attribute path, calls
// f(value, autoArgs) with the value it selects (not yet auto-called). Throws EvalError / Error.
void forEachEvalTarget(EvalState& state, const EvalTargets& targets,
                       const std::function<void(Value& v, Bindings* autoArgs)>& f);

// One derivation found in a value: its .drv path and the output the value stands for.
struct FoundDerivation {
  std::string drvPath;
  std::string outputName;
};

// Nix's getDerivations on `v` (auto-called with `autoArgs`), in Nix's order, each derivation once.
// Throws TypeError "expression does not evaluate to a derivation (or a set or list of those)",
// Error for a derivation without drvPath / outputName.
std::vector<FoundDerivation> getDerivations(EvalState& state, Value& v, Bindings* autoArgs);

struct InstantiateOptions {
  std::string gcRoot;  // --add-root PATH ("" = none: a warning is printed once)
  // Makes `rootName` a GC root pointing to `drvPath`; returns the path to print (the root).
  std::function<std::string(const std::string& drvPath, const std::string& rootName)> addRoot;
  // Called once the .drv files are written, before their paths are printed: makes them valid
  // for other processes (the store may defer registrations).
  std::function<void()> flushStore;
};

// Prints "<drvPath>[!<output>]" (or the root's path) for each derivation `v` evaluates to.
// `rootNr` counts the roots made so far (the second is "<root>-2", ...).
void instantiateValue(EvalState& state, Value& v, Bindings* autoArgs, const InstantiateOptions& opts, int& rootNr,
                      bool& warned, std::ostream& out);

} // namespace nixpp
