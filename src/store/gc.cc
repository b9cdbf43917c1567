#include "store/gc.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "store/local_store.h"
#include "store/optimise.h"
#include "store/roots.h"
#include "store/store_db.h"
#include "store/temp_roots.h"
#include "sys/directory.h"
#include "sys/path_lock.h"

namespace nixpp {

namespace {

// The whole path graph, read in three queries: a collection looks at every valid path.
struct Graph {
  struct Node {
    int64_t id = 0;
    std::string base;               // "<hash>-<name>"
    std::vector<size_t> references;  // without itself
    std::vector<size_t> referrers;   // without itself
    std::optional<size_t> deriver;   // valid deriver that lists this path among its outputs
    std::vector<size_t> outputs;     // valid outputs of a derivation
  };
  std::vector<Node> nodes;
  std::unordered_map<std::string, size_t> byBase;
  std::unordered_map<int64_t, size_t> byId;

  std::optional<size_t> find(const std::string& base) const {
    auto it = byBase.find(base);
    if (it == byBase.end()) return std::nullopt;
    return it->second;
  }
};

Graph loadGraph(StoreDb& db) {
  Graph g;
  const std::string prefix = db.storeDir().to_string() + "/";
  auto baseOf = [&](const std::string& printed) {
    return printed.compare(0, prefix.size(), prefix) == 0 ? printed.substr(prefix.size()) : printed;
  };
  std::vector<std::string> derivers;
  {
    SqliteStmt s(db.sqlite(), "select id, path, deriver from ValidPaths");
    while (s.step()) {
      Graph::Node n;
      n.id = s.int64(0);
      n.base = baseOf(s.text(1));
      g.byId[n.id] = g.nodes.size();
      g.byBase[n.base] = g.nodes.size();
      g.nodes.push_back(std::move(n));
      derivers.push_back(s.isNull(2) ? std::string() : baseOf(s.text(2)));
    }
  }
  {
    SqliteStmt s(db.sqlite(), "select referrer, reference from Refs");
    while (s.step()) {
      auto a = g.byId.find(s.int64(0)), b = g.byId.find(s.int64(1));
      if (a == g.byId.end() || b == g.byId.end() || a->second == b->second) continue;
      g.nodes[a->second].references.push_back(b->second);
      g.nodes[b->second].referrers.push_back(a->second);
    }
  }
  std::set<std::pair<size_t, size_t>> drvOutputs;  // (drv, output)
  {
    SqliteStmt s(db.sqlite(), "select drv, path from DerivationOutputs");
    while (s.step()) {
      auto d = g.byId.find(s.int64(0));
      auto o = g.find(baseOf(s.text(1)));
      if (d == g.byId.end() || !o) continue;
      g.nodes[d->second].outputs.push_back(*o);
      drvOutputs.emplace(d->second, *o);
    }
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (derivers[i].empty()) continue;
    auto d = g.find(derivers[i]);
    if (d && drvOutputs.count({*d, i})) g.nodes[i].deriver = *d;
  }
  return g;
}

// A directory open for deleting entries from it.
struct OpenDir {
  int fd;
  const std::string& path;  // shown in errors
  bool madeWritable = false;

