// cli/gc_cli.h: the garbage collector's front-ends (store/gc.h): the nix-store operations
// --gc, --delete, --optimise and the --roots query, `nix-collect-garbage`, `nix store gc` and
// `nix store optimise`. Output as Nix 2.8: roots and path lists on stdout, progress on stderr,
// "N store paths deleted, X MiB freed" on stdout (also when a --delete is refused).
#pragma once

#include <string>
#include <vector>

#include "cli/store_cli.h"

namespace nixpp {

using Strings = std::vector<std::string>;

// nix-store operations (the signature of nix_store.cc's operation table).
int nixStoreOpGc(StoreRef& store, const Strings& opFlags, const Strings& opArgs);
int nixStoreOpDelete(StoreRef& store, const Strings& opFlags, const Strings& opArgs);
int nixStoreOpOptimise(StoreRef& store, const Strings& opFlags, const Strings& opArgs);

// `nix-store -q --roots`: prints "LINK -> PATH" for each root whose closure contains one of
// `paths` (keep-outputs / keep-derivations respected, as Nix).
void printRootsOf(StoreRef& store, const StorePathSet& paths);

// "N" with an optional K/M/G/T suffix, as Nix's getIntArg with units. Throws UsageError.
uint64_t parseSizeArg(const std::string& flag, const std::string& value);

int nixCollectGarbageMain(Strings args);  // nix-collect-garbage
int nixStoreGcCommand(Strings args);      // nix store gc
int nixStoreOptimiseCommand(Strings args);  // nix store optimise

} // namespace nixpp
