#include "store/optimise.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>

#include "format/hash.h"
#include "store/gc.h"
#include "store/local_store.h"
#include "store/nar_fs.h"
#include "sys/directory.h"

namespace nixpp {

namespace {

std::string linksDirOf(const std::string& realStoreDir) { return realStoreDir + "/.links"; }

// Makes a directory writable for the time of a change, then puts back its mode and times.
class WritableDir {
public:
  explicit WritableDir(std::string dir) : dir_(std::move(dir)) {
    if (::lstat(dir_.c_str(), &st_) == -1) throw SysError(errno, "getting status of '" + dir_ + "'");
    if (!(st_.st_mode & S_IWUSR) && ::chmod(dir_.c_str(), st_.st_mode | S_IWUSR) == -1)
      throw SysError(errno, "making '" + dir_ + "' writable");
  }
  ~WritableDir() {
    ::chmod(dir_.c_str(), st_.st_mode & 07777);
    struct timespec times[2] = {st_.st_atim, st_.st_mtim};
    ::utimensat(AT_FDCWD, dir_.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }

private:
  std::string dir_;
  struct stat st_;
};

void optimiseFile(const std::string& realStoreDir, const std::string& path, const struct stat& st,
                  OptimiseStats& stats, std::unordered_set<ino_t>* linked) {
  if (S_ISREG(st.st_mode) && (st.st_mode & S_IWUSR)) {
    std::fprintf(stderr, "skipping suspicious writable file '%s'\n", path.c_str());
    return;
  }
  if (st.st_nlink > 1 && linked && linked->count(st.st_ino)) return;
  HashSink hasher(HashAlgo::sha256);
  dumpPath(path, hasher);
  std::string linkPath = linksDirOf(realStoreDir) + "/" + hasher.finish().first.to_string(HashFormat::nix32, false);
  while (true) {
    if (::link(path.c_str(), linkPath.c_str()) == 0) {
      if (linked) linked->insert(st.st_ino);
      return;
    }
    if (errno == ENOSPC || errno == EMLINK) return;
    if (errno != EEXIST) throw SysError(errno, "cannot link '" + linkPath + "' to '" + path + "'");
    struct stat stLink;
    if (::lstat(linkPath.c_str(), &stLink) == -1) {
      if (errno == ENOENT) continue;  // the collector removed it just now
      throw SysError(errno, "getting status of '" + linkPath + "'");
    }
    if (stLink.st_ino == st.st_ino) return;
    if (stLink.st_size != st.st_size) {
      std::fprintf(stderr, "removing corrupted link '%s'\n", linkPath.c_str());
      ::unlink(linkPath.c_str());
      continue;
    }
    break;
  }
  std::string dir = path.substr(0, path.rfind('/'));
  std::optional<WritableDir> writable;
  if (dir != realStoreDir) writable.emplace(dir);
  static std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = realStoreDir + "/.tmp-link-" + std::to_string(::getpid()) + "-" + std::to_string(rng());
  if (::link(linkPath.c_str(), tmp.c_str()) == -1) {
    if (errno == EMLINK || errno == ENOENT) return;  // too many links, or just collected
    throw SysError(errno, "cannot link '" + tmp + "' to '" + linkPath + "'");
  }
  if (::rename(tmp.c_str(), path.c_str()) == -1) {
    int err = errno;
    ::unlink(tmp.c_str());
    if (err == EMLINK) return;
    throw SysError(err, "cannot rename '" + tmp + "' to '" + path + "'");
  }
  stats.filesLinked++;
  stats.bytesFreed += uint64_t(st.st_size);
}

void optimiseTree(const std::string& realStoreDir, const std::string& path, OptimiseStats& stats,
                  std::unordered_set<ino_t>* linked) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == -1) throw SysError(errno, "getting status of '" + path + "'");
  if (S_ISDIR(st.st_mode)) {
    for (auto& n : readDirectorySorted(path)) optimiseTree(realStoreDir, path + "/" + n, stats, linked);
  } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
    optimiseFile(realStoreDir, path, st, stats, linked);
  }
}

} // namespace

void optimisePath(const std::string& realStoreDir, const std::string& path, OptimiseStats& stats,
                  std::unordered_set<ino_t>* linkedInodes) {
  std::string links = linksDirOf(realStoreDir);
  if (::mkdir(links.c_str(), 0755) == -1 && errno != EEXIST) throw SysError(errno, "creating directory '" + links + "'");
  optimiseTree(realStoreDir, path, stats, linkedInodes);
}

void optimiseStore(LocalStore& store, OptimiseStats& stats) {
  const std::string& real = store.config().realStoreDir;
  std::string links = linksDirOf(real);
  if (::mkdir(links.c_str(), 0755) == -1 && errno != EEXIST) throw SysError(errno, "creating directory '" + links + "'");
  std::unordered_set<ino_t> linked;
  if (DIR* d = ::opendir(links.c_str())) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') linked.insert(e->d_ino);
    ::closedir(d);
  }
  for (auto& p : store.queryAllValidPaths()) {
    // A path deleted meanwhile (by a collection) is simply skipped.
    std::string path = store.realPath(p);
    if (::access(path.c_str(), F_OK) == -1) continue;
    optimiseTree(real, path, stats, &linked);
  }
}

void removeUnusedLinks(const std::string& realStoreDir, uint64_t& bytesFreed, std::ostream& log) {
  std::string links = linksDirOf(realStoreDir);
  ::mkdir(links.c_str(), 0755);  // as Nix, which makes it when opening the store
  int64_t actualSize = 0, unsharedSize = 0;
  if (::access(links.c_str(), F_OK) == 0) {
    for (auto& n : readDirectorySorted(links)) {
      std::string path = links + "/" + n;
      struct stat st;
      if (::lstat(path.c_str(), &st) == -1) continue;
      if (st.st_nlink != 1) {
        actualSize += st.st_size;
        unsharedSize += int64_t(st.st_nlink - 1) * st.st_size;
        continue;
      }
      if (::unlink(path.c_str()) == -1 && errno != ENOENT) throw SysError(errno, "deleting '" + path + "'");
      bytesFreed += uint64_t(st.st_size);
    }
  }
  struct stat st {};
  int64_t overhead = ::stat(links.c_str(), &st) == 0 ? int64_t(st.st_blocks) * 512 : 0;
  char buf[128];
  std::snprintf(buf, sizeof buf, "note: currently hard linking saves %.2f MiB",
                double(unsharedSize - actualSize - overhead) / (1024.0 * 1024.0));
  log << buf << "\n";
}

} // namespace nixpp
