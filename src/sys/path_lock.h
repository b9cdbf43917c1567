// sys/path_lock.h: advisory locks on files (flock(2) locks, as Nix uses), and PathLocks, the
// locks Nix takes on "<path>.lock" before creating or deleting a store path, so that two
// processes adding the same path never clash: the second waits, then finds the path valid.
// flock locks belong to an open file description: two opens of one lock file in one process
// exclude each other (do not take the same lock twice in one process). A crash releases every lock (the kernel drops them); stale ".lock" files are harmless.
#pragma once

#include <string>
#include <vector>

#include "sys/file.h"

namespace nixpp {

enum class LockType { none, read, write };

// Opens (creating it with mode 0600 if `create`) a lock file. Returns an empty fd if it does not
// exist and !create. Throws SysError "opening lock file '...'".
AutoCloseFd openLockFile(const std::string& path, bool create);

// Sets (or with LockType::none releases) the lock on a whole file. With `wait`, blocks until it
// is granted (retrying on EINTR) and returns true; without, returns false if someone else holds
// a conflicting lock. Throws SysError otherwise.
bool lockFile(int fd, LockType type, bool wait);

// Write locks on "<path>.lock" for a set of paths, taken in sorted order (no deadlocks between
// processes locking overlapping sets). Released, and the lock files optionally deleted, on
// destruction. Move-only. Not thread-safe.
class PathLocks {
public:
  PathLocks() = default;
  // Locks `paths` (waiting for other holders). Lock files found deleted by their previous holder
  // (Nix marks them by writing "d" into them) are reopened.
  explicit PathLocks(std::vector<std::string> paths);
  PathLocks(PathLocks&&) = default;
  PathLocks& operator=(PathLocks&&) = default;
  ~PathLocks();

  // Delete the lock files on release (after the paths they guard were created or deleted).
  void setDeletion(bool deleteLockFiles) { delete_ = deleteLockFiles; }
  void unlock();

private:
  struct Held {
    AutoCloseFd fd;
    std::string lockPath;
  };
  std::vector<Held> held_;
  bool delete_ = false;
};

} // namespace nixpp
