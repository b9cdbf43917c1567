#include "store/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <random>
#include <thread>

#include "format/derivation.h"
#include "format/nar.h"
#include "store/canonicalise.h"
#include "store/nar_fs.h"
#include "store/optimise.h"
#include "store/settings.h"
#include "store/temp_roots.h"
#include "sys/path_lock.h"
#include "util/strings.h"

namespace nixpp {

namespace {

// Deletes `path` (a temporary store entry) when it goes out of scope, whatever is there.
struct DeleteOnExit {
  std::string path;
  ~DeleteOnExit() {
    try {
      deletePath(path);
    } catch (...) {
    }
  }
};

void createDirs(const std::string& path) {
  if (path.empty() || path == "/") return;
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw Error("'" + path + "' is not a directory");
    return;
  }
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) createDirs(path.substr(0, slash));
  if (::mkdir(path.c_str(), 0755) == -1 && errno != EEXIST)
    throw SysError(errno, "creating directory '" + path + "'");
}

void fsyncDir(const std::string& dir) {
  AutoCloseFd fd = openFile(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (::fsync(fd.get()) == -1) throw SysError(errno, "syncing '" + dir + "'");
}

// Passes what it reads on to a sink as well.
class TeeSource : public Source {
public:
  TeeSource(Source& in, Sink& out) : in_(in), out_(out) {}
  size_t read(char* data, size_t len) override {
    size_t n = in_.read(data, len);
    out_(std::string_view(data, n));
    return n;
  }

private:
  Source& in_;
  Sink& out_;
};

// Writes to several sinks.
class TeeSink : public Sink {
public:
  TeeSink(Sink& a, Sink* b) : a_(a), b_(b) {}
  void operator()(std::string_view d) override {
    a_(d);
    if (b_) (*b_)(d);
  }

private:
  Sink& a_;
  Sink* b_;
};

std::string hashMismatch(const std::string& what, const std::string& path, const std::string& specified,
                         const std::string& got) {
  return what + " mismatch importing path '" + path + "';\n  specified: " + specified + "\n  got:       " + got;
}

} // namespace

LocalStoreConfig LocalStoreConfig::make(const Settings& settings, const std::string& root) {
  LocalStoreConfig c;
  c.storeDir = settings.storeDir;
  c.rootDir = root;
  c.autoOptimise = settings.autoOptimiseStore;
  c.fsyncStorePaths = settings.fsyncStorePaths;
  if (root.empty()) {
    c.realStoreDir = settings.storeDir;
    c.stateDir = settings.stateDir;
    c.logDir = settings.logDir;
  } else {
    c.realStoreDir = root + settings.storeDir;
    c.stateDir = root + "/nix/var/nix";
    c.logDir = root + "/nix/var/log/nix";
  }
  return c;
}

LocalStore::LocalStore(LocalStoreConfig config) : Store(StoreDir(config.storeDir)), config_(std::move(config)) {
  std::string dbDir = config_.stateDir + "/db";
  createDirs(config_.realStoreDir);
  createDirs(config_.stateDir + "/profiles");
  createDirs(config_.stateDir + "/temproots");
  createDirs(dbDir);
  std::string gcRoots = config_.stateDir + "/gcroots";
  if (!pathExists(gcRoots)) {
    createDirs(gcRoots);
    if (::symlink((config_.stateDir + "/profiles").c_str(), (gcRoots + "/profiles").c_str()) == -1 &&
        errno != EEXIST)
      throw SysError(errno, "creating symlink '" + gcRoots + "/profiles'");
  }

  // As Nix: everyone using the store holds a read lock on big-lock; a schema upgrade would take
  // a write lock.
  bigLock_ = openLockFile(dbDir + "/big-lock", true);
  lockFile(bigLock_.get(), LockType::read, true);

  std::string schemaPath = dbDir + "/schema";
  auto readSchema = [&] {
    if (!pathExists(schemaPath)) return 0;
    auto v = parseInt(trim(readFile(schemaPath)));
    if (!v) throw Error("'" + schemaPath + "' is corrupt");
    return int(*v);
  };
  int schema = readSchema();
  if (schema == 0) {
    // A new store: create the database with the big lock held for writing, so that two
    // processes opening it at once do not both switch a fresh file to WAL (SQLite answers one
    // of them "database is locked" without waiting). The other one waits here and then finds
    // the schema written.
    lockFile(bigLock_.get(), LockType::none, true);
    lockFile(bigLock_.get(), LockType::write, true);
    schema = readSchema();
  }
  if (schema > nixSchemaVersion)
    throw Error("current Nix store schema is version " + std::to_string(schema) + ", but I only support " +
                std::to_string(nixSchemaVersion));
  if (schema != 0 && schema < nixSchemaVersion)
    throw Error("the Nix store schema is version " + std::to_string(schema) +
                ", which nixpp cannot upgrade; run Nix 2.x once on it");
  db_ = std::make_unique<StoreDb>(dbDir + "/db.sqlite", StoreDir(config_.storeDir), true);
  if (schema == 0) {
    // A name of our own: several processes may open a new store at once (each writes the
    // same version; the renames are atomic).
    std::string tmp = schemaPath + ".tmp-" + std::to_string(::getpid());
    writeFile(tmp, std::to_string(nixSchemaVersion), 0644);
    if (::rename(tmp.c_str(), schemaPath.c_str()) == -1) throw SysError(errno, "renaming '" + tmp + "'");
  }
  lockFile(bigLock_.get(), LockType::read, true);
}

