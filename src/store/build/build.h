// store/build/build.h: realising derivations in a local store (nix-store --realise): the closure
// of the requested .drv files whose outputs are not all valid is built, inputs first, in
// parallel up to max-jobs, each under path locks on its outputs (so two processes never build
// the same derivation at once; the second finds the outputs valid and skips it), with its log
// stored under the log dir. See local_build.h for one build, scheduler.h for the ordering.
// A crash leaves at worst a build directory, a "<drv>.chroot" directory and unregistered
// output paths, all deleted by the next build of the same derivation.
#pragma once

#include <optional>
#include <vector>

#include "format/store_path.h"
#include "util/error.h"

namespace nixpp {

class LocalStore;
struct Settings;

// normal: build what is not valid; check: rebuild the requested derivations and compare;
// repair: also rebuild derivations whose valid outputs are missing or modified on disk, and
// replace those outputs atomically (an exchange of the old and new trees, then registration).
enum class BuildMode { normal, check, repair };

// The build failed: Nix's exit status (100 build failure, +1 timeout, +2 hash mismatch,
// +4... as Worker::exitStatus; 104 --check mismatch) and "build of '...' failed".
class BuildFailed : public Error {
public:
  BuildFailed(int status, const std::string& msg) : Error(msg), status_(status) {}
  int exitStatus() const override { return status_; }

private:
  int status_;
};

// What a build prints on stderr besides "building '...'..." and the failures: as Nix's old
// front ends (nix-store -r, nix-build, nix-env) by default; `nix build` sets it as Nix 2.8's does.
struct BuildReporting {
  bool printMissing = true;    // "these N derivations will be built:" before building
  bool printLogs = true;       // the builders' output as it comes
  bool logPrefix = false;      // ... each line prefixed "<name>> " (nix build -L)
  bool logTail = true;         // a failure's message ends with "last N log lines: ..."
  // "error: N dependencies of derivation '...' failed to build" for each derivation not built
  // because its inputs failed, dependencies first (nix build).
  bool dependencyFailures = false;
  // A valid user environment (nix-env: the profile's current generation) whose links
  // builtin:buildenv may share: a link of the new environment that the old one has at the same
  // place with the same target becomes a hard link to it (no new inode), as
  // auto-optimise-store would make it afterwards.
  std::optional<StorePath> shareLinksFrom;
};

// Builds the outputs of `drvs` (and what they need) that are not valid. Prints Nix's progress
// messages and the builders' logs on stderr, each failure as "error: builder for '...' failed
// with exit code N; last N log lines: ..." (see BuildReporting). With BuildMode::check, rebuilds
// the derivations (not their inputs) and compares. Throws BuildFailed if anything failed, Error
// (e.g. a missing .drv, an invalid input source) before building anything.
void buildDerivations(LocalStore& store, const Settings& settings, const std::vector<StorePath>& drvs,
                      BuildMode mode = BuildMode::normal, const BuildReporting& reporting = {});

// The derivations buildDerivations would build, dependencies first. Throws as buildDerivations
// before building.
std::vector<StorePath> derivationsToBuild(LocalStore& store, const std::vector<StorePath>& drvs,
                                          BuildMode mode = BuildMode::normal);

// Nix's repairPath: if valid `path` is missing or modified on disk, rebuilds its deriver in
// repair mode. Throws Error "cannot repair path '...'" if it has no valid deriver, BuildFailed.
void repairPath(LocalStore& store, const Settings& settings, const StorePath& path);

// Prints them on stderr as Nix's printMissing ("this derivation will be built:" / "these N
// derivations will be built:", then one indented path per line); nothing if there are none.
void printMissing(LocalStore& store, const std::vector<StorePath>& drvs, BuildMode mode = BuildMode::normal);

} // namespace nixpp
