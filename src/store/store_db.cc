#include "store/store_db.h"

#include <sqlite3.h>

#include <ctime>
#include <unordered_set>

#include "util/strings.h"

namespace nixpp {

// --- Sqlite --------------------------------------------------------------------------------

namespace {
// SQLite keeps memory statistics under a global mutex taken around every allocation; nothing
// here reads them. Only possible before SQLite initialises (else SQLITE_MISUSE, ignored).
void disableSqliteMemStatus() {
  static const int done = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)done;
}
} // namespace

Sqlite::Sqlite(const std::string& path, bool create) {
  disableSqliteMemStatus();
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError("cannot open SQLite database '" + path + "': " + msg);
  }
  sqlite3_busy_timeout(db_, 60 * 1000);
  sqlite3_extended_result_codes(db_, 0);
}

Sqlite::~Sqlite() {
  if (db_) sqlite3_close_v2(db_);
}

void Sqlite::fail(const std::string& what) const {
  throw SqliteError(what + ": " + sqlite3_errmsg(db_));
}

void Sqlite::exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    fail("executing SQLite statement '" + sql + "'");
}

int64_t Sqlite::lastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

// --- SqliteStmt ----------------------------------------------------------------------------

SqliteStmt::SqliteStmt(Sqlite& db, const std::string& sql) : db_(db), sql_(sql) {
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
    db.fail("creating statement '" + sql + "'");
}

SqliteStmt::~SqliteStmt() { sqlite3_finalize(stmt_); }

SqliteStmt& SqliteStmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

SqliteStmt& SqliteStmt::bind(int i, std::string_view s) {
  if (sqlite3_bind_text(stmt_, i, s.data(), int(s.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    db_.fail("binding argument");
  return *this;
}

SqliteStmt& SqliteStmt::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) db_.fail("binding argument");
  return *this;
}

SqliteStmt& SqliteStmt::bindNull(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) db_.fail("binding argument");
  return *this;
}

SqliteStmt& SqliteStmt::bindOpt(int i, const std::optional<std::string>& s) {
  return s ? bind(i, *s) : bindNull(i);
}

bool SqliteStmt::step() {
  int r = sqlite3_step(stmt_);
  if (r == SQLITE_ROW) return true;
  if (r == SQLITE_DONE) return false;
  db_.fail("executing SQLite query '" + sql_ + "'");
}

bool SqliteStmt::isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string SqliteStmt::text(int col) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, size_t(sqlite3_column_bytes(stmt_, col))) : std::string();
}

int64_t SqliteStmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

// --- SqliteTxn -----------------------------------------------------------------------------

SqliteTxn::SqliteTxn(Sqlite& db) : db_(db) { db.exec("begin immediate"); }

void SqliteTxn::commit() {
  db_.exec("commit");
  active_ = false;
}

SqliteTxn::~SqliteTxn() {
  if (active_) sqlite3_exec(db_.get(), "rollback", nullptr, nullptr, nullptr);
}

// --- SqliteReadTxn -------------------------------------------------------------------------

SqliteReadTxn::SqliteReadTxn(Sqlite& db) : db_(db) {
  if (sqlite3_get_autocommit(db.get()) == 0) return;  // inside a transaction already
  db.exec("begin");
  active_ = true;
}

SqliteReadTxn::~SqliteReadTxn() {
  // Nothing was written: commit and rollback only end the snapshot.
  if (active_) sqlite3_exec(db_.get(), "commit", nullptr, nullptr, nullptr);
}

// --- StoreDb -------------------------------------------------------------------------------

