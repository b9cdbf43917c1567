// cli/get_drvs.h: derivations found in a value, as nix-env sees them (Nix's get-drvs): a
// derivation, a set of them (attributes in name order; nested sets only with
// `recurseForDerivations = true`; every attribute of a `_combineChannels` set), a list of them.
// A DrvInfo reads its attributes lazily (name on discovery) and remembers what it read.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gc/gc_allocator.h>

namespace nixpp {

class EvalState;
struct Bindings;
struct Value;

class DrvInfo {
public:
  using Outputs = std::map<std::string, std::optional<std::string>>;  // name -> store path

  DrvInfo(EvalState& state, std::string attrPath, Bindings* attrs) : state_(&state), attrPath_(std::move(attrPath)), attrs_(attrs) {}
  // An element made from a store path (nix-env -i /nix/store/...): no attributes.
  DrvInfo(EvalState& state, std::string name, std::string drvPath, std::string outPath, Outputs outputs)
      : state_(&state), name_(std::move(name)), drvPath_(std::move(drvPath)), outPath_(std::move(outPath)),
        outputs_(std::move(outputs)) {}

  // Throw EvalError if the attribute is missing or has the wrong type.
  const std::string& queryName();
  const std::string& querySystem();          // "unknown" if none
  const std::string& queryDrvPath();         // "" if none
  const std::string& queryOutPath();
  const std::string& queryOutputName();      // "" if none
  // The outputs (`outputs` list, or just "out"), with paths if `withPaths`; with
  // `onlyToInstall`, reduced to meta.outputsToInstall (Error "this derivation has bad
  // 'meta.outputsToInstall'").
  Outputs queryOutputs(bool withPaths, bool onlyToInstall = false);

  // The names of the meta attributes, sorted; a meta value (null if absent or holding a function).
  std::vector<std::string> queryMetaNames();
  Value* queryMeta(const std::string& name);
  // meta.NAME as an integer (an int, or a string holding one), else `def`.
  long queryMetaInt(const std::string& name, long def);
  // meta.NAME as a string, "" if absent or not a string.
  std::string queryMetaString(const std::string& name);
  // Replaces meta.NAME by the string `value` (nix-env --set-flag).
  void setMeta(const std::string& name, const std::string& value);

  void setName(std::string n) { name_ = std::move(n); }
  const std::string& attrPath() const { return attrPath_; }
  Bindings* attrs() const { return attrs_; }

private:
  Bindings* meta();
  std::optional<std::string> stringAttr(const char* name, bool coerce);

  EvalState* state_;
  std::string attrPath_;
  Bindings* attrs_ = nullptr;
  std::optional<std::string> name_, system_, drvPath_, outPath_, outputName_;
  std::optional<Outputs> outputs_;
  Bindings* meta_ = nullptr;
  bool metaRead_ = false;
};

// Traced by the garbage collector: a DrvInfo holds the only reference to its attribute sets once
// the value it was found in is gone.
using DrvInfos = std::vector<DrvInfo, traceable_allocator<DrvInfo>>;

// Nix's get-drvs walk of `v` (auto-called with `autoArgs`; see the file comment): calls
// `found(drv, attrPath)` for each derivation, each attribute set once, in Nix's order;
// `pathPrefix` starts the attribute paths. With `ignoreAssertionFailures`, a value (or a `found`
// call) failing an assert is skipped. Throws TypeError "expression does not evaluate to a
// derivation (or a set or list of those)".
using DerivationFound = std::function<void(Value& drv, const std::string& attrPath)>;
void forEachDerivation(EvalState& state, Value& v, const std::string& pathPrefix, Bindings* autoArgs,
                       bool ignoreAssertionFailures, const DerivationFound& found);

// Appends the derivations in `v` (auto-called with `autoArgs`) to `out`; `pathPrefix` starts the
// attribute paths. With `ignoreAssertionFailures`, derivations whose evaluation fails an assert
// are skipped. Throws TypeError "expression does not evaluate to a derivation (or a set or list
// of those)".
void getDerivations(EvalState& state, Value& v, const std::string& pathPrefix, Bindings* autoArgs, DrvInfos& out,
                    bool ignoreAssertionFailures);

} // namespace nixpp
