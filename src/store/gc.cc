#include "store/gc.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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

// Removes a tree, adding the sizes of the non-directories that had no other hard link to
// `bytes`. Missing paths are not an error.
void deleteTree(const std::string& path, uint64_t& bytes) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == -1) {
    if (errno == ENOENT) return;
    throw SysError(errno, "getting status of '" + path + "'");
  }
  if (S_ISDIR(st.st_mode)) {
    // Store directories are read-only; root needs no write permission, others do.
    if (!(st.st_mode & S_IWUSR) && ::chmod(path.c_str(), st.st_mode | S_IWUSR | S_IXUSR) == -1)
      throw SysError(errno, "making '" + path + "' writable");
    for (auto& n : readDirectorySorted(path)) deleteTree(path + "/" + n, bytes);
    if (::rmdir(path.c_str()) == -1 && errno != ENOENT) throw SysError(errno, "deleting '" + path + "'");
  } else {
    if (st.st_nlink == 1) bytes += uint64_t(st.st_size);
    if (::unlink(path.c_str()) == -1 && errno != ENOENT) throw SysError(errno, "deleting '" + path + "'");
  }
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
    if (::mkdir(trash_.c_str(), 0700) == -1 && errno != EEXIST)
      throw SysError(errno, "creating directory '" + trash_ + "'");
    bool stopped = deleteInOrder(topoOrder(chosen));
    if (!stopped && opts_.action == A::deleteDead) deleteInvalidEntries();
    ::rmdir(trash_.c_str());
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
    const size_t batchSize = opts_.maxFreed != UINT64_MAX ? 1 : 256;
    for (size_t start = 0; start < order.size(); start += batchSize) {
      std::vector<size_t> chunk(order.begin() + long(start), order.begin() + long(std::min(order.size(), start + batchSize)));
      std::vector<std::string> hashes;
      for (size_t i : chunk) hashes.push_back(graph_.nodes[i].base.substr(0, 32));
      std::vector<size_t> invalidated;
      {
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
            invalidated.push_back(chunk[k]);
          }
          txn.commit();
        }
        for (size_t i : invalidated) {
          auto& n = graph_.nodes[i];
          std::string real = store_.config().realStoreDir + "/" + n.base, dst = trash_ + "/" + n.base;
          if (::rename(real.c_str(), dst.c_str()) == -1 && errno != ENOENT) {
            if (errno != ENOTEMPTY && errno != EEXIST) throw SysError(errno, "moving '" + real + "' to the trash");
            uint64_t ignored = 0;
            deleteTree(dst, ignored);
            if (::rename(real.c_str(), dst.c_str()) == -1 && errno != ENOENT)
              throw SysError(errno, "moving '" + real + "' to the trash");
          }
        }
      }
      for (size_t j = 0; j < invalidated.size(); ++j) {
        auto& n = graph_.nodes[invalidated[j]];
        std::string printed = dir_.to_string() + "/" + n.base;
        log_ << "deleting '" << printed << "'\n";
        deleteTree(trash_ + "/" + n.base, res_.bytesFreed);
        res_.paths.insert(printed);
        if (res_.bytesFreed >= opts_.maxFreed) {
          log_ << "deleted more than " << opts_.maxFreed << " bytes; stopping\n";
          for (size_t k = j + 1; k < invalidated.size(); ++k) {  // invalid already: finish them
            uint64_t ignored = 0;
            deleteTree(trash_ + "/" + graph_.nodes[invalidated[k]].base, ignored);
          }
          return true;
        }
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
      {
        ReleaseGuard release{*server_};
        if (server_->claim({hash}).empty()) continue;
        if (store_.isValidPath(*p)) continue;
        std::string dst = trash_ + "/" + name;
        uint64_t ignored = 0;
        deleteTree(dst, ignored);
        if (::rename(full.c_str(), dst.c_str()) == -1) {
          if (errno == ENOENT) continue;
          throw SysError(errno, "moving '" + full + "' to the trash");
        }
      }
      std::string printed = dir_.to_string() + "/" + name;
      log_ << "deleting '" << printed << "'\n";
      deleteTree(trash_ + "/" + name, res_.bytesFreed);
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

  // What an interrupted collection left in the trash.
  void emptyTrash() {
    uint64_t ignored = 0;
    deleteTree(trash_, ignored);
  }

  LocalStore& store_;
  const GcOptions& opts_;
  GcResults& res_;
  std::ostream& log_;
  const StoreDir& dir_;
  std::string trash_;
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