LocalStore::~LocalStore() {
  try {
    flush();
  } catch (std::exception& e) {
    std::cerr << "warning: registering store paths: " << e.what() << "\n";
  }
}

TempRoots& LocalStore::tempRoots() {
  if (!tempRoots_) tempRoots_ = std::make_unique<TempRoots>(config_.stateDir);
  return *tempRoots_;
}

void LocalStore::addTempRoot(const StorePath& path) { tempRoots().add(storeDir().printPath(path)); }

std::string LocalStore::url() const { return config_.rootDir.empty() ? "local" : "local?root=" + config_.rootDir; }

std::string LocalStore::realPath(const StorePath& path) const {
  return config_.realStoreDir + "/" + path.to_string();
}

// A pending path is valid for this object's queries: isValidPath says so without committing it;
// the others commit the pending paths first (db() does).
bool LocalStore::isValidPath(const StorePath& path) { return pendingSet_.count(path) || db_->isValidPath(path); }
std::optional<ValidPathInfo> LocalStore::queryPathInfoOpt(const StorePath& path) { return db().queryPathInfo(path); }
StorePathSet LocalStore::queryAllValidPaths() { return db().queryAllValidPaths(); }
StorePathSet LocalStore::queryReferrers(const StorePath& path) { return db().queryReferrers(path); }
StorePathSet LocalStore::queryValidDerivers(const StorePath& path) { return db().queryValidDerivers(path); }
std::map<std::string, StorePath> LocalStore::queryDerivationOutputs(const StorePath& drvPath) {
  return db().queryDerivationOutputs(drvPath);
}
std::optional<StorePath> LocalStore::queryPathFromHashPart(std::string_view hashPart) {
  return db().queryPathFromHashPart(hashPart);
}

StorePathSet LocalStore::queryClosure(const StorePathSet& paths, bool flipDirection, bool includeOutputs) {
  return db().queryClosure(paths, flipDirection, includeOutputs);
}
std::map<StorePath, StorePathSet> LocalStore::queryReferencesOf(const StorePathSet& paths) {
  return db().queryReferencesOf(paths);
}

void LocalStore::narFromPath(const StorePath& path, Sink& sink) {
  flush();
  if (!isValidPath(path)) throw InvalidPath("path '" + storeDir().printPath(path) + "' is not valid");
  dumpPath(realPath(path), sink);
}

std::pair<Hash, uint64_t> LocalStore::hashPath(const StorePath& path) {
  HashSink h(HashAlgo::sha256);
  dumpPath(realPath(path), h);
  return h.finish();
}

std::map<StorePath, std::map<std::string, StorePath>> LocalStore::derivationOutputsOf(const ValidPathInfo& info,
                                                                                    const std::string* contents) {
  std::map<StorePath, std::map<std::string, StorePath>> res;
  if (!info.path.isDerivation()) return res;
  try {
    auto drv = parseDerivation(contents ? *contents : readFile(realPath(info.path)), storeDir(),
                               derivationNameOf(info.path));
    for (auto& [name, p] : drv.outputsAndOptPaths(storeDir()))
      if (p) res[info.path].emplace(name, *p);
  } catch (FormatError&) {
    // Not a parsable derivation: registered without outputs, as a plain file.
  }
  return res;
}

