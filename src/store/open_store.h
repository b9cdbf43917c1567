// store/open_store.h: opening the store a command asked for, by URL (--store, the `store`
// setting, NIX_REMOTE).
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace nixpp {

struct Settings;

// "dummy://" opens an empty store that refuses writes (store/dummy_store.h).
// "auto", "local", "local?root=DIR" and a bare path (a chroot store) open a LocalStore. Every
// other kind (daemon, unix://, file://, http(s)://, ssh://...) throws Error
// "store type '<url>' is not supported yet"; an unparsable URL throws BadStoreUrl.
std::unique_ptr<Store> openStore(const Settings& settings, const std::string& url);
// The store named by settings.store.
std::unique_ptr<Store> openStore(const Settings& settings);

} // namespace nixpp
