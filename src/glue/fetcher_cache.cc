#include "glue/fetcher_cache.h"

#include <sys/stat.h>

#include <cerrno>
#include <ctime>
#include <nlohmann/json.hpp>

#include "store/store.h"
#include "store/store_db.h"
#include "sys/file.h"

namespace nixpp {

namespace {

// Nix 2.8's schema, to the byte (Nix creates the table with this text).
constexpr const char* schema = R"sql(

create table if not exists Cache (
    input     text not null,
    info      text not null,
    path      text not null,
    immutable integer not null,
    timestamp integer not null,
    primary key (input)
);
)sql";

// $XDG_CACHE_HOME/nix, or ~/.cache/nix; made if missing. Empty when there is no home.
std::string cacheDir() {
  std::string dir = getEnv("XDG_CACHE_HOME");
  if (dir.empty()) {
    std::string home = getEnv("HOME");
    if (home.empty()) return "";
    dir = home + "/.cache";
  }
  for (auto& d : {dir, dir + "/nix"})
    if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) return "";
  return dir + "/nix";
}

} // namespace

struct FetcherCache::Db {
  Sqlite db;
  SqliteStmt add, lookup;
  explicit Db(const std::string& file)
      : db(file, true),
        add(db, "insert or replace into Cache(input, info, path, immutable, timestamp) values (?, ?, ?, ?, ?)"),
        lookup(db, "select info, path, immutable, timestamp from Cache where input = ?") {}
};

FetcherCache::FetcherCache(uint64_t ttl) : ttl_(ttl) {}
FetcherCache::~FetcherCache() = default;

FetcherCache::Db* FetcherCache::open() {
  if (opened_) return db_.get();
  opened_ = true;
  std::string dir = cacheDir();
  if (dir.empty()) return nullptr;
  try {
    {
      Sqlite init(dir + "/fetcher-cache-v1.sqlite", true);
      init.exec(schema);
    }
    db_ = std::make_unique<Db>(dir + "/fetcher-cache-v1.sqlite");
  } catch (Error&) {
    db_.reset();
  }
  return db_.get();
}

std::optional<FetcherCache::Entry> FetcherCache::lookup(Store& store, const nlohmann::json& inAttrs) {
  Db* db = open();
  if (!db) return std::nullopt;
  try {
    auto& q = db->lookup.reset().bind(1, inAttrs.dump());
    if (!q.step()) return std::nullopt;
    std::string info = q.text(0), path = q.text(1);
    bool immutable = q.int64(2) != 0;
    int64_t timestamp = q.int64(3);
    q.reset();
    const StoreDir& dir = store.storeDir();
    if (!dir.isInStore(path)) return std::nullopt;  // another store's entry
    StorePath sp = dir.toStorePath(path).first;
    store.addTempRoot(sp);
    if (!store.isValidPath(sp)) return std::nullopt;  // collected since
    bool expired = !immutable && (ttl_ == 0 || timestamp + int64_t(ttl_) < int64_t(::time(nullptr)));
    return Entry{expired, info, sp};
  } catch (Error&) {
    return std::nullopt;
  }
}

void FetcherCache::add(Store& store, const nlohmann::json& inAttrs, const nlohmann::json& info, const StorePath& path,
                       bool immutable) {
  Db* db = open();
  if (!db) return;
  try {
    db->add.reset()
        .bind(1, inAttrs.dump())
        .bind(2, info.dump())
        .bind(3, store.storeDir().printPath(path))
        .bind(4, int64_t(immutable ? 1 : 0))
        .bind(5, int64_t(::time(nullptr)))
        .run();
  } catch (Error&) {
  }
}

} // namespace nixpp
