// store/build/outputs.h: turning what a builder left behind into valid store paths (Nix's
// registerOutputs): each output is made canonical, scanned for references (the hash parts of the
// input closure and of the derivation's own outputs), checked (fixed-output hash,
// allowedReferences / disallowedReferences / allowedRequisites / disallowedRequisites), renamed
// into the store and synced; then all outputs are registered in one transaction, with the .drv
// as deriver. The caller holds the outputs' path locks. A crash before registration leaves
// complete but unregistered paths, which are deleted before the next build or add.
#pragma once

#include <map>
#include <string>

#include "format/derivation.h"
#include "util/error.h"

namespace nixpp {

class LocalStore;

// A build that ran but failed: Nix's BuildError. `hashMismatch` marks fixed-output hash errors,
// `notDeterministic` a --check difference (they change the exit status, as in Nix).
class BuildError : public Error {
public:
  enum class Kind { failed, hashMismatch, notDeterministic };
  BuildError(Kind k, const std::string& msg) : Error(msg), kind(k) {}
  explicit BuildError(const std::string& msg) : Error(msg), kind(Kind::failed) {}
  Kind kind;
};

struct BuiltOutputs {
  const StorePath& drvPath;
  const Derivation& drv;
  std::map<std::string, StorePath> outputs;     // name -> store path
  std::map<std::string, std::string> builtAt;   // name -> where the builder left it (real path)
  StorePathSet inputClosure;                    // candidates for references
  bool check = false;                           // --check: compare with the valid paths instead
  bool repair = false;                          // --repair: replace valid outputs atomically
  // Outputs written in canonical form by a builder run in this process, with their NAR as that
  // builder made them (builtin:buildenv): hashed and scanned from it, not walked again.
  std::map<std::string, std::string> knownNars;
};

// True if `path` is valid and its contents on disk match its recorded NAR hash.
bool outputContentsGood(LocalStore& store, const StorePath& path);

// Registers the outputs (or, with `check`, compares them to the valid ones and throws
// BuildError notDeterministic "derivation '...' may not be deterministic: output '...' differs").
// Throws BuildError for a missing output, a hash mismatch, or a forbidden reference.
void registerOutputs(LocalStore& store, const BuiltOutputs& built);

} // namespace nixpp
