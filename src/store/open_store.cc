#include "store/open_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>

#include "store/dummy_store.h"
#include "store/local_store.h"
#include "store/settings.h"
#include "store/store_url.h"
#include "util/strings.h"

namespace nixpp {

AutoStoreKind chooseAutoStore(const AutoStoreFacts& f) {
  if (f.stateDirWritable) return AutoStoreKind::local;
  if (f.daemonSocketExists) return AutoStoreKind::daemon;
  if (!f.stateDirExists && !f.hasParams && !f.isRoot && !f.dirsFromEnv && !f.dataDir.empty())
    return AutoStoreKind::chroot;
  return AutoStoreKind::local;
}

namespace {

AutoStoreFacts gatherAutoStoreFacts(const Settings& settings, const StoreUrl& u) {
  AutoStoreFacts f;
  struct stat st;
  f.stateDirWritable = ::access(settings.stateDir.c_str(), R_OK | W_OK) == 0;
  f.stateDirExists = ::stat(settings.stateDir.c_str(), &st) == 0;
  f.daemonSocketExists = ::stat((settings.stateDir + "/daemon-socket/socket").c_str(), &st) == 0;
  f.isRoot = ::getuid() == 0;
  f.dirsFromEnv = ::getenv("NIX_STORE_DIR") || ::getenv("NIX_STATE_DIR");
  f.hasParams = !u.params.empty();
  if (const char* x = ::getenv("XDG_DATA_HOME"); x && *x) f.dataDir = x;
  else if (const char* h = ::getenv("HOME"); h && *h) f.dataDir = std::string(h) + "/.local/share";
  return f;
}

// The chroot store of a user without /nix: <dataDir>/nix/root, created (with a warning, as Nix
// prints it) the first time.
std::unique_ptr<Store> openUserChrootStore(const Settings& settings, const std::string& dataDir) {
  std::string root = dataDir + "/nix/root";
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) {
    std::string dir;
    for (auto& part : splitString(root.substr(1), '/')) {
      dir += "/" + part;
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return std::make_unique<LocalStore>(LocalStoreConfig::make(settings, ""));  // as Nix: give up quietly
    }
    std::cerr << "warning: '" << settings.stateDir << "' does not exist, so Nix will use '" << root
              << "' as a chroot store\n";
  }
  return std::make_unique<LocalStore>(LocalStoreConfig::make(settings, root));
}

} // namespace

std::unique_ptr<Store> openStore(const Settings& settings, const std::string& url) {
  StoreUrl u = StoreUrl::parse(url);
  if (u.scheme == "auto") {
    auto facts = gatherAutoStoreFacts(settings, u);
    switch (chooseAutoStore(facts)) {
      case AutoStoreKind::chroot:
        return openUserChrootStore(settings, facts.dataDir);
      case AutoStoreKind::daemon:
        throw Error("cannot open the store: '" + settings.stateDir +
                    "' is not writable and nixpp does not support the Nix daemon yet");
      case AutoStoreKind::local:
        break;
    }
  }
  if (u.scheme == "auto" || u.scheme == "local") {
    for (auto& [k, v] : u.params)
      if (k != "root") throw Error("store parameter '" + k + "' is not supported yet");
    auto root = u.params.count("root") ? u.params.at("root") : std::string();
    return std::make_unique<LocalStore>(LocalStoreConfig::make(settings, root));
  }
  if (u.scheme == "dummy") return makeDummyStore(settings.storeDir);
  throw Error("store type '" + url + "' is not supported yet");
}

std::unique_ptr<Store> openStore(const Settings& settings) { return openStore(settings, settings.store); }

} // namespace nixpp