  // unlinkat, making the directory writable first if that is refused: store directories are
  // read-only, and only root may remove entries from them as they are.
  void unlink(const char* name, int flags) {
    if (::unlinkat(fd, name, flags) == 0 || errno == ENOENT) return;
    if ((errno == EACCES || errno == EPERM) && !madeWritable) {
      madeWritable = true;
      struct stat st;
      if (::fstat(fd, &st) == -1) throw SysError(errno, "getting status of '" + path + "'");
      if (::fchmod(fd, st.st_mode | S_IWUSR | S_IXUSR) == -1) throw SysError(errno, "making '" + path + "' writable");
      if (::unlinkat(fd, name, flags) == 0 || errno == ENOENT) return;
    }
    throw SysError(errno, "deleting '" + path + "/" + name + "'");
  }
};

// Removes the entry `name` of `parent`, recursively, adding the sizes of the non-directories
// that had no other hard link to `bytes`. `type` is its d_type if known (DT_UNKNOWN if not): a
// directory is then opened without a stat. Returns false if there was no such entry. Works on
// directory fds: no path walk per file, and safe to run on several threads at once.
bool deleteAt(OpenDir& parent, const char* name, unsigned char type, uint64_t& bytes) {
  auto shown = [&] { return parent.path + "/" + name; };
  if (type != DT_DIR) {
    struct stat st;
    if (::fstatat(parent.fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
      if (errno == ENOENT) return false;
      throw SysError(errno, "getting status of '" + shown() + "'");
    }
    if (!S_ISDIR(st.st_mode)) {
      if (st.st_nlink == 1) bytes += uint64_t(st.st_size);
      parent.unlink(name, 0);
      return true;
    }
  }
  std::string path = shown();
  int fd = ::openat(parent.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd == -1) {
    if (errno == ENOENT) return false;
    if (errno == ENOTDIR && type == DT_DIR) return deleteAt(parent, name, DT_UNKNOWN, bytes);  // replaced since
    throw SysError(errno, "opening directory '" + path + "'");
  }
  DIR* d = ::fdopendir(fd);
  if (!d) {
    int err = errno;
    ::close(fd);
    throw SysError(err, "opening directory '" + path + "'");
  }
  struct Closer {
    DIR* d;
    ~Closer() { ::closedir(d); }
  } closer{d};
  std::vector<std::pair<std::string, unsigned char>> entries;  // read first: removing while reading is unspecified
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    const char* n = e->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    entries.emplace_back(n, e->d_type);
  }
  if (errno) throw SysError(errno, "reading directory '" + path + "'");
  OpenDir dir{fd, path};
  for (auto& [n, t] : entries) deleteAt(dir, n.c_str(), t, bytes);
  parent.unlink(name, AT_REMOVEDIR);
  return true;
}

// deleteAt for a whole path.
void deleteTree(const std::string& path, uint64_t& bytes) {
  auto slash = path.rfind('/');
  std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  AutoCloseFd fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return;
    throw SysError(errno, "opening directory '" + parent + "'");
  }
  OpenDir dir{fd.get(), parent};
  deleteAt(dir, name.c_str(), DT_UNKNOWN, bytes);
}

// Deletes the entries `names` of the directory `dirFd` (shown as `dirPath`), on up to
// `maxThreads` threads, and returns the bytes freed. Nearly all the time of deleting goes to
// the kernel freeing inodes and blocks, and on a file system mounted with `discard` to waiting
// for the disk to trim each freed block: threads overlap those waits. Throws the first error.
uint64_t deleteEntries(int dirFd, const std::string& dirPath, const std::vector<std::string>& names,
                       unsigned maxThreads) {
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> total{0};
  std::mutex errorMutex;
  std::exception_ptr error;
  auto work = [&] {
    OpenDir dir{dirFd, dirPath};
    uint64_t bytes = 0;
    try {
      for (size_t i; (i = next.fetch_add(1)) < names.size();) deleteAt(dir, names[i].c_str(), DT_UNKNOWN, bytes);
    } catch (...) {
      std::lock_guard<std::mutex> g(errorMutex);
      if (!error) error = std::current_exception();
      next = names.size();  // the others stop too
    }
    total += bytes;
  };
  std::vector<std::thread> threads;
  size_t extra = std::min<size_t>(maxThreads, names.size() / 8 + 1) - 1;  // not worth a thread for a few paths
  try {
    for (size_t t = 0; t < extra; ++t) threads.emplace_back(work);
  } catch (std::system_error&) {
    // No more threads to be had: the ones we have do the work.
  }
  work();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  return total;
}

// Releases the RootServer's pending paths however the batch ends.
struct ReleaseGuard {
  RootServer& server;
  ~ReleaseGuard() { server.release(); }
};

class Collector {
public:
  Collector(LocalStore& store, const GcOptions& options, GcResults& results, std::ostream& log)
      : store_(store), opts_(options), res_(results), log_(log), dir_(store.storeDir()),
        trash_(store.config().realStoreDir + "/.gc-trash") {}

