#include "store/build/child_setup.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "util/error.h"

namespace nixpp {

ExecStrings::ExecStrings(const BuilderSpec& spec) {
  strings_.reserve(1 + spec.args.size() + spec.env.size());
  // argv[0] is the builder's base name, as Nix passes it (busybox picks its applet by it).
  strings_.push_back(spec.builder.substr(spec.builder.rfind('/') + 1));
  for (auto& a : spec.args) strings_.push_back(a);
  size_t nArgs = strings_.size();
  for (auto& [k, v] : spec.env) strings_.push_back(k + "=" + v);
  for (size_t i = 0; i < strings_.size(); ++i) (i < nArgs ? argv_ : envp_).push_back(strings_[i].data());
  argv_.push_back(nullptr);
  envp_.push_back(nullptr);
}

void ExecStrings::run(int errFd, const std::string& builder) {
  ::execve(builder.c_str(), argv_.data(), envp_.data());
  childFail(errFd, "executing '" + builder + "'");
}

void childFail(int errFd, const std::string& what) {
  std::string msg = what + ": " + ::strerror(errno);
  (void)!::write(errFd, msg.data(), msg.size());
  ::_exit(1);
}

int openParentPidfd() {
#ifdef SYS_pidfd_open
  return int(::syscall(SYS_pidfd_open, ::getpid(), 0));  // close-on-exec by definition
#else
  return -1;
#endif
}

void redirectStdio(int errFd, int logFd, int parentPidfd) {
  // The builder dies with nixpp (as Nix's builders do): a killed nixpp leaves no builder
  // writing on behind it, and the next build of the derivation starts from a clean slate.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) == -1) childFail(errFd, "setting the parent-death signal");
  // The signal comes only if nixpp dies from now on. A pidfd becomes readable when its process
  // has exited (getppid() cannot tell: it is 0 in the sandbox's pid namespace).
  if (parentPidfd != -1) {
    struct pollfd p {parentPidfd, POLLIN, 0};
    int n;
    while ((n = ::poll(&p, 1, 0)) == -1 && errno == EINTR) {}
    if (n != 0) ::_exit(1);  // nixpp is gone (or cannot be watched): nobody waits for us
  }
  int null = ::open("/dev/null", O_RDONLY);
  if (null == -1) childFail(errFd, "opening /dev/null");
  if (::dup2(null, STDIN_FILENO) == -1 || ::dup2(logFd, STDOUT_FILENO) == -1 || ::dup2(logFd, STDERR_FILENO) == -1)
    childFail(errFd, "redirecting the builder's output");
  if (null > 2) ::close(null);
}

void checkChildStarted(ChildProcess& child, int errReadFd) {
  std::string msg;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(errReadFd, buf, sizeof buf);
    if (n == -1 && errno == EINTR) continue;
    if (n <= 0) break;
    msg.append(buf, n);
  }
  if (!msg.empty()) {
    child.kill();
    throw Error(msg);
  }
}

} // namespace nixpp
