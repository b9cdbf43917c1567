// store/build/child_setup.h: the steps every builder child takes between fork and exec, shared by
// the plain and the sandboxed builder. After fork only these run in the child; a failure is
// reported to the parent through a close-on-exec pipe (the child writes the message and exits
// 1), and an exec that succeeds closes the pipe without a word.
#pragma once

#include <string>
#include <vector>

#include "store/build/builder_process.h"

namespace nixpp {

// argv and envp prepared before fork (no allocation is needed in the child to exec).
class ExecStrings {
public:
  explicit ExecStrings(const BuilderSpec& spec);
  // Executes the builder; on failure reports "executing '<builder>'" and exits.
  [[noreturn]] void run(int errFd, const std::string& builder);

private:
  std::vector<std::string> strings_;
  std::vector<char*> argv_, envp_;
};

// In the child: writes "<what>: <strerror(errno)>" to errFd and _exits(1).
[[noreturn]] void childFail(int errFd, const std::string& what);
// In the parent, before the fork or clone of a builder: a pidfd of this process (close-on-exec),
// or -1 if the kernel has none. The child passes it to redirectStdio; the parent closes it after.
int openParentPidfd();
// In the child: stdin from /dev/null, stdout and stderr to logFd; SIGKILL when nixpp dies. Call it
// after the child's last change of user or group ids (a change clears the parent-death signal).
// If nixpp died before (the signal was set too late to come), the child exits at once: a
// vfork-style parent can be killed while it waits for the child's exec, and an orphaned builder
// would go on writing into a build directory that the next build of the derivation deletes.
void redirectStdio(int errFd, int logFd, int parentPidfd);
// In the parent: waits for the child's exec (EOF on the pipe) or its error message; on an error
// reaps the child and throws Error with the message.
void checkChildStarted(ChildProcess& child, int errReadFd);

} // namespace nixpp