  void run() {
    TempRoots& temp = store_.tempRoots();
    int lock = temp.gcLockFd();
    if (!lockFile(lock, LockType::write, false)) {
      log_ << "waiting for the big garbage collector lock...\n";
      lockFile(lock, LockType::write, true);
    }
    temp.setCollecting(true);
    struct Unlock {
      TempRoots& t;
      int fd;
      ~Unlock() {
        t.setCollecting(false);
        try {
          lockFile(fd, LockType::none, false);
        } catch (...) {
        }
      }
    } unlock{temp, lock};
    // Before any root is read: from now on new temporary roots come through the socket.
    RootServer server(store_.config().stateDir);
    server_ = &server;

    log_ << "finding garbage collector roots...\n";
    // Temporary roots first, then the permanent ones: a process that registers a path and
    // exits after we read its temporary roots made the path valid before we look at the links
    // (a root made beforehand, pointing at a path not yet valid, then counts).
    for (auto& [printed, _] : readTempRoots(store_.config().stateDir, &log_))
      tempHashes_.insert(hashPartOf(printed));
    for (auto& printed : temp.own()) tempHashes_.insert(hashPartOf(printed));
    Roots roots;
    if (!opts_.ignoreLiveness) roots = findRoots(store_, false, log_);

    graph_ = loadGraph(store_.db());
    markLive(roots);

    using A = GcOptions::Action;
    if (opts_.action == A::returnLive || opts_.action == A::returnDead) {
      log_ << "determining live/dead paths...\n";
      for (size_t i = 0; i < graph_.nodes.size(); ++i)
        if (live_[i] == (opts_.action == A::returnLive)) res_.paths.insert(dir_.to_string() + "/" + graph_.nodes[i].base);
      return;
    }

    std::vector<char> chosen(graph_.nodes.size(), 0);
    if (opts_.action == A::deleteSpecific) {
      for (auto& p : opts_.pathsToDelete) {
        auto i = graph_.find(std::string(p.to_string()));
        if (i) chosen[*i] = 1;
      }
      for (auto& p : opts_.pathsToDelete) {
        auto i = graph_.find(std::string(p.to_string()));
        if (!i) continue;  // not valid: nothing to delete
        bool alive = live_[*i];
        for (size_t r : graph_.nodes[*i].referrers)
          if (!chosen[r]) alive = true;
        if (alive)
          throw Error("Cannot delete path '" + dir_.printPath(p) +
                      "' since it is still alive. To find out why, use: nix-store --query --roots");
      }
    } else {
      for (size_t i = 0; i < graph_.nodes.size(); ++i) chosen[i] = !live_[i];
    }

    log_ << "deleting garbage...\n";
    emptyTrash();
    openStoreDir();
    bool stopped = deleteInOrder(topoOrder(chosen));
    if (!stopped && opts_.action == A::deleteDead) deleteInvalidEntries();
    log_ << "deleting unused links...\n";
    removeUnusedLinks(store_.config().realStoreDir, res_.bytesFreed, log_);
  }

private:
  static std::string hashPartOf(std::string_view printed) {
    auto slash = printed.rfind('/');
    auto base = slash == std::string_view::npos ? printed : printed.substr(slash + 1);
    return std::string(base.substr(0, std::min<size_t>(32, base.size())));
  }

  void markLive(const Roots& roots) {
    live_.assign(graph_.nodes.size(), 0);
    std::vector<size_t> todo;
    auto visit = [&](size_t i) {
      if (!live_[i]) {
        live_[i] = 1;
        todo.push_back(i);
      }
    };
    for (auto& [p, _] : roots)
      if (auto i = graph_.find(std::string(p.to_string()))) visit(*i);
    while (!todo.empty()) {
      size_t i = todo.back();
      todo.pop_back();
      auto& n = graph_.nodes[i];
      for (size_t r : n.references) visit(r);
      if (opts_.keepDerivations && n.deriver) visit(*n.deriver);
      if (opts_.keepOutputs)
        for (size_t o : n.outputs) visit(o);
    }
  }

