// cli/instantiate.h: nix-instantiate's default mode: evaluate to derivations (Nix's
// getDerivations: a derivation, a set of them, a list of them; nested sets only with
// `recurseForDerivations = true`), which writes their .drv files, and print the .drv paths.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace nixpp {

class EvalState;
struct Bindings;
struct Value;

struct InstantiateOptions {
  std::string gcRoot;  // --add-root PATH ("" = none: a warning is printed once)
  // Makes `rootName` a GC root pointing to `drvPath`; returns the path to print (the root).
  std::function<std::string(const std::string& drvPath, const std::string& rootName)> addRoot;
};

// Prints "<drvPath>[!<output>]" (or the root's path) for each derivation `v` evaluates to.
// `rootNr` counts the roots made so far (the second is "<root>-2", ...). Throws EvalError
// ("expression does not evaluate to a derivation (or a set or list of those)") or Error.
void instantiateValue(EvalState& state, Value& v, Bindings* autoArgs, const InstantiateOptions& opts, int& rootNr,
                      bool& warned, std::ostream& out);

// Makes `rootName` a symlink to `target` and registers it as an indirect root of the local
// store whose state directory is `stateDir` (<stateDir>/gcroots/auto/<hash>), as Nix's
// addPermRoot. Returns `rootName` made absolute.
std::string addPermRoot(const std::string& stateDir, const std::string& target, const std::string& rootName);

} // namespace nixpp
