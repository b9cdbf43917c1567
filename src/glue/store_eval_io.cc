#include "glue/store_eval_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <unordered_set>

#include "format/derivation.h"
#include "format/hash.h"
#include "format/store_path.h"
#include "glue/fetch.h"
#include "store/local_store.h"
#include "store/nar_fs.h"
#include "store/store.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

StoreEvalIo::StoreEvalIo(std::function<Store&()> openStore, std::string storeDir, StoreWrites writes,
                         FileTransferSettings transfer)
    : openStore_(std::move(openStore)), storeDir_(std::move(storeDir)), writes_(writes), transfer_(std::move(transfer)) {}

Store& StoreEvalIo::store() {
  if (!store_) store_ = &openStore_();
  return *store_;
}

std::string StoreEvalIo::readFile(const std::string& path) { return nixpp::readFile(path); }

bool StoreEvalIo::pathExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

EvalIo::FileType StoreEvalIo::fileType(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) throw SysError(errno, "getting status of '" + path + "'");
  if (S_ISREG(st.st_mode)) return FileType::Regular;
  if (S_ISDIR(st.st_mode)) return FileType::Directory;
  if (S_ISLNK(st.st_mode)) return FileType::Symlink;
  return FileType::Unknown;
}

std::vector<EvalIo::DirEntry> StoreEvalIo::readDirectory(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (!d) throw SysError(errno, "opening directory '" + path + "'");
  std::vector<DirEntry> out;
  while (auto* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    FileType t = FileType::Unknown;
    switch (e->d_type) {
    case DT_REG: t = FileType::Regular; break;
    case DT_DIR: t = FileType::Directory; break;
    case DT_LNK: t = FileType::Symlink; break;
    case DT_UNKNOWN: t = fileType(path + "/" + name); break;
    default: break;
    }
    out.push_back({name, t});
  }
  closedir(d);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

std::string StoreEvalIo::readLink(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) throw SysError(errno, "reading symbolic link '" + path + "'");
  return std::string(buf, size_t(n));
}

// The paths below `dir` that `filter` rejects, asking it about every entry of `dir` and of the
// accepted directories below it (in name order, as Nix's dumpPath does), never about `dir` itself.
// Runs on the evaluator's thread: the filter is a Nix function.
static void collectRejected(StoreEvalIo& io, const std::string& dir, const EvalIo::PathFilter& filter,
                            std::unordered_set<std::string>& rejected) {
  for (auto& e : io.readDirectory(dir)) {
    std::string child = dir + "/" + e.name;
    if (!filter(child, e.type)) rejected.insert(child);
    else if (e.type == EvalIo::FileType::Directory) collectRejected(io, child, filter, rejected);
  }
}

std::string StoreEvalIo::copyPathToStore(const std::string& path, std::string_view name, bool recursive,
                                         const PathFilter* filter) {
  // A filtered tree: the Nix filter is asked first, then the NAR is made without what it rejected.
  std::unordered_set<std::string> rejected;
  if (filter && recursive && fileType(path) == FileType::Directory) collectRejected(*this, path, *filter, rejected);
  nixpp::PathFilter keep;
  if (!rejected.empty()) keep = [&rejected](const std::string& p) { return !rejected.count(p); };
  if (writes_ == StoreWrites::readOnly) {
    // The path the copy would get: the hash of the NAR (recursive) or of the file (flat).
    HashSink sink(HashAlgo::sha256);
    if (recursive) {
      dumpPath(path, sink, keep);
    } else {
      AutoCloseFd fd = openFile(path, O_RDONLY);
      FdSource(fd.get()).drainInto(sink);
    }
    StoreDir dir(storeDir_);
    auto method = recursive ? FileIngestionMethod::recursive : FileIngestionMethod::flat;
    return dir.printPath(dir.makeFixedOutputPath(method, sink.finish().first, name));
  }
  if (keep) {
    // Filtered sources are small: the NAR is made in memory, then added.
    StringSink nar;
    dumpPath(path, nar, keep);
    StringSource in(nar.s);
    return store().storeDir().printPath(store().addToStoreFromDump(in, name, ContentAddressMethod::nar, HashAlgo::sha256));
  }
  StorePath p = store().addPathToStore(path, name, recursive ? ContentAddressMethod::nar : ContentAddressMethod::flat);
  return store().storeDir().printPath(p);
}

std::string StoreEvalIo::addTextToStore(std::string_view name, std::string_view text,
                                        const std::vector<std::string>& references) {
  if (writes_ == StoreWrites::readOnly) {
    StoreDir dir(storeDir_);
    StorePathSet refs;
    for (auto& r : references) refs.insert(dir.parsePath(r));
    return dir.printPath(dir.computeStorePathForText(name, text, refs));
  }
  StorePathSet refs;
  for (auto& r : references) refs.insert(store().storeDir().parsePath(r));
  return store().storeDir().printPath(store().addTextToStore(name, text, refs));
}

// A .drv is a text file whose references are its input sources and derivations (Nix's writeDerivation).
std::string StoreEvalIo::writeDerivation(const Derivation& drv, const std::string& text) {
  StorePathSet refs = drv.inputSrcs;
  for (auto& [p, _] : drv.inputDrvs) refs.insert(p);
  if (writes_ == StoreWrites::readOnly) {
    StoreDir dir(storeDir_);
    return dir.printPath(dir.computeStorePathForText(drv.name + ".drv", text, refs));
  }
  const StoreDir& dir = store().storeDir();
  if (auto* local = dynamic_cast<LocalStore*>(&store())) {
    std::map<std::string, StorePath> outputs;
    for (auto& [name, p] : drv.outputsAndOptPaths(dir))
      if (p) outputs.emplace(name, *p);
    return dir.printPath(local->addDerivationText(drv.name + ".drv", text, refs, outputs));
  }
  return dir.printPath(store().addTextToStore(drv.name + ".drv", text, refs));
}

std::string StoreEvalIo::readStoreFile(const std::string& path) {
  const StoreDir& dir = store().storeDir();
  if (auto* local = dynamic_cast<LocalStore*>(&store()); local && dir.isInStore(path)) {
    auto [sp, rest] = dir.toStorePath(path);
    return nixpp::readFile(local->realPath(sp) + rest);
  }
  return readFile(path);
}

std::string StoreEvalIo::toRealPath(const std::string& storePath) {
  const StoreDir& dir = store().storeDir();
  if (auto* local = dynamic_cast<LocalStore*>(&store()); local && dir.isInStore(storePath)) {
    auto [sp, rest] = dir.toStorePath(storePath);
    return local->realPath(sp) + rest;
  }
  return storePath;
}

std::vector<std::string> StoreEvalIo::queryReferences(const std::string& storePath) {
  const StoreDir& dir = store().storeDir();
  std::vector<std::string> out;
  for (auto& r : store().queryPathInfo(dir.parsePath(storePath)).references) out.push_back(dir.printPath(r));
  return out;
}

bool StoreEvalIo::isValidPath(const std::string& storePath) {
  auto p = store().storeDir().parsePathOpt(storePath);
  return p && store().isValidPath(*p);
}

FetchResult StoreEvalIo::fetch(const FetchRequest& req) { return nixpp::fetch(store(), req, transfer_); }

std::string StoreEvalIo::getEnv(const std::string& name) { return nixpp::getEnv(name); }

std::string StoreEvalIo::absPath(const std::string& path) {
  return path.starts_with("/") ? path : currentDir() + "/" + path;
}

} // namespace nixpp
