// store/dummy_store.h: Nix's `dummy://` store: a store with no paths that refuses every write.
// It is what an evaluation that must not touch any store uses (Nix's language tests run with
// NIX_REMOTE=dummy://): store paths are still computed from the store directory, but nothing
// is read from or written to disk.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace nixpp {

// An empty, read-only store over `storeDir` (a path is never valid; adding one throws Error
// "dummy store does not support adding paths"). Not thread-safe (as every Store).
std::unique_ptr<Store> makeDummyStore(std::string storeDir);

} // namespace nixpp
