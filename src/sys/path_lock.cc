#include "sys/path_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/error.h"

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
  struct flock lock {};
  lock.l_type = type == LockType::read ? F_RDLCK : type == LockType::write ? F_WRLCK : F_UNLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;  // the whole file
  while (::fcntl(fd, wait ? F_SETLKW : F_SETLK, &lock) != 0) {
    if (errno == EINTR) continue;
    if (!wait && (errno == EACCES || errno == EAGAIN)) return false;
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
