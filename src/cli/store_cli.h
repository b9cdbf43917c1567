// cli/store_cli.h: helpers shared by the front-ends that work on a store (nix-store, nix
// path-info, nix store ...): opening the store from the settings, and turning command-line
// paths into store paths as Nix does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/settings.h"
#include "store/store.h"

namespace nixpp {

// A store opened lazily from the settings (so commands that need none, e.g. --dump, never open one).
class StoreRef {
public:
  explicit StoreRef(Settings settings) : settings_(std::move(settings)) {}
  Store& operator*();
  Store* operator->() { return &**this; }
  const Settings& settings() const { return settings_; }
  // Commits the store's deferred registrations (LocalStore::flush) if it was opened: before
  // printing paths that the evaluation added.
  void flush();

private:
  Settings settings_;
  std::unique_ptr<Store> store_;
};

// Nix's followLinksToStorePath: makes `path` absolute, follows symlinks until it is in the store,
// and returns the store path containing it. Throws BadStorePath "path '...' is not in the Nix store".
StorePath followLinksToStorePath(Store& store, const std::string& path);

// The base name of a path ("/a/b/" -> "b").
std::string baseNameOf(const std::string& path);

// Nix's topologically sorted order for printing: references before their referrers.
std::vector<StorePath> referencesFirst(Store& store, const StorePathSet& paths);

} // namespace nixpp
