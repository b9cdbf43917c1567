#include "sys/path_lock.h"

#include <fcntl.h>  // also LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/error.h"

// flock(2) from libc: its header <sys/file.h> is shadowed by the project's src/sys/file.h on the
// include path.
extern "C" int flock(int fd, int operation) noexcept;

namespace nixpp {

AutoCloseFd openLockFile(const std::string& path, bool create) {
  int fd = ::open(path.c_str(), O_CLOEXEC | O_RDWR | (create ? O_CREAT : 0), 0600);
  if (fd == -1) {
    if (!create && errno == ENOENT) return AutoCloseFd();
    throw SysError(errno, "opening lock file '" + path + "'");
  }
  return AutoCloseFd(fd);
}

bool lockFile(int fd, LockType type, bool wait) {
  // flock(2), as Nix: its locks and fcntl's do not see each other, so only flock excludes a Nix
  // process working on the same store. They belong to the open file description: two opens of
  // one lock file in one process exclude each other too.
  int op = type == LockType::read ? LOCK_SH : type == LockType::write ? LOCK_EX : LOCK_UN;
  while (::flock(fd, op | (wait ? 0 : LOCK_NB)) != 0) {
    if (errno == EINTR) continue;
    if (!wait && errno == EWOULDBLOCK) return false;
    throw SysError(errno, "acquiring/releasing lock");
  }
  return true;
}

PathLocks::PathLocks(std::vector<std::string> paths) {
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  for (auto& p : paths) {
    std::string lockPath = p + ".lock";
    while (true) {
      AutoCloseFd fd = openLockFile(lockPath, true);
      lockFile(fd.get(), LockType::write, true);
      // The previous holder may have deleted the file after we opened it: it then wrote "d"
      // into it first. Our lock on an unlinked file guards nothing, so start over.
      struct stat st;
      if (::fstat(fd.get(), &st) == -1) throw SysError(errno, "statting lock file '" + lockPath + "'");
      if (st.st_size != 0) continue;
      held_.push_back({std::move(fd), lockPath});
      break;
    }
  }
}

void PathLocks::unlock() {
  for (auto& h : held_) {
    if (delete_) {
      // Mark it stale for anyone waiting on it, then remove it.
      ::unlink(h.lockPath.c_str());
      (void)!::write(h.fd.get(), "d", 1);
    }
    h.fd = AutoCloseFd();  // closing drops the lock
  }
  held_.clear();
}

PathLocks::~PathLocks() {
  try {
    unlock();
  } catch (...) {
  }
}

} // namespace nixpp
