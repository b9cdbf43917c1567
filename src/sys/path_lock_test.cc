#include "sys/path_lock.h"

#include <sys/wait.h>
#include <cstdlib>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace nixpp {
namespace {

// Two processes: the child holds the lock for a while; the parent's non-waiting attempt fails,
// its waiting attempt succeeds only after the child released it.
TEST(PathLocks, ExcludesOtherProcesses) {
  TempDir tmp;
  std::string path = tmp.path() + "/p";
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    {
      PathLocks lock({path});
      (void)!::write(pipefd[1], "x", 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(pipefd[0], &c, 1), 1);
  AutoCloseFd fd = openLockFile(path + ".lock", false);
  ASSERT_TRUE(fd);
  EXPECT_FALSE(lockFile(fd.get(), LockType::write, false));
  auto start = std::chrono::steady_clock::now();
  {
    PathLocks lock({path});
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  }
  int status;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(status, 0);
}

TEST(PathLocks, DeletionMarksStaleAndRemoves) {
  TempDir tmp;
  std::string path = tmp.path() + "/p";
  {
    PathLocks lock({path, path});  // duplicates are locked once
    lock.setDeletion(true);
  }
  EXPECT_FALSE(pathExists(path + ".lock"));
  PathLocks again({path});  // a fresh lock file
  EXPECT_TRUE(pathExists(path + ".lock"));
}

// Nix takes its locks with flock(2), which does not see fcntl locks: ours must be flock locks to
// exclude a Nix process (here util-linux's flock(1)) working on the same store.
TEST(PathLocks, ExcludeFlockUsersAsNix) {
  TempDir tmp;
  std::string path = tmp.path() + "/p";
  std::string tryLock = "flock -n '" + path + ".lock' true";
  {
    PathLocks lock({path});
    EXPECT_NE(::system(tryLock.c_str()), 0);
    // And two opens of the lock file in one process exclude each other (open file descriptions).
    AutoCloseFd fd = openLockFile(path + ".lock", false);
    EXPECT_FALSE(lockFile(fd.get(), LockType::read, false));
  }
  EXPECT_EQ(::system(tryLock.c_str()), 0);
}

} // namespace
} // namespace nixpp