namespace {

// Nix's schema.sql (schema version 10), in Nix's words, so that `.schema` looks the same.
constexpr const char* schemaSql = R"(
create table if not exists ValidPaths (
    id               integer primary key autoincrement not null,
    path             text unique not null,
    hash             text not null,
    registrationTime integer not null,
    deriver          text,
    narSize          integer,
    ultimate         integer, -- null implies "false"
    sigs             text, -- space-separated
    ca               text -- if not null, an assertion that the path is content-addressed; see ValidPathInfo
);

create table if not exists Refs (
    referrer  integer not null,
    reference integer not null,
    primary key (referrer, reference),
    foreign key (referrer) references ValidPaths(id) on delete cascade,
    foreign key (reference) references ValidPaths(id) on delete restrict
);

create index if not exists IndexReferrer on Refs(referrer);
create index if not exists IndexReference on Refs(reference);

-- Paths can refer to themselves, causing a tuple (N, N) in the Refs
-- table.  This causes a deletion of the corresponding row in
-- ValidPaths to cause a foreign key constraint violation (due to `on
-- delete restrict' on the `reference' column).  Therefore, explicitly
-- get rid of self-references.
create trigger if not exists DeleteSelfRefs before delete on ValidPaths
  begin
    delete from Refs where referrer = old.id and reference = old.id;
  end;

create table if not exists DerivationOutputs (
    drv  integer not null,
    id   text not null, -- symbolic output id, usually "out"
    path text not null,
    primary key (drv, id),
    foreign key (drv) references ValidPaths(id) on delete cascade
);

create index if not exists IndexDerivationOutputs on DerivationOutputs(path);
)";

// As Nix: WAL, "normal" syncing (durable at checkpoints, never corrupt), foreign keys.
bool configure(Sqlite& db, bool create) {
  db.exec("pragma foreign_keys = 1");
  // WAL is a property of the file: switch only if needed (the switch takes an exclusive lock).
  {
    SqliteStmt mode(db, "pragma main.journal_mode");
    if (!mode.step() || mode.text(0) != "wal") {
      mode.reset();
      db.exec("pragma main.journal_mode = wal");
    }
  }
  db.exec("pragma synchronous = normal");
  // As Nix: checkpoint (copy the WAL into the database, with an fsync of each) every 40000
  // pages rather than SQLite's 1000, so that adding many paths does not sync every few dozen.
  db.exec("pragma wal_autocheckpoint = 40000");
  if (create) db.exec(schemaSql);
  return true;
}

} // namespace

StoreDb::StoreDb(const std::string& dbFile, StoreDir storeDir, bool create)
    : storeDir_(std::move(storeDir)),
      db_(dbFile, create),
      configured_(configure(db_, create)),
      stmtQueryPathInfo_(db_, "select id, hash, registrationTime, deriver, narSize, ultimate, sigs, ca from ValidPaths where path = ?"),
      stmtQueryReferences_(db_, "select path from Refs join ValidPaths on reference = id where referrer = ?"),
      stmtQueryId_(db_, "select id from ValidPaths where path = ?"),
      stmtRegister_(db_,
                    "insert into ValidPaths (path, hash, registrationTime, deriver, narSize, ultimate, sigs, ca) "
                    "values (?, ?, ?, ?, ?, ?, ?, ?)"),
      stmtUpdate_(db_,
                  "update ValidPaths set narSize = ?, hash = ?, ultimate = ?, sigs = ?, ca = ? where path = ?"),
      stmtAddRef_(db_, "insert or replace into Refs (referrer, reference) values (?, ?)"),
      stmtQueryRefIds_(db_, "select reference from Refs where referrer = ?"),
      stmtQueryPathOfId_(db_, "select path from ValidPaths where id = ?") {}

std::optional<int64_t> StoreDb::queryId(const StorePath& path) {
  // Each cached statement is reset once read: a statement left on a row keeps its read
  // transaction open, so the connection would go on seeing that old snapshot of the database
  // (missing what other processes registered since) and fail to start a write transaction.
  auto& s = stmtQueryId_.reset().bind(1, storeDir_.printPath(path));
  std::optional<int64_t> id;
  if (s.step()) id = s.int64(0);
  s.reset();
  return id;
}

bool StoreDb::isValidPath(const StorePath& path) { return queryId(path).has_value(); }

std::optional<ValidPathInfo> StoreDb::queryPathInfo(const StorePath& path) {
  auto& s = stmtQueryPathInfo_.reset().bind(1, storeDir_.printPath(path));
  if (!s.step()) return std::nullopt;
  ValidPathInfo info(path);
  int64_t id = s.int64(0);
  info.narHash = Hash::parseAnyPrefixed(s.text(1));
  info.registrationTime = time_t(s.int64(2));
  if (!s.isNull(3) && !s.text(3).empty()) info.deriver = storeDir_.parsePath(s.text(3));
  info.narSize = uint64_t(s.int64(4));
  info.ultimate = s.int64(5) != 0;
  for (auto& sig : tokenizeString(s.text(6), " ")) info.sigs.insert(sig);
  if (!s.isNull(7) && !s.text(7).empty()) info.ca = ContentAddress::parse(s.text(7));
  s.reset();
  auto& r = stmtQueryReferences_.reset().bind(1, id);
  while (r.step()) info.references.insert(storeDir_.parsePath(r.text(0)));
  r.reset();
  return info;
}

StorePathSet StoreDb::queryAllValidPaths() {
  SqliteStmt s(db_, "select path from ValidPaths");
  StorePathSet res;
  while (s.step()) res.insert(storeDir_.parsePath(s.text(0)));
  return res;
}