  // The chosen paths, each before the paths it refers to.
  std::vector<size_t> topoOrder(const std::vector<char>& chosen) {
    std::vector<size_t> pendingReferrers(graph_.nodes.size(), 0), ready, order;
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      if (!chosen[i]) continue;
      for (size_t r : graph_.nodes[i].referrers)
        if (chosen[r]) ++pendingReferrers[i];
      if (pendingReferrers[i] == 0) ready.push_back(i);
    }
    while (!ready.empty()) {
      size_t i = ready.back();
      ready.pop_back();
      order.push_back(i);
      for (size_t r : graph_.nodes[i].references)
        if (chosen[r] && --pendingReferrers[r] == 0) ready.push_back(r);
    }
    return order;  // paths on a reference cycle (impossible in a sane store) are left alone
  }

  // Returns true if it stopped early (max-freed reached).
  bool deleteInOrder(const std::vector<size_t>& order) {
    StoreDb& db = store_.db();
    SqliteStmt queryReferrers(db.sqlite(), "select referrer from Refs where reference = ?");
    SqliteStmt invalidate(db.sqlite(), "delete from ValidPaths where id = ?");
    std::unordered_set<int64_t> deletedIds;
    const bool bounded = opts_.maxFreed != UINT64_MAX;
    const size_t batchSize = bounded ? 1 : 256;
    for (size_t start = 0; start < order.size(); start += batchSize) {
      std::vector<size_t> chunk(order.begin() + long(start), order.begin() + long(std::min(order.size(), start + batchSize)));
      std::vector<std::string> hashes;
      for (size_t i : chunk) hashes.push_back(graph_.nodes[i].base.substr(0, 32));
      std::vector<std::string> invalidated;
      {
        // The batch stays claimed until its files are gone: a process asking for one of its
        // paths as a root meanwhile waits, then finds it invalid and adds it afresh, never
        // while we delete it.
        ReleaseGuard release{*server_};
        auto claimed = server_->claim(hashes);
        {
          SqliteTxn txn(db.sqlite());
          for (size_t k : claimed) {
            auto& n = graph_.nodes[chunk[k]];
            if (tempHashes_.count(hashes[k])) continue;
            // A referrer kept alive (a root received meanwhile) or registered meanwhile keeps it.
            bool alive = false;
            queryReferrers.reset().bind(1, n.id);
            while (queryReferrers.step()) {
              int64_t r = queryReferrers.int64(0);
              if (r != n.id && !deletedIds.count(r)) alive = true;
            }
            if (alive) continue;
            invalidate.reset().bind(1, n.id).run();
            deletedIds.insert(n.id);
            invalidated.push_back(n.base);
          }
          txn.commit();
        }
        // The batch's lines in one write (a line per path costs a system call per path).
        std::string lines;
        for (auto& base : invalidated) lines += "deleting '" + dir_.to_string() + "/" + base + "'\n";
        if (!lines.empty()) log_ << lines << std::flush;
        // Invalid now, so a crash from here on leaves no valid path half-deleted. In place:
        // each is deleted as a whole, referrers and references of one batch alike.
        res_.bytesFreed += deleteEntries(storeFd_.get(), store_.config().realStoreDir, invalidated, deleteThreads);
      }
      for (auto& base : invalidated) res_.paths.insert(dir_.to_string() + "/" + base);
      if (bounded && res_.bytesFreed >= opts_.maxFreed) {
        log_ << "deleted more than " << opts_.maxFreed << " bytes; stopping\n";
        return true;
      }
    }
    return false;
  }