void LocalStore::moveIntoPlace(const std::string& tmpPath, const ValidPathInfo& info, bool canonical) {
  std::string dst = realPath(info.path);
  if (!canonical) canonicalisePathMetaData(tmpPath);
  if (config_.autoOptimise) {
    OptimiseStats stats;
    optimisePath(config_.realStoreDir, tmpPath, stats);
  }
  if (config_.fsyncStorePaths) syncTree(tmpPath);
  // A leftover from a crash (complete but never registered) or the path being repaired.
  deletePath(dst);
  if (::rename(tmpPath.c_str(), dst.c_str()) == -1)
    throw SysError(errno, "renaming '" + tmpPath + "' to '" + dst + "'");
  if (config_.fsyncStorePaths) fsyncDir(config_.realStoreDir);
  flushIfReferenced(info.references);
  db_->registerValidPaths({info}, derivationOutputsOf(info));
}

namespace {

// Whether the file open as `fd` has exactly `text` as contents and canonical metadata (mode 0444,
// mtime 1, owner root when we are root): what addText would write.
bool hasTextContents(int fd, const std::string& text) {
  struct stat st;
  if (::fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0444 || st.st_mtime != 1 ||
      uint64_t(st.st_size) != text.size())
    return false;
  if (::geteuid() == 0 && st.st_uid != 0) return false;
  std::string buf(text.size() + 1, '\0');  // one byte more: a file growing meanwhile is caught
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, off_t(got));
    if (n == -1 && errno == EINTR) continue;
    if (n <= 0) break;
    got += size_t(n);
  }
  return got == text.size() && std::string_view(buf.data(), got) == text;
}

// Whether we are root (not changing while the store is open), and our group is not.
bool rootNeedsChown() {
  static const bool v = ::geteuid() == 0 && ::getegid() != 0;
  return v;
}

// An unnamed regular file in `dir` (O_TMPFILE) with `text` as contents and canonical metadata,
// to be linked into place by link() (through /proc/self/fd); or, where the file system has no
// O_TMPFILE or /proc is missing, a named one ("<dir>/.tmp-text-..."), removed by ~TextFile.
struct TextFile {
  AutoCloseFd fd;
  std::string name;  // "" for an unnamed file

  TextFile(const std::string& dir, const std::string& text, bool fsync) {
    static bool noTmpFile = !pathExists("/proc/self/fd");
    if (!noTmpFile) {
      fd = AutoCloseFd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0444));
      if (!fd) {
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
          throw SysError(errno, "creating a temporary file in '" + dir + "'");
        noTmpFile = true;
      }
    }
    if (!fd) {
      name = dir + "/.tmp-text-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device()());
      fd = openFile(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    }
    writeFull(fd.get(), text);
    // Canonical metadata (store/canonicalise.h), set on the descriptor: mode 0444 whatever the
    // umask, mtime 1, owner root when we are root.
    if (::fchmod(fd.get(), 0444) == -1) throw SysError(errno, "changing mode of a file in '" + dir + "'");
    struct timespec times[2] = {{1, 0}, {1, 0}};
    if (::futimens(fd.get(), times) == -1)
      throw SysError(errno, "changing modification time of a file in '" + dir + "'");
    if (rootNeedsChown() && ::fchown(fd.get(), 0, 0) == -1)
      throw SysError(errno, "changing owner of a file in '" + dir + "' to 0");
    if (fsync && ::fsync(fd.get()) == -1) throw SysError(errno, "syncing a file in '" + dir + "'");
  }
  ~TextFile() {
    if (!name.empty()) ::unlink(name.c_str());
  }

  // Links the file at `dst` if nothing is there: false if something is (EEXIST).
  bool link(const std::string& dst) {
    std::string from = name.empty() ? "/proc/self/fd/" + std::to_string(fd.get()) : name;
    if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, dst.c_str(), name.empty() ? AT_SYMLINK_FOLLOW : 0) == 0)
      return true;
    if (errno == EEXIST) return false;
    throw SysError(errno, "creating '" + dst + "'");
  }
};

} // namespace

bool LocalStore::isValidCached(const StorePath& path) {
  if (knownValid_.count(path) || pendingSet_.count(path)) return true;
  if (!db_->isValidPath(path)) return false;
  if (tempRoots().own().count(storeDir().printPath(path))) knownValid_.insert(path);
  return true;
}

