#include "store/open_store.h"

#include "store/dummy_store.h"
#include "store/local_store.h"
#include "store/settings.h"
#include "store/store_url.h"

namespace nixpp {

std::unique_ptr<Store> openStore(const Settings& settings, const std::string& url) {
  StoreUrl u = StoreUrl::parse(url);
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