  // Entries of the store directory that are not valid paths: leftovers of interrupted adds,
  // builds and collections, and stale lock files.
  void deleteInvalidEntries() {
    const std::string& real = store_.config().realStoreDir;
    std::vector<std::string> names;
    for (auto& n : readDirectorySorted(real))
      if (n[0] != '.') names.push_back(std::move(n));
    std::set<std::string> present(names.begin(), names.end());
    for (auto& name : names) {
      std::optional<StorePath> p;
      try {
        p = StorePath::parse(name);
      } catch (Error&) {
        continue;  // not ours to judge
      }
      std::string hash = name.substr(0, 32);
      if (graph_.byBase.count(name) || tempHashes_.count(hash)) continue;
      if (auto i = graph_.find(name); i && live_[*i]) continue;
      std::string full = real + "/" + name;
      bool isLock = name.size() > 5 && name.compare(name.size() - 5, 5, ".lock") == 0;
      if (isLock) {
        // Stale if we can lock it; mark it for anyone who opened it meanwhile (sys/path_lock.h).
        std::string owner = name.substr(0, name.size() - 5);
        if (graph_.byBase.count(owner) || present.count(owner)) continue;
        AutoCloseFd fd(::open(full.c_str(), O_RDWR | O_CLOEXEC));
        if (!fd || !lockFile(fd.get(), LockType::write, false)) continue;
        ::unlink(full.c_str());
        (void)!::write(fd.get(), "d", 1);
        continue;
      }
      if (isLiveHash(hash)) continue;
      if (store_.isValidPath(*p)) continue;  // added since we looked
      // Someone adding or building it holds its lock.
      AutoCloseFd lockFd(::open((full + ".lock").c_str(), O_RDWR | O_CLOEXEC));
      if (lockFd && !lockFile(lockFd.get(), LockType::write, false)) continue;
      std::string printed = dir_.to_string() + "/" + name;
      {
        ReleaseGuard release{*server_};  // claimed until deleted, as in deleteInOrder()
        if (server_->claim({hash}).empty()) continue;
        if (store_.isValidPath(*p)) continue;
        struct stat st;
        if (::fstatat(storeFd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == -1) continue;  // gone
        log_ << "deleting '" << printed << "'\n";
        OpenDir store{storeFd_.get(), real};
        deleteAt(store, name.c_str(), DT_UNKNOWN, res_.bytesFreed);
      }
      res_.paths.insert(printed);
      if (lockFd) {
        ::unlink((full + ".lock").c_str());
        (void)!::write(lockFd.get(), "d", 1);
      }
    }
  }

  // A hash part that a live path, a root or a build in progress uses.
  bool isLiveHash(const std::string& hash) {
    if (tempHashes_.count(hash) || server_->received(hash)) return true;
    if (liveHashes_.empty())
      for (size_t i = 0; i < graph_.nodes.size(); ++i)
        if (live_[i]) liveHashes_.insert(graph_.nodes[i].base.substr(0, 32));
    return liveHashes_.count(hash) != 0;
  }

  // What a collection of an earlier nixpp, which deleted paths through a trash directory, left
  // there when interrupted.
  void emptyTrash() {
    uint64_t ignored = 0;
    deleteTree(trash_, ignored);
  }

  void openStoreDir() {
    const std::string& real = store_.config().realStoreDir;
    storeFd_ = AutoCloseFd(::open(real.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!storeFd_) throw SysError(errno, "opening directory '" + real + "'");
  }

  // Threads deleting the paths of a batch at once (see deleteEntries()).
  static constexpr unsigned deleteThreads = 4;

  LocalStore& store_;
  const GcOptions& opts_;
  GcResults& res_;
  std::ostream& log_;
  const StoreDir& dir_;
  std::string trash_;
  AutoCloseFd storeFd_;
  RootServer* server_ = nullptr;
  Graph graph_;
  std::vector<char> live_;
  std::unordered_set<std::string> tempHashes_, liveHashes_;
};

} // namespace

void collectGarbage(LocalStore& store, const GcOptions& options, GcResults& results, std::ostream& log) {
  Collector(store, options, results, log).run();
}

std::string showBytes(uint64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f MiB", double(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::string freedSummary(const GcResults& results) {
  return std::to_string(results.paths.size()) + " store paths deleted, " + showBytes(results.bytesFreed) + " freed";
}

} // namespace nixpp
