// store/local_store.h: the local store: store paths as files under a real store directory, their
// metadata in the SQLite database (store/store_db.h), laid out as Nix lays it out so that Nix 2.8
// and nixpp can share a store:
//   <realStoreDir>/<hash>-<name>          the paths (realStoreDir = root + storeDir for a chroot
//                                         store "local?root=DIR", else the store dir)
//   <stateDir>/db/{db.sqlite,schema,big-lock}, <stateDir>/{gcroots,profiles,temproots}
//   <logDir>
//
// Adding a path: the contents are written under a temporary name inside the store directory,
// hashed while written and made canonical (store/canonicalise.h); then, holding the path's lock
// ("<path>.lock"), any leftover invalid copy is deleted, the temporary is renamed to the final
// name, and the path is registered in one transaction. A crash of the process at any point
// leaves either no valid path, or a complete one: at worst a ".tmp-*" entry or an unregistered
// path, both of which are deleted before the path is added again. As in Nix, contents are
// fsync'ed before registration only with the setting fsync-store-paths (default false): only
// SQLite syncs (its WAL), the page cache is trusted, so a power failure (not a killed process)
// may leave a registered path with lost contents. Two processes adding the same path serialise
// on its lock; both succeed.
//
// Text paths (.drv files, toFile), whose name is known before they are written and whose
// content the name determines, take a faster road (addText): no lock file in the common case.
// After the temporary root, the complete file is written to an unnamed temporary (O_TMPFILE)
// with canonical metadata and linked into place only if nothing is there (linkat fails with
// EEXIST otherwise), so a file at a text path's name written by nixpp is always complete. Only
// when something is there already (a concurrent writer, a crash's leftover, a file Nix 2.8 is
// writing in place under its lock) is the path's lock taken: the file is then kept if its
// contents and metadata are exactly right, and replaced otherwise. Their registration is
// deferred and batched: pending paths are valid for every query of this object (which commits
// them first), and are committed in one transaction by flush(): before any query, before
// adding a path that refers to them, every 500 paths, and on destruction. A crash before the commit leaves
// complete unregistered files (garbage, reused by the next add); a collector never deletes
// them meanwhile, as they are temporary roots of this process from before their creation.
// One residual race remains with Nix 2.8 only: its in-place writer, having found the path
// invalid under its lock, deletes and rewrites (identically) a file nixpp linked meanwhile.
//
// Not thread-safe (one SQLite connection); separate processes may share a store.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "store/store.h"
#include "store/store_db.h"
#include "sys/file.h"

namespace nixpp {

struct Settings;
class TempRoots;

// Where a local store keeps its files.
struct LocalStoreConfig {
  std::string storeDir = "/nix/store";     // the logical store dir: what paths say
  std::string realStoreDir = "/nix/store"; // where they are on disk
  std::string stateDir = "/nix/var/nix";
  std::string logDir = "/nix/var/log/nix";
  std::string rootDir;                     // "" or the root of a chroot store
  bool autoOptimise = false;               // auto-optimise-store: new paths' files are hard-linked
                                           // through <realStoreDir>/.links (store/optimise.h)
  bool fsyncStorePaths = false;            // fsync-store-paths: sync contents before registering

  // From the settings (NIX_STORE_DIR, NIX_STATE_DIR, NIX_LOG_DIR), and for a chroot store
  // (`root` non-empty) Nix's layout under root: root+storeDir, root/nix/var/nix, root/nix/var/log/nix.
  static LocalStoreConfig make(const Settings& settings, const std::string& root);
};

class LocalStore : public Store {
public:
  // Opens the store, creating its directories and database if needed. Throws Error "current Nix
  // store schema is version N, but I only support 10" for a newer store, SysError, SqliteError.
  explicit LocalStore(LocalStoreConfig config);
  ~LocalStore() override;

  std::string url() const override;
  const LocalStoreConfig& config() const { return config_; }
  // Where `path` lives on disk.
  std::string realPath(const StorePath& path) const;

