// cli/build_cli.h: what the building front-ends (nix-build, nix build, nix-store --realise) share:
// the local store they need, a derivation's output paths, and result links registered as GC roots.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "store/local_store.h"

namespace nixpp {

// The store as a LocalStore; throws Error "<what> is only supported on local stores" otherwise.
LocalStore& requireLocalStore(Store& store, const std::string& what);

// Output name -> output path of the derivation `drvPath` (read from its .drv file).
std::map<std::string, StorePath> derivationOutputPaths(LocalStore& store, const StorePath& drvPath);

// The build log of `path`: a derivation's own, or that of an output path's deriver; nullopt if
// there is none (as nix-store -l and nix log look it up).
std::optional<std::string> findBuildLog(LocalStore& store, const StorePath& path);

// An installable of the new CLI that names store paths: "/nix/store/...-x.drv" (all outputs),
// "...drv^out,dev" or "...drv!out" (those outputs), or any other path into the store (via
// symlinks, e.g. ./result). Throws BadStorePath for a path outside the store.
struct PathInstallable {
  StorePath path;
  std::optional<std::set<std::string>> outputs;  // for derivations: nullopt = all
};
PathInstallable parsePathInstallable(Store& store, const std::string& arg);

} // namespace nixpp
