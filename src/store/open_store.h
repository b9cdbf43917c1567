// store/open_store.h: opening the store a command asked for, by URL (--store, the `store`
// setting, NIX_REMOTE).
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace nixpp {

struct Settings;

// What `auto` (the default store) depends on, gathered from the system by openStore.
struct AutoStoreFacts {
  bool stateDirWritable = false;  // access(stateDir, R_OK|W_OK) == 0
  bool stateDirExists = false;
  bool daemonSocketExists = false;  // <stateDir>/daemon-socket/socket
  bool isRoot = false;
  bool dirsFromEnv = false;         // NIX_STORE_DIR or NIX_STATE_DIR is set
  bool hasParams = false;           // "auto?..."
  std::string dataDir;              // $XDG_DATA_HOME, else ~/.local/share
};

enum class AutoStoreKind { local, daemon, chroot };

// Nix 2.8's choice for `auto`: the local store if its state directory is writable; else the
// daemon if its socket exists; else, for a non-root user on Linux whose /nix/var/nix does not
// exist (and no NIX_STORE_DIR / NIX_STATE_DIR, no parameters), a chroot store under
// <dataDir>/nix/root; else the local store (which will fail on permissions). Pure.
AutoStoreKind chooseAutoStore(const AutoStoreFacts& facts);

// "dummy://" opens an empty store that refuses writes (store/dummy_store.h).
// "auto", "local", "local?root=DIR" and a bare path (a chroot store) open a LocalStore. Every
// other kind (daemon, unix://, file://, http(s)://, ssh://...) throws Error
// "store type '<url>' is not supported yet"; an unparsable URL throws BadStoreUrl.
std::unique_ptr<Store> openStore(const Settings& settings, const std::string& url);
// The store named by settings.store.
std::unique_ptr<Store> openStore(const Settings& settings);

} // namespace nixpp
