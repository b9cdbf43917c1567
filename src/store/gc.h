// store/gc.h: the garbage collector of a local store (nix-store --gc / --delete,
// nix-collect-garbage, nix store gc).
//
// A path is live if a root holds it (store/roots.h: gcroots, profiles, running processes,
// temporary roots) or if a live path refers to it; with keep-derivations (default true) a live
// output keeps its deriver, with keep-outputs (default false) a live derivation keeps its
// outputs. Everything else is dead.
//
// A collection takes the global GC lock exclusively and starts a RootServer
// (store/temp_roots.h) before it reads any root, so that a process adding a temporary root
// meanwhile never loses it. It reads the temporary roots before the gcroots tree: a process
// that registers a path and exits in between made it valid before the links are looked at, so
// a root made in advance (a link to a path not yet valid) holds it. Dead paths are invalidated
// referrers first (a path only after every path referring to it), in batches: the batch is claimed
// from the RootServer (roots received meanwhile are skipped), then, in one SQLite transaction,
// each path whose referrers are all gone is removed from the database (a referrer registered
// meanwhile keeps it); then the invalidated paths are deleted in place, on a few threads, and only
// then is the batch released (a process asking for one of them as a root waits until it is gone).
//
// Crash safety: interrupted anywhere (kill -9), a collection leaves every valid path complete:
// a path is invalidated before any of its files is touched. What is left is at worst invalid,
// half-deleted paths in the store directory, deleted by the next collection (and by an add of the
// same path, which deletes what it finds there under the path's lock). Invalid leftovers in the
// store directory (interrupted adds or builds) are deleted too, unless their "<path>.lock" is
// held or their hash part is a root or temporary root (a build in progress). A .gc-trash left by
// an earlier nixpp is emptied.
#pragma once

#include <cstdint>
#include <ostream>
#include <set>
#include <string>

#include "format/store_path.h"

namespace nixpp {

class LocalStore;

struct GcOptions {
  enum class Action {
    returnLive,      // --print-live: compute the live paths, delete nothing
    returnDead,      // --print-dead: compute the dead paths, delete nothing
    deleteDead,      // --gc: delete every dead path
    deleteSpecific,  // --delete: delete pathsToDelete, refusing live ones
  };
  Action action = Action::deleteDead;
  StorePathSet pathsToDelete;  // for deleteSpecific
  bool ignoreLiveness = false;  // deleteSpecific: ignore the roots (not the referrers)
  uint64_t maxFreed = UINT64_MAX;  // stop deleting once this many bytes are freed
  bool keepOutputs = false;
  bool keepDerivations = true;
};

struct GcResults {
  std::set<std::string> paths;  // printed store paths: live, dead, or deleted
  uint64_t bytesFreed = 0;      // size of the files deleted that had no other hard link
};

// Runs a collection. Progress messages (Nix's "finding garbage collector roots...",
// "deleting '...'") go to `log`. Throws Error "Cannot delete path '...' since it is still
// alive. To find out why, use: nix-store --query --roots" for a live path in deleteSpecific
// (deleting none of them), SysError / SqliteError on I/O failures (what was deleted stays
// deleted; `results` says what).
void collectGarbage(LocalStore& store, const GcOptions& options, GcResults& results, std::ostream& log);

// Nix's "N store paths deleted, X MiB freed" line (and "N store paths would be deleted").
std::string freedSummary(const GcResults& results);

// "%.2f MiB", as Nix's showBytes.
std::string showBytes(uint64_t bytes);

} // namespace nixpp
