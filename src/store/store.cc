#include "store/store.h"

#include <fcntl.h>

#include <unistd.h>

#include <cerrno>
#include <functional>
#include <optional>

#include "format/nar.h"
#include "sys/file.h"

namespace nixpp {

namespace {
constexpr uint64_t exportMagic = 0x4558494e;  // "NIXE"
}

ValidPathInfo Store::queryPathInfo(const StorePath& path) {
  auto info = queryPathInfoOpt(path);
  if (!info) throw InvalidPath("path '" + storeDir().printPath(path) + "' is not valid");
  return std::move(*info);
}

StorePath Store::addTextToStore(std::string_view name, std::string_view text, const StorePathSet& references,
                                Repair repair) {
  StringSource src(text);
  return addToStoreFromDump(src, name, ContentAddressMethod::text, HashAlgo::sha256, references, repair);
}

StorePathSet Store::queryClosure(const StorePathSet& paths, bool flipDirection, bool includeOutputs) {
  StorePathSet res;
  std::vector<StorePath> todo(paths.begin(), paths.end());
  while (!todo.empty()) {
    StorePath p = todo.back();
    todo.pop_back();
    if (!res.insert(p).second) continue;
    StorePathSet next;
    if (flipDirection) {
      next = queryReferrers(p);
      if (includeOutputs)
        for (auto& d : queryValidDerivers(p)) next.insert(d);
    } else {
      next = queryPathInfo(p).references;
      if (includeOutputs && p.isDerivation())
        for (auto& [_, o] : queryDerivationOutputs(p))
          if (isValidPath(o)) next.insert(o);
    }
    for (auto& n : next)
      if (!res.count(n)) todo.push_back(n);
  }
  return res;
}

std::map<StorePath, StorePathSet> Store::queryReferencesOf(const StorePathSet& paths) {
  std::map<StorePath, StorePathSet> res;
  for (auto& p : paths) res.emplace(p, queryPathInfo(p).references);
  return res;
}

StorePathSet computeFSClosure(Store& store, const StorePathSet& paths, bool flipDirection, bool includeOutputs) {
  return store.queryClosure(paths, flipDirection, includeOutputs);
}

std::vector<StorePath> topoSortPaths(Store& store, const StorePathSet& paths) {
  auto refs = store.queryReferencesOf(paths);
  std::vector<StorePath> sorted;
  sorted.reserve(paths.size());
  // Depth-first, post-order, over `paths` and each path's references in set order (Nix's order);
  // iterative, as closures can be chains thousands of paths deep.
  std::map<const StorePath*, int> state;  // 1: on the current DFS path, 2: done
  struct Frame {
    const StorePath* path;
    const StorePathSet* refs;
    StorePathSet::const_iterator next;
  };
  std::vector<Frame> stack;
  auto push = [&](const StorePath& p) {
    auto& r = refs.at(p);
    stack.push_back({&p, &r, r.begin()});
    state[&p] = 1;
  };
  for (auto& start : paths) {
    if (state.count(&start)) continue;
    push(start);
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == f.refs->end()) {
        sorted.push_back(*f.path);
        state[f.path] = 2;
        stack.pop_back();
        continue;
      }
      const StorePath& r = *f.next++;
      if (r == *f.path) continue;
      auto it = paths.find(r);
      if (it == paths.end()) continue;
      auto st = state.find(&*it);
      if (st == state.end()) {
        push(*it);
      } else if (st->second == 1) {
        throw Error("cycle detected in the references of '" + store.storeDir().printPath(*f.path) + "' from '" +
                    store.storeDir().printPath(r) + "'");
      }
    }
  }
  std::reverse(sorted.begin(), sorted.end());  // referrers first
  return sorted;
}