void LocalStore::writeTextPath(const StorePath& path, const std::string& text, Repair repair) {
  std::string real = realPath(path);
  TextFile file(config_.realStoreDir, text, config_.fsyncStorePaths);
  if (repair == Repair::no && file.link(real)) return;
  // Something is there: a concurrent writer's file, a crash's leftover, a file Nix 2.8 is
  // writing in place under its lock, or (repair) the path itself. Decided under the lock.
  PathLocks lock({real});
  lock.setDeletion(true);  // whoever waits on it sees it was deleted and retries
  for (int attempt = 0;; ++attempt) {
    if (repair == Repair::no) {
      if (db_->isValidPath(path)) return;  // registered meanwhile (the caller registers it again)
      AutoCloseFd old(::open(real.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
      // Complete and right: written by nixpp (a complete file or none), or by Nix under this lock.
      if (old && hasTextContents(old.get(), text)) return;
    }
    if (attempt > 100) throw Error("cannot write store path '" + real + "': it keeps being recreated");
    deletePath(real);
    repair = Repair::no;
    // Fails only if a lock-free writer linked its (complete) file meanwhile: checked above.
    if (file.link(real)) return;
  }
}

StorePath LocalStore::addText(std::string_view name, const std::string& text, const StorePathSet& references,
                              Repair repair, const std::map<std::string, StorePath>* knownOutputs) {
  ContentAddress ca{ContentAddressMethod::text, hashString(HashAlgo::sha256, text)};
  StorePath dst = ca.storePath(storeDir(), name, references);
  addTempRoot(dst);  // first: from now on no collector deletes what is at dst
  if (repair == Repair::no) {
    // Without a file there the path is not valid (or damaged: written and registered again,
    // which repairs it), so the database is asked only if something is there.
    struct stat st;
    bool present = ::lstat(realPath(dst).c_str(), &st) == 0 || errno != ENOENT;
    if (pendingSet_.count(dst) || knownValid_.count(dst) || (present && isValidCached(dst))) return dst;
  }
  // The references are checked now (the registration is later, and refers to them).
  for (auto& ref : references)
    if (ref != dst && !isValidCached(ref))
      throw InvalidPath("path '" + storeDir().printPath(ref) + "' is not valid");

  writeTextPath(dst, text, repair);
  if (config_.autoOptimise) {
    OptimiseStats stats;
    optimisePath(config_.realStoreDir, realPath(dst), stats);
  }
  // The NAR of a regular file, hashed from memory.
  HashSink narHasher(HashAlgo::sha256);
  {
    NarWriter nar(narHasher);
    nar.createRegularFile(false, text.size());
    nar.contents(text);
    nar.closeFile();
  }
  ValidPathInfo info(dst);
  std::tie(info.narHash, info.narSize) = narHasher.finish();
  info.references = references;
  info.ca = ca;
  std::map<StorePath, std::map<std::string, StorePath>> outputs;
  if (!knownOutputs) outputs = derivationOutputsOf(info, &text);
  else if (dst.isDerivation() && !knownOutputs->empty()) outputs.emplace(dst, *knownOutputs);
  if (repair == Repair::yes) {
    flush();
    db_->registerValidPaths({info}, outputs);
    knownValid_.insert(dst);
    return dst;
  }
  pendingOutputs_.merge(outputs);
  pending_.push_back(std::move(info));
  pendingSet_.insert(dst);
  // A few hundred at a time: one transaction is as cheap as a few, and the pending infos would
  // otherwise add megabytes to a large evaluation (and keep its paths invisible to others).
  if (pending_.size() >= 500) flush();
  return dst;
}

void LocalStore::flushIfReferenced(const StorePathSet& references) {
  for (auto& r : references)
    if (pendingSet_.count(r)) return flush();
}

void LocalStore::flush() {
  if (pending_.empty()) return;
  std::vector<ValidPathInfo> infos = std::move(pending_);
  auto outputs = std::move(pendingOutputs_);
  StorePathSet paths = std::move(pendingSet_);
  pending_.clear();
  pendingOutputs_.clear();
  pendingSet_.clear();
  if (config_.fsyncStorePaths) fsyncDir(config_.realStoreDir);  // the files' names, once for all
  db_->registerValidPaths(infos, outputs);
  knownValid_.merge(paths);
}

void LocalStore::addToStore(const ValidPathInfo& info, Source& nar, Repair repair) {
  std::string dst = realPath(info.path);
  addTempRoot(info.path);
  PathLocks lock({dst});
  lock.setDeletion(true);
  if (repair == Repair::no && isValidPath(info.path)) {
    validateNar(nar);  // consume it
    return;
  }
  // Restored in place (the path is known): it is not valid, so nobody may use it, until it is
  // registered below. restorePath itself builds the tree under a temporary name and renames it,
  // so a failure leaves nothing at `dst`, a crash at worst a complete unregistered tree there
  // (deleted here, under the lock, by the next add).
  deletePath(dst);  // a leftover of a crash, or the path being repaired
  HashSink hasher(HashAlgo::sha256);
  TeeSource tee(nar, hasher);
  restorePath(dst, tee);
  try {
    auto [hash, size] = hasher.finish();
    std::string printed = storeDir().printPath(info.path);
    if (hash != info.narHash)
      throw Error(hashMismatch("hash", printed, info.narHash.to_string(HashFormat::nix32, true),
                               hash.to_string(HashFormat::nix32, true)));
    if (info.narSize && size != info.narSize)
      throw Error(hashMismatch("size", printed, std::to_string(info.narSize), std::to_string(size)));
    ValidPathInfo full = info;
    full.narSize = size;
    canonicalisePathMetaData(dst);
    if (config_.fsyncStorePaths) {
      syncTree(dst);
      fsyncDir(config_.realStoreDir);
    }
    flushIfReferenced(full.references);
    db_->registerValidPaths({full}, derivationOutputsOf(full));
  } catch (...) {
    try {
      deletePath(dst);
    } catch (...) {
    }
    throw;
  }
}

StorePath LocalStore::addToStoreFromDump(Source& dump, std::string_view name, ContentAddressMethod method,
                                         HashAlgo algo, const StorePathSet& references, Repair repair) {
  if (method == ContentAddressMethod::text && algo != HashAlgo::sha256)
    throw Error("text hashing requires sha256");
  checkStorePathName(name, name);
  if (method == ContentAddressMethod::text) {
    // Text is small (.drv files, builtins.toFile): hashed in memory, the path known before
    // anything is written, nothing written if it is valid already.
    StringSink text;
    dump.drainInto(text);
    return addText(name, text.s, references, repair);
  }
  std::string tmpPath = tempStoreEntry();
  DeleteOnExit tmpGuard{tmpPath};  // nothing there once moved into place
  Hash narHash(HashAlgo::sha256), caHash(algo);
  uint64_t narSize = 0;
  if (method == ContentAddressMethod::nar) {
    HashSink narHasher(HashAlgo::sha256);
    std::unique_ptr<HashSink> caHasher;
    if (algo != HashAlgo::sha256) caHasher = std::make_unique<HashSink>(algo);
    TeeSink both(narHasher, caHasher.get());
    TeeSource tee(dump, both);
    restorePath(tmpPath, tee);
    std::tie(narHash, narSize) = narHasher.finish();
    caHash = caHasher ? caHasher->finish().first : narHash;
  } else {
    HashSink caHasher(algo);
    {
      AutoCloseFd fd = openFile(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      FdSink out(fd.get());
      TeeSink both(out, &caHasher);
      dump.drainInto(both);
      fd.close();
    }
    caHash = caHasher.finish().first;
    HashSink narHasher(HashAlgo::sha256);
    dumpPath(tmpPath, narHasher);
    std::tie(narHash, narSize) = narHasher.finish();
  }
  return finishAdd(tmpPath, name, ContentAddress{method, caHash}, narHash, narSize, references, repair, false);
}

// Under a temporary name in the store directory until the path (its hash) is known; no directory
// around it: creating and deleting one per path costs milliseconds on ext4.
std::string LocalStore::tempStoreEntry() {
  return config_.realStoreDir + "/.tmp-add-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::random_device()());
}

StorePath LocalStore::finishAdd(const std::string& tmpPath, std::string_view name, const ContentAddress& ca,
                                const Hash& narHash, uint64_t narSize, const StorePathSet& references,
                                Repair repair, bool canonical) {
  StorePath dst = ca.storePath(storeDir(), name, references);
  addTempRoot(dst);
  PathLocks lock({realPath(dst)});
  lock.setDeletion(true);  // whoever waits on it sees it was deleted and retries
  if (repair == Repair::no && isValidPath(dst)) return dst;
  ValidPathInfo info(dst);
  info.narHash = narHash;
  info.narSize = narSize;
  info.references = references;
  info.ca = ca;
  moveIntoPlace(tmpPath, info, canonical);
  return dst;
}

StorePath LocalStore::addPathToStore(const std::string& fsPath, std::string_view name, ContentAddressMethod method,
                                     HashAlgo algo, Repair repair) {
  if (method != ContentAddressMethod::nar) {
    AutoCloseFd fd = openFile(fsPath, O_RDONLY | O_CLOEXEC);
    FdSource in(fd.get());
    return addToStoreFromDump(in, name, method, algo, {}, repair);
  }
  checkStorePathName(name, name);
  // Copied straight into the store with canonical metadata, hashed (the NAR of the copy) on a
  // second thread meanwhile: no NAR in between, no second walk to canonicalise.
  std::string tmpPath = tempStoreEntry();
  DeleteOnExit tmpGuard{tmpPath};  // nothing there once moved into place
  HashSink narHasher(HashAlgo::sha256);
  std::unique_ptr<HashSink> caHasher;
  if (algo != HashAlgo::sha256) caHasher = std::make_unique<HashSink>(algo);
  TeeSink both(narHasher, caHasher.get());
  copyPathCanonical(fsPath, tmpPath, both);
  auto [narHash, narSize] = narHasher.finish();
  Hash caHash = caHasher ? caHasher->finish().first : narHash;
  return finishAdd(tmpPath, name, ContentAddress{ContentAddressMethod::nar, caHash}, narHash, narSize, {}, repair,
                   true);
}

void LocalStore::registerValidPaths(const std::vector<ValidPathInfo>& infos) {
  flush();
  if (config_.autoOptimise) {  // build outputs, in place and complete
    OptimiseStats stats;
    for (auto& i : infos) optimisePath(config_.realStoreDir, realPath(i.path), stats);
  }
  std::map<StorePath, std::map<std::string, StorePath>> outs;
  for (auto& i : infos) outs.merge(derivationOutputsOf(i));
  db_->registerValidPaths(infos, outs);
}

VerifyResult LocalStore::verifyStore(bool checkContents, Repair repair) {
  (void)repair;  // damaged paths (res.damaged) are rebuilt by the caller: the store cannot build
  flush();
  VerifyResult res;
  std::cerr << "reading the Nix store...\n";
  // As Nix: the GC lock, shared, while the valid paths are compared with the store's contents, so
  // that a running collection (which holds it exclusively) is not taken for damage; released for
  // the (slow) check of the contents.
  AutoCloseFd gcLock = openLockFile(config_.stateDir + "/gc.lock", true);
  if (!lockFile(gcLock.get(), LockType::read, false)) {
    std::cerr << "waiting for the big garbage collector lock...\n";
    lockFile(gcLock.get(), LockType::read, true);
  }
  std::cerr << "checking path existence...\n";
  auto all = queryAllValidPaths();
  StorePathSet present;
  for (auto& p : all) {
    if (pathExists(realPath(p))) {
      present.insert(p);
      continue;
    }
    auto referrers = queryReferrers(p);
    referrers.erase(p);
    if (!referrers.empty()) {
      std::cerr << "path '" << storeDir().printPath(p) << "' disappeared, but it still has valid referrers!\n";
      res.errors = true;
      res.damaged.insert(p);
    } else {
      std::cerr << "path '" << storeDir().printPath(p) << "' disappeared, removing from database...\n";
      db_->invalidatePath(p);
    }
  }
  gcLock.close();
  if (!checkContents) return res;
  std::cerr << "checking hashes...\n";
  for (auto& p : present) {
    auto info = queryPathInfoOpt(p);
    if (!info) continue;
    Hash hash(HashAlgo::sha256);
    uint64_t size = 0;
    try {
      std::tie(hash, size) = hashPath(p);
    } catch (Error& e) {
      if (isValidPath(p)) throw;
      // Collected since we looked: as Nix, a warning, and the check counts as failed.
      std::cerr << "warning: " << e.what() << "\n";
      res.errors = true;
      continue;
    }
    if (hash != info->narHash) {
      std::cerr << "path '" << storeDir().printPath(p) << "' was modified! expected hash '"
                << info->narHash.to_string(HashFormat::nix32, true) << "', got '"
                << hash.to_string(HashFormat::nix32, true) << "'\n";
      res.errors = true;
      res.damaged.insert(p);
    } else if (info->narSize == 0) {
      info->narSize = size;
      db_->updatePathInfo(*info);
    }
  }
  return res;
}

} // namespace nixpp
