// glue/fetcher_cache.h: Nix 2.8's fetcher cache, $XDG_CACHE_HOME/nix/fetcher-cache-v1.sqlite
// (~/.cache by default), shared with Nix: the same table and the same JSON. It maps what was
// fetched (the input attributes, e.g. {"name":"x","type":"file","url":"..."}) to the store path
// it gave and facts about it (ETag, effective URL, lastModified), so that a fetch without a
// hash reuses its last result for tarball-ttl seconds, then revalidates it with its ETag.
// Best effort: a cache that cannot be opened or written is skipped, never an error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "format/store_path.h"

namespace nixpp {

class Store;

class FetcherCache {
public:
  // `ttl`: tarball-ttl, seconds a mutable entry stays current (0: always expired).
  explicit FetcherCache(uint64_t ttl);
  ~FetcherCache();

  struct Entry {
    bool expired;
    std::string info;  // JSON object
    StorePath storePath;
  };
  // The entry for `inAttrs` (a JSON object) whose path is still valid in `store`.
  std::optional<Entry> lookup(Store& store, const nlohmann::json& inAttrs);
  void add(Store& store, const nlohmann::json& inAttrs, const nlohmann::json& info, const StorePath& path,
           bool immutable);

private:
  struct Db;
  uint64_t ttl_;
  std::unique_ptr<Db> db_;  // null when the cache cannot be opened
  bool opened_ = false;
  Db* open();
};

} // namespace nixpp
