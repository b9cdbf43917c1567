// store/store_db.h: the local store's SQLite database, with Nix's own schema (schema version 10,
// as Nix 2.x), so that Nix 2.8 and nixpp can open each other's stores:
//   ValidPaths(id, path, hash "sha256:<base16>", registrationTime, deriver, narSize, ultimate,
//              sigs, ca), Refs(referrer, reference), DerivationOutputs(drv, id, path),
//   indices IndexReferrer, IndexReference, IndexDerivationOutputs, trigger DeleteSelfRefs.
// Paths are stored printed ("/nix/store/<hash>-<name>", with the store's logical store dir).
// Opened in WAL mode with foreign keys on. A busy database is waited for (up to a minute).
//
// Crash safety: every change is one SQLite transaction; a crash rolls it back entirely.
// Thread safety: none; one StoreDb per thread (SQLite connections are not shared).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "format/store_path.h"
#include "store/path_info.h"
#include "util/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace nixpp {

// A failed SQLite call: "<what>: <sqlite's message>".
NIXPP_DECLARE_ERROR(SqliteError, Error);
// A store path that is not valid: "path '/nix/store/...' is not valid".
NIXPP_DECLARE_ERROR(InvalidPath, Error);

// An open SQLite connection. Move-only; closes on destruction.
class Sqlite {
public:
  // Opens `path` (creating it if `create`), sets a busy timeout. Throws SqliteError.
  Sqlite(const std::string& path, bool create);
  ~Sqlite();
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  // Runs SQL statements with no results. Throws SqliteError.
  void exec(const std::string& sql);
  int64_t lastInsertRowId() const;
  sqlite3* get() const { return db_; }
  [[noreturn]] void fail(const std::string& what) const;

private:
  sqlite3* db_ = nullptr;
};

// A prepared statement. Use: reset(), bind parameters (1-based), then step() for each row.
class SqliteStmt {
public:
  SqliteStmt(Sqlite& db, const std::string& sql);
  ~SqliteStmt();
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;

  SqliteStmt& reset();
  SqliteStmt& bind(int i, std::string_view s);
  SqliteStmt& bind(int i, int64_t v);
  SqliteStmt& bindNull(int i);
  // Binds `s` if set, NULL otherwise.
  SqliteStmt& bindOpt(int i, const std::optional<std::string>& s);
  // Steps once: true if a row is available. Throws SqliteError on errors.
  bool step();
  // Steps a statement without results to completion.
  void run() { while (step()) {} }

  bool isNull(int col) const;
  std::string text(int col) const;  // "" for NULL
  int64_t int64(int col) const;     // 0 for NULL

private:
  Sqlite& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

// A transaction ("begin immediate"), rolled back on destruction unless commit() was called.
class SqliteTxn {
public:
  explicit SqliteTxn(Sqlite& db);
  ~SqliteTxn();
  SqliteTxn(const SqliteTxn&) = delete;
  SqliteTxn& operator=(const SqliteTxn&) = delete;
  void commit();

private:
  Sqlite& db_;
  bool active_ = true;
};

// A read transaction ("begin", deferred): the queries inside it see one snapshot and take
// SQLite's file locks once, instead of once per statement (a lock, an unlock and a stat of the
// WAL each). Ended on destruction; a no-op inside a transaction already open.
class SqliteReadTxn {
public:
  explicit SqliteReadTxn(Sqlite& db);
  ~SqliteReadTxn();
  SqliteReadTxn(const SqliteReadTxn&) = delete;
  SqliteReadTxn& operator=(const SqliteReadTxn&) = delete;

private:
  Sqlite& db_;
  bool active_ = false;
};

// The schema version Nix 2.x writes to <state>/db/schema.
inline constexpr int nixSchemaVersion = 10;

// The store database: path infos, references, derivation outputs.
class StoreDb {
public:
  // Opens `dbFile`; with `create`, creates the tables and indices if missing (idempotent).
  // Throws SqliteError.
  StoreDb(const std::string& dbFile, StoreDir storeDir, bool create);

  const StoreDir& storeDir() const { return storeDir_; }
  Sqlite& sqlite() { return db_; }

  bool isValidPath(const StorePath& path);
  std::optional<ValidPathInfo> queryPathInfo(const StorePath& path);
  StorePathSet queryAllValidPaths();
  // Valid paths that refer to `path` (including itself if it refers to itself).
  StorePathSet queryReferrers(const StorePath& path);
  // Derivations that have `path` as an output and are valid.
  StorePathSet queryValidDerivers(const StorePath& path);
  // The outputs (name -> path) recorded for derivation `drv`.
  std::map<std::string, StorePath> queryDerivationOutputs(const StorePath& drv);
  std::optional<StorePath> queryPathFromHashPart(std::string_view hashPart);
  // The closure of `paths` (Store::queryClosure), walked over row ids in one read transaction.
  // Throws InvalidPath for an invalid path among `paths` (except with `flip`, where an invalid
  // path's closure is itself, as in the generic walk).
  StorePathSet queryClosure(const StorePathSet& paths, bool flip, bool includeOutputs);
  // The references of each of `paths`, in one read transaction. Throws InvalidPath.
  std::map<StorePath, StorePathSet> queryReferencesOf(const StorePathSet& paths);

  // Registers `infos` as valid, in one transaction: adds rows (or updates hash, size, deriver,
  // ca, sigs and ultimate of paths already valid), then their references, which must each be
  // valid or among `infos` (else throws InvalidPath "path '...' is not valid" and registers
  // nothing). `drvOutputs` gives, for .drv paths among `infos`,
  // their output names and paths. registrationTime 0 means now.
  void registerValidPaths(const std::vector<ValidPathInfo>& infos,
                          const std::map<StorePath, std::map<std::string, StorePath>>& drvOutputs = {});

  // Sets narHash and narSize of a valid path (after a repair). Throws if it is not valid.
  void updatePathInfo(const ValidPathInfo& info);

  // Removes `path` from the database (with its references and derivation outputs). Throws
  // Error "cannot delete path '...' because it is in use by ..." if others refer to it.
  void invalidatePath(const StorePath& path);

private:
  std::optional<int64_t> queryId(const StorePath& path);
  // The path of row `id` (memoised in `memo`).
  const StorePath& pathOfId(int64_t id, std::unordered_map<int64_t, StorePath>& memo);
  StoreDir storeDir_;
  Sqlite db_;
  bool configured_;  // pragmas set and schema created before the statements are prepared
  SqliteStmt stmtQueryPathInfo_, stmtQueryReferences_, stmtQueryId_, stmtRegister_, stmtUpdate_,
      stmtAddRef_, stmtQueryRefIds_, stmtQueryPathOfId_;
};

} // namespace nixpp
