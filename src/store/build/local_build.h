// store/build/local_build.h: one derivation built on this machine (Nix's LocalDerivationGoal):
// takes the output locks, creates the build directory and (sandboxed) the chroot, computes the
// environment (build_env.h), starts the builder (builder_process.h / sandbox_linux.h), stores its
// log, and registers the outputs when it has finished (outputs.h). Deletes the build directory
// and chroot afterwards (keep-failed keeps the build directory of a failed build).
#pragma once

#include <memory>

#include "format/derivation.h"
#include "store/build/build.h"
#include "store/build/scheduler.h"

namespace nixpp {

class LocalStore;
struct Settings;

// Starts the build of `drvPath` (as a JobStarter expects): done if all its outputs are valid
// (built by someone else meanwhile), busy if another process holds their locks. Its log goes to
// stderr as `reporting` says (which must outlive the job). Throws BuildError / Error if it cannot
// be started.
JobStart startLocalBuild(LocalStore& store, const Settings& settings, const StorePath& drvPath,
                         const Derivation& drv, BuildMode mode, const BuildReporting& reporting);

} // namespace nixpp