  bool isValidPath(const StorePath& path) override;
  std::optional<ValidPathInfo> queryPathInfoOpt(const StorePath& path) override;
  StorePathSet queryAllValidPaths() override;
  StorePathSet queryReferrers(const StorePath& path) override;
  StorePathSet queryValidDerivers(const StorePath& path) override;
  std::map<std::string, StorePath> queryDerivationOutputs(const StorePath& drvPath) override;
  std::optional<StorePath> queryPathFromHashPart(std::string_view hashPart) override;
  StorePathSet queryClosure(const StorePathSet& paths, bool flipDirection, bool includeOutputs) override;
  std::map<StorePath, StorePathSet> queryReferencesOf(const StorePathSet& paths) override;
  void narFromPath(const StorePath& path, Sink& sink) override;
  void addToStore(const ValidPathInfo& info, Source& nar, Repair repair) override;
  StorePath addToStoreFromDump(Source& dump, std::string_view name, ContentAddressMethod method,
                               HashAlgo algo, const StorePathSet& references, Repair repair) override;
  StorePath addPathToStore(const std::string& fsPath, std::string_view name, ContentAddressMethod method,
                           HashAlgo algo, Repair repair) override;
  VerifyResult verifyStore(bool checkContents, Repair repair) override;
  void addTempRoot(const StorePath& path) override;
  // addTextToStore of the text of a .drv that the caller printed from a derivation whose
  // outputs with known paths are `outputs` (name -> path): registered with them, without
  // parsing the text again (which took 8 % of the instructions of instantiating 3000
  // derivations).
  StorePath addDerivationText(std::string_view name, const std::string& text, const StorePathSet& references,
                              const std::map<std::string, StorePath>& outputs) {
    return addText(name, text, references, Repair::no, &outputs);
  }
  // Registers the pending text paths (see above) in one transaction, making them valid for
  // other processes too: call it before showing such a path to the outside world. Throws
  // SqliteError, InvalidPath; the pending paths are dropped either way (left unregistered).
  void flush();

  // This process's temporary roots and its end of the GC lock protocol (store/temp_roots.h).
  TempRoots& tempRoots();
  // The database, for the collector's bulk queries and batched invalidation (store/gc.h); the
  // pending registrations are committed first.
  StoreDb& db() {
    flush();
    return *db_;
  }

  // Registers paths whose contents are already in place (nix-store --load-db, builds): one
  // transaction. Contents are not checked.
  void registerValidPaths(const std::vector<ValidPathInfo>& infos);

  // The sha256 NAR hash and size of the on-disk contents of `path` (valid or not).
  std::pair<Hash, uint64_t> hashPath(const StorePath& path);

private:
  // Moves a complete temporary tree `tmpPath` into place as `info.path` and registers it. The
  // caller holds the path's lock. `canonical`: its metadata is canonical already.
  void moveIntoPlace(const std::string& tmpPath, const ValidPathInfo& info, bool canonical = false);
  // A fresh temporary name in the store directory, and its removal.
  std::string tempStoreEntry();
  // The end of addToStoreFromDump/addPathToStore: the complete tree at `tmpPath` with these
  // hashes becomes its content-addressed store path (unless valid already).
  StorePath finishAdd(const std::string& tmpPath, std::string_view name, const ContentAddress& ca,
                      const Hash& narHash, uint64_t narSize, const StorePathSet& references, Repair repair,
                      bool canonical);
  // A text path (method text, sha256): written without a lock file, registered by flush().
  // `outputs`: see addDerivationText (else a .drv's outputs are parsed from `text`).
  StorePath addText(std::string_view name, const std::string& text, const StorePathSet& references, Repair repair,
                    const std::map<std::string, StorePath>* outputs = nullptr);
  // Puts a file with exactly `text` and canonical metadata at realPath(path), which is not
  // valid: keeps one that is there already if it is right, else writes it (see above).
  void writeTextPath(const StorePath& path, const std::string& text, Repair repair);
  // flush() if one of `references` is pending: before registering a path referring to it.
  void flushIfReferenced(const StorePathSet& references);
  // Whether `path` is valid, remembered (true only) for paths protected by a temporary root.
  bool isValidCached(const StorePath& path);
  // The outputs of `info.path` if it is a derivation, parsed from `contents` or else from disk.
  std::map<StorePath, std::map<std::string, StorePath>> derivationOutputsOf(const ValidPathInfo& info,
                                                                            const std::string* contents = nullptr);

  LocalStoreConfig config_;
  AutoCloseFd bigLock_;
  std::unique_ptr<StoreDb> db_;
  std::unique_ptr<TempRoots> tempRoots_;
  // Text paths written and not yet registered, with their derivations' outputs.
  std::vector<ValidPathInfo> pending_;
  std::map<StorePath, std::map<std::string, StorePath>> pendingOutputs_;
  StorePathSet pendingSet_;
  // Paths found or made valid while this process holds a temporary root on them: they stay
  // valid (a collector spares them), so their validity is not asked again.
  StorePathSet knownValid_;
};

} // namespace nixpp