StorePathSet StoreDb::queryReferrers(const StorePath& path) {
  SqliteStmt s(db_,
               "select path from Refs join ValidPaths on referrer = id where reference = "
               "(select id from ValidPaths where path = ?)");
  s.bind(1, storeDir_.printPath(path));
  StorePathSet res;
  while (s.step()) res.insert(storeDir_.parsePath(s.text(0)));
  return res;
}

StorePathSet StoreDb::queryValidDerivers(const StorePath& path) {
  SqliteStmt s(db_,
               "select v.path from DerivationOutputs d join ValidPaths v on d.drv = v.id where d.path = ?");
  s.bind(1, storeDir_.printPath(path));
  StorePathSet res;
  while (s.step()) res.insert(storeDir_.parsePath(s.text(0)));
  return res;
}

std::map<std::string, StorePath> StoreDb::queryDerivationOutputs(const StorePath& drv) {
  SqliteStmt s(db_,
               "select id, path from DerivationOutputs where drv = (select id from ValidPaths where path = ?)");
  s.bind(1, storeDir_.printPath(drv));
  std::map<std::string, StorePath> res;
  while (s.step()) res.emplace(s.text(0), storeDir_.parsePath(s.text(1)));
  return res;
}

std::optional<StorePath> StoreDb::queryPathFromHashPart(std::string_view hashPart) {
  std::string prefix = storeDir_.to_string() + "/" + std::string(hashPart);
  SqliteStmt s(db_, "select path from ValidPaths where path >= ? limit 1");
  s.bind(1, prefix);
  if (!s.step()) return std::nullopt;
  std::string p = s.text(0);
  if (p.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  return storeDir_.parsePath(p);
}

const StorePath& StoreDb::pathOfId(int64_t id, std::unordered_map<int64_t, StorePath>& memo) {
  if (auto it = memo.find(id); it != memo.end()) return it->second;
  auto& s = stmtQueryPathOfId_.reset().bind(1, id);
  if (!s.step()) throw SqliteError("store database: no valid path with id " + std::to_string(id));
  StorePath p = storeDir_.parsePath(s.text(0));
  s.reset();
  return memo.emplace(id, std::move(p)).first->second;
}

StorePathSet StoreDb::queryClosure(const StorePathSet& paths, bool flip, bool includeOutputs) {
  SqliteReadTxn txn(db_);
  StorePathSet res;
  // The walk is over row ids (an integer compare each); paths are read and parsed once, at the end.
  std::unordered_map<int64_t, StorePath> known;  // ids of `paths`, and then of the whole closure
  std::unordered_set<int64_t> seen;
  std::vector<int64_t> order, todo;
  for (auto& p : paths) {
    auto id = queryId(p);
    if (!id) {
      if (flip) {  // nothing refers to an invalid path
        res.insert(p);
        continue;
      }
      throw InvalidPath("path '" + storeDir_.printPath(p) + "' is not valid");
    }
    known.try_emplace(*id, p);
    if (seen.insert(*id).second) todo.push_back(*id);
  }
  SqliteStmt referrers(db_, "select referrer from Refs where reference = ?");
  std::optional<SqliteStmt> extra;  // with includeOutputs: valid outputs, or valid derivers
  if (includeOutputs)
    extra.emplace(db_, flip ? "select d.drv from DerivationOutputs d join ValidPaths v on d.path = v.path "
                              "where v.id = ?"
                            : "select v.id from DerivationOutputs d join ValidPaths v on d.path = v.path "
                              "where d.drv = ?");
  auto follow = [&](SqliteStmt& s, int64_t id) {
    s.reset().bind(1, id);
    while (s.step())
      if (int64_t n = s.int64(0); seen.insert(n).second) todo.push_back(n);
    s.reset();
  };
  while (!todo.empty()) {
    int64_t id = todo.back();
    todo.pop_back();
    order.push_back(id);
    follow(flip ? referrers : stmtQueryRefIds_, id);
    if (extra) follow(*extra, id);
  }
  for (int64_t id : order) res.insert(pathOfId(id, known));
  return res;
}

std::map<StorePath, StorePathSet> StoreDb::queryReferencesOf(const StorePathSet& paths) {
  SqliteReadTxn txn(db_);
  std::map<StorePath, StorePathSet> res;
  std::unordered_map<int64_t, StorePath> names;
  std::vector<int64_t> refIds;
  for (auto& p : paths) {
    auto id = queryId(p);
    if (!id) throw InvalidPath("path '" + storeDir_.printPath(p) + "' is not valid");
    names.try_emplace(*id, p);
    refIds.clear();
    auto& s = stmtQueryRefIds_.reset().bind(1, *id);
    while (s.step()) refIds.push_back(s.int64(0));
    s.reset();
    StorePathSet refs;
    for (int64_t r : refIds) refs.insert(pathOfId(r, names));
    res.emplace(p, std::move(refs));
  }
  return res;
}

void StoreDb::registerValidPaths(const std::vector<ValidPathInfo>& infos,
                                 const std::map<StorePath, std::map<std::string, StorePath>>& drvOutputs) {
  SqliteTxn txn(db_);
  time_t now = ::time(nullptr);
  std::map<StorePath, int64_t> ids;
  std::optional<SqliteStmt> addOutput;
  for (auto& info : infos) {
    std::string sigs = concatStringsSep(" ", std::vector<std::string>(info.sigs.begin(), info.sigs.end()));
    std::optional<std::string> ca;
    if (info.ca) ca = info.ca->to_string();
    std::string hash = info.narHash.to_string(HashFormat::base16, true);
    if (auto id = queryId(info.path)) {
      stmtUpdate_.reset();
      if (info.narSize) stmtUpdate_.bind(1, int64_t(info.narSize)); else stmtUpdate_.bindNull(1);
      stmtUpdate_.bind(2, hash);
      if (info.ultimate) stmtUpdate_.bind(3, int64_t(1)); else stmtUpdate_.bindNull(3);
      stmtUpdate_.bindOpt(4, sigs.empty() ? std::nullopt : std::optional(sigs));
      stmtUpdate_.bindOpt(5, ca);
      stmtUpdate_.bind(6, storeDir_.printPath(info.path));
      stmtUpdate_.run();
      ids[info.path] = *id;
    } else {
      stmtRegister_.reset();
      stmtRegister_.bind(1, storeDir_.printPath(info.path));
      stmtRegister_.bind(2, hash);
      stmtRegister_.bind(3, int64_t(info.registrationTime ? info.registrationTime : now));
      stmtRegister_.bindOpt(4, info.deriver ? std::optional(storeDir_.printPath(*info.deriver)) : std::nullopt);
      if (info.narSize) stmtRegister_.bind(5, int64_t(info.narSize)); else stmtRegister_.bindNull(5);
      if (info.ultimate) stmtRegister_.bind(6, int64_t(1)); else stmtRegister_.bindNull(6);
      stmtRegister_.bindOpt(7, sigs.empty() ? std::nullopt : std::optional(sigs));
      stmtRegister_.bindOpt(8, ca);
      stmtRegister_.run();
      ids[info.path] = db_.lastInsertRowId();
    }
    if (auto d = drvOutputs.find(info.path); d != drvOutputs.end()) {
      if (!addOutput)  // prepared once per call: a batch may hold thousands of derivations
        addOutput.emplace(db_, "insert or replace into DerivationOutputs (drv, id, path) values (?, ?, ?)");
      for (auto& [name, out] : d->second)
        addOutput->reset().bind(1, ids[info.path]).bind(2, name).bind(3, storeDir_.printPath(out)).run();
    }
  }
  for (auto& info : infos) {
    for (auto& ref : info.references) {
      int64_t refId;
      if (auto it = ids.find(ref); it != ids.end()) {
        refId = it->second;
      } else if (auto id = queryId(ref)) {
        refId = *id;
      } else {
        throw InvalidPath("path '" + storeDir_.printPath(ref) + "' is not valid");
      }
      stmtAddRef_.reset().bind(1, ids[info.path]).bind(2, refId).run();
    }
  }
  txn.commit();
}

void StoreDb::updatePathInfo(const ValidPathInfo& info) {
  SqliteStmt s(db_, "update ValidPaths set narSize = ?, hash = ? where path = ?");
  s.bind(1, int64_t(info.narSize)).bind(2, info.narHash.to_string(HashFormat::base16, true));
  s.bind(3, storeDir_.printPath(info.path)).run();
  if (sqlite3_changes(db_.get()) == 0)
    throw InvalidPath("path '" + storeDir_.printPath(info.path) + "' is not valid");
}

void StoreDb::invalidatePath(const StorePath& path) {
  SqliteTxn txn(db_);
  auto referrers = queryReferrers(path);
  referrers.erase(path);
  if (!referrers.empty())
    throw Error("cannot delete path '" + storeDir_.printPath(path) + "' because it is in use by '" +
                storeDir_.printPath(*referrers.begin()) + "'");
  SqliteStmt s(db_, "delete from ValidPaths where path = ?");
  s.bind(1, storeDir_.printPath(path)).run();
  txn.commit();
}

} // namespace nixpp
