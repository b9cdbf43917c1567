// store/temp_roots.h: temporary GC roots, and the lock protocol that keeps a collection running
// in parallel from deleting them. It is Nix's protocol since 2.4 (the GC lock plus the
// collector's socket), so that Nix 2.8 and nixpp processes can share one store:
//
//   <stateDir>/gc.lock                 the global GC lock: a collector holds it exclusively
//                                      (fcntl write lock) for its whole run
//   <stateDir>/temproots/<pid>         the temporary roots of process <pid>: printed store paths,
//                                      each followed by a NUL; the process holds a write lock
//                                      on it for its lifetime (a lockable file is stale)
//   <stateDir>/gc-socket/socket        the running collector's Unix socket
//
// A process adding a temporary root (TempRoots::add) first appends the path to its file: every
// collector that takes the GC lock from then on reads it. Then it tries to take the GC lock
// shared, without waiting. If it gets it, no collector runs, and it lets go. If it does not, a
// collector is running and may already have read the files: the process sends "<path>\n" to
// the collector's socket and waits for the reply "1". (Nix writes the file after the reply;
// writing it first closes the window in which the running collector ends and the next one has
// read the files already.) The collector (RootServer)
// records the path before replying, unless it is deleting that very path at that moment: then
// it replies once that deletion is complete, and the caller finds the path invalid and
// recreates it. Either way, once add() returns, the path is never deleted while this process
// lives if it is valid at that point: callers add the root *before* checking validity.
//
// Thread safety: a TempRoots object is used by one thread at a time (like its LocalStore). The
// RootServer runs one thread of its own; its methods may be called from another thread.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sys/file.h"
#include "sys/process.h"

namespace nixpp {

// The temporary roots of this process in one store (one per LocalStore).
class TempRoots {
public:
  explicit TempRoots(std::string stateDir);

  // Every TempRoots of one state directory in a process shares one state (the roots file, the
  // GC lock's fd, what was added): fcntl locks belong to the process, so two files or two fds
  // for the same lock would undo each other.

  // Protects `printedPath` (a store path as printed, "/nix/store/<hash>-<name>") until this
  // process exits. Idempotent. Throws SysError if the state directory is unusable.
  void add(const std::string& printedPath);
  // add() of several paths: one write and one look at the GC lock when no collector runs.
  void add(const std::vector<std::string>& printedPaths);

  // The roots this process added (for the collector running in this process).
  const std::set<std::string>& own() const { return st_->added; }

  // The GC lock file, opened on first use. A collector in this process must lock it through this
  // fd only: fcntl locks belong to the process, and closing any other fd on the same file would
  // drop the lock.
  int gcLockFd();
  // While a collector of this process holds the GC lock, add() only records the path in own()
  // (taking the lock shared would downgrade the collector's exclusive lock).
  void setCollecting(bool collecting) { st_->collecting = collecting; }

  struct State {
    std::string stateDir;
    AutoCloseFd rootsFile, gcLock, socket;
    std::set<std::string> added;
    bool collecting = false;
  };

private:
  void openRootsFile();
  std::shared_ptr<State> st_;
};

// The temporary roots of other live processes: printed path -> the pids holding it. Stale
// files (of dead processes: their lock can be taken) are deleted, as Nix does, printing
// "removing stale temporary roots file '...'" to `log` if given. The caller holds the GC lock
// exclusively. This process's own file is skipped (see TempRoots::own()).
std::map<std::string, std::set<pid_t>> readTempRoots(const std::string& stateDir, std::ostream* log);

// The collector's end of the protocol: listens on <stateDir>/gc-socket/socket, records the
// hash parts of the roots it receives and acknowledges them, except while they are being
// deleted (see claim()). Created after the GC lock is taken, before the temporary-roots files
// are read; stops (and removes the socket) on destruction.
class RootServer {
public:
  explicit RootServer(const std::string& stateDir);
  ~RootServer();
  RootServer(const RootServer&) = delete;
  RootServer& operator=(const RootServer&) = delete;

  // Of `hashParts`, returns the indices of those not received as roots, and marks them pending:
  // a client sending one of them now waits for its reply until release().
  std::vector<size_t> claim(const std::vector<std::string>& hashParts);
  // Ends the deletion of the pending paths and wakes up the clients waiting for them.
  void release();
  // Whether `hashPart` was received as a root.
  bool received(const std::string& hashPart);

private:
  void run();
  std::string socketPath_;
  AutoCloseFd listen_;
  Pipe wake_;  // written to stop the thread
  std::mutex mutex_;
  std::condition_variable cv_;
  std::set<std::string> received_, pending_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace nixpp
