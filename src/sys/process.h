// sys/process.h: child processes and pipes as RAII values. A ChildProcess is killed (SIGKILL to
// its process group when it leads one, else to itself) and reaped on destruction unless it was
// waited for, so an exception never leaves a running or zombie child behind. A crash of the
// parent leaves the child running (it is not our child any more); builders are started in their
// own process group and pid namespace, so they die with their namespace's init.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "sys/file.h"

namespace nixpp {

// A pipe: readSide and writeSide, both close-on-exec.
struct Pipe {
  AutoCloseFd readSide, writeSide;
  // Throws SysError "creating a pipe".
  static Pipe create();
};

// A child process we started and must reap.
class ChildProcess {
public:
  ChildProcess() = default;
  // Takes ownership of child `pid`; `group`: it leads its own process group (kill the group).
  ChildProcess(pid_t pid, bool group) : pid_(pid), group_(group) {}
  ChildProcess(ChildProcess&& o) noexcept : pid_(o.pid_), group_(o.group_) { o.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  explicit operator bool() const { return pid_ > 0; }
  // Waits for the child to exit and returns its wait status. Throws SysError.
  int wait();
  // SIGKILLs the child (or its group) and reaps it; returns the wait status. No-op if none.
  int kill();
  // Forgets the child without waiting (someone else reaps it).
  pid_t release() { pid_t p = pid_; pid_ = -1; return p; }

private:
  pid_t pid_ = -1;
  bool group_ = false;
};

// Forks; the child runs `fn` and then _exit(1) if it returns (or throws: the message goes to
// stderr). `fn` must only call async-signal-safe functions if the parent is multi-threaded.
// Throws SysError "unable to fork".
ChildProcess startProcess(const std::function<void()>& fn);

// "exited with exit code N" / "was killed by signal N (Killed)": how a wait status reads.
// Nix's wording, e.g. for builders: "failed with exit code 1", "failed due to signal 9 (Killed)".
std::string statusToString(int status);
// True if the status is a normal exit with code 0.
bool statusOk(int status);

} // namespace nixpp
