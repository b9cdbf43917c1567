// store/optimise.h: deduplicating the store by hard links, as Nix does (nix-store --optimise,
// auto-optimise-store): every regular file and symlink in the store is hard-linked from
// <realStoreDir>/.links/<nix-base32 of the sha256 of its NAR serialisation>; a file whose
// contents are already there is replaced by a link to it (link to a temporary name in the store
// directory, then rename over the file: atomic, so a crash leaves the file or the link, at worst
// a stray ".tmp-link-*"). Writable regular files are skipped ("suspicious"), as in Nix.
// The collector removes links nothing else uses any more (removeUnusedLinks).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <unordered_set>

#include <sys/types.h>

namespace nixpp {

class LocalStore;

struct OptimiseStats {
  uint64_t filesLinked = 0;
  uint64_t bytesFreed = 0;
};

// Optimises one tree under `realStoreDir` (a store path, or a complete temporary tree about to
// become one). `linkedInodes`: inodes known to be in .links already (may be empty).
// Throws SysError.
void optimisePath(const std::string& realStoreDir, const std::string& path, OptimiseStats& stats,
                  std::unordered_set<ino_t>* linkedInodes = nullptr);

// Optimises every valid path of `store`. Throws SysError.
void optimiseStore(LocalStore& store, OptimiseStats& stats);

// Deletes the links in .links that nothing else uses (link count 1), adding their sizes to
// `bytesFreed`, and prints Nix's "note: currently hard linking saves X MiB" to `log`.
void removeUnusedLinks(const std::string& realStoreDir, uint64_t& bytesFreed, std::ostream& log);

} // namespace nixpp