void exportPaths(Store& store, const StorePathSet& paths, Sink& sink) {
  auto sorted = topoSortPaths(store, paths);
  std::reverse(sorted.begin(), sorted.end());  // references first
  for (auto& p : sorted) {
    auto info = store.queryPathInfo(p);
    writeU64(sink, 1);
    HashSink hasher(HashAlgo::sha256);
    LambdaSink tee([&](std::string_view d) {
      sink(d);
      hasher(d);
    });
    store.narFromPath(p, tee);
    auto [hash, _] = hasher.finish();
    if (hash != info.narHash)
      throw Error("hash of path '" + store.storeDir().printPath(p) + "' has changed from '" +
                  info.narHash.to_string(HashFormat::nix32, true) + "' to '" +
                  hash.to_string(HashFormat::nix32, true) + "'!");
    writeU64(sink, exportMagic);
    writeString(sink, store.storeDir().printPath(p));
    writeU64(sink, info.references.size());
    for (auto& r : info.references) writeString(sink, store.storeDir().printPath(r));
    writeString(sink, info.deriver ? store.storeDir().printPath(*info.deriver) : "");
    writeU64(sink, 0);
  }
  writeU64(sink, 0);
}

namespace {

// Holds one NAR at a time while an import reads what follows it: in memory up to a bound, in a
// temporary file (one per import, reused) beyond it. Bounded memory, and no file created and
// deleted per path (which costs milliseconds each on ext4).
class NarSpool : public Sink {
public:
  static constexpr size_t memoryLimit = 4 << 20;

  // Starts a new NAR.
  void clear() {
    mem_.clear();
    inFile_ = false;
  }
  void operator()(std::string_view d) override {
    if (!inFile_ && mem_.size() + d.size() > memoryLimit) {
      if (!fd_) {
        dir_.emplace("nixpp-import");
        fd_ = openFile(dir_->path() + "/nar", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      }
      if (::ftruncate(fd_.get(), 0) == -1 || ::lseek(fd_.get(), 0, SEEK_SET) == -1)
        throw SysError(errno, "rewinding '" + dir_->path() + "/nar'");
      inFile_ = true;
      write(mem_);
      mem_.clear();
      mem_.shrink_to_fit();
    }
    if (inFile_) write(d);
    else mem_.append(d);
  }
  // Feeds the NAR to `fn` as a Source.
  void replay(const std::function<void(Source&)>& fn) {
    if (!inFile_) {
      StringSource in(mem_);
      fn(in);
      return;
    }
    if (::lseek(fd_.get(), 0, SEEK_SET) == -1) throw SysError(errno, "rewinding '" + dir_->path() + "/nar'");
    FdSource in(fd_.get());
    fn(in);
  }

private:
  void write(std::string_view d) { writeFull(fd_.get(), d); }
  std::string mem_;
  bool inFile_ = false;
  std::optional<TempDir> dir_;
  AutoCloseFd fd_;
};

} // namespace

std::vector<StorePath> importPaths(Store& store, Source& source) {
  std::vector<StorePath> res;
  NarSpool spool;
  while (true) {
    uint64_t n = readU64(source);
    if (n == 0) break;
    if (n != 1) throw Error("input doesn't look like something created by 'nix-store --export'");
    // The path's name comes after its NAR: spool the NAR (NarSpool), then add it from there.
    spool.clear();
    HashSink hasher(HashAlgo::sha256);
    {
      BufferedSink buffered(spool);
      LambdaSink tee([&](std::string_view d) {
        buffered(d);
        hasher(d);
      });
      class TeeSource : public Source {
      public:
        TeeSource(Source& in, Sink& out) : in_(in), out_(out) {}
        size_t read(char* data, size_t len) override {
          size_t k = in_.read(data, len);
          out_(std::string_view(data, k));
          return k;
        }
        Source& in_;
        Sink& out_;
      } teeSource(source, tee);
      validateNar(teeSource);
      buffered.flush();
    }
    if (readU64(source) != exportMagic) throw Error("Nix archive cannot be imported; wrong format");
    StorePath path = store.storeDir().parsePath(readString(source, 4096));
    ValidPathInfo info(path);
    uint64_t nrRefs = readU64(source);
    for (uint64_t i = 0; i < nrRefs; ++i) info.references.insert(store.storeDir().parsePath(readString(source, 4096)));
    std::string deriver = readString(source, 4096);
    if (!deriver.empty()) info.deriver = store.storeDir().parsePath(deriver);
    if (readU64(source) == 1) readString(source, 65536);  // a legacy signature, ignored
    std::tie(info.narHash, info.narSize) = hasher.finish();
    spool.replay([&](Source& in) { store.addToStore(info, in, Repair::no); });
    res.push_back(path);
  }
  return res;
}

} // namespace nixpp
