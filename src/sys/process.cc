#include "sys/process.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "util/error.h"

namespace nixpp {

Pipe Pipe::create() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) == -1) throw SysError(errno, "creating a pipe");
  return Pipe{AutoCloseFd(fds[0]), AutoCloseFd(fds[1])};
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    kill();
    pid_ = o.pid_;
    group_ = o.group_;
    o.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() { kill(); }

int ChildProcess::wait() {
  if (pid_ <= 0) throw Error("waiting for a process that was not started");
  int status;
  while (::waitpid(pid_, &status, 0) == -1) {
    if (errno != EINTR) throw SysError(errno, "waiting for process " + std::to_string(pid_));
  }
  pid_ = -1;
  return status;
}

int ChildProcess::kill() {
  if (pid_ <= 0) return 0;
  if (group_) ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) == -1 && errno == EINTR) {}
  pid_ = -1;
  return status;
}

ChildProcess startProcess(const std::function<void()>& fn) {
  pid_t pid = ::fork();
  if (pid == -1) throw SysError(errno, "unable to fork");
  if (pid == 0) {
    try {
      fn();
    } catch (std::exception& e) {
      std::string msg = std::string("error: ") + e.what() + "\n";
      (void)!::write(STDERR_FILENO, msg.data(), msg.size());
    }
    ::_exit(1);
  }
  return ChildProcess(pid, false);
}

std::string statusToString(int status) {
  if (WIFEXITED(status)) return "failed with exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* d = ::strsignal(sig);
    return "failed due to signal " + std::to_string(sig) + " (" + (d ? d : "?") + ")";
  }
  return "died abnormally";
}

bool statusOk(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

} // namespace nixpp
