#include "store/build/builder_process.h"

#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>

#include "store/build/child_setup.h"
#include "util/error.h"

namespace nixpp {

ChildProcess startPlainBuilder(const BuilderSpec& spec) {
  ExecStrings exec(spec);
  Pipe errPipe = Pipe::create();
  AutoCloseFd parentPidfd(openParentPidfd());
  pid_t pid = ::fork();
  if (pid == -1) throw SysError(errno, "unable to fork");
  if (pid == 0) {
    errPipe.readSide.close();
    int errFd = errPipe.writeSide.get();
    if (::setsid() == -1) childFail(errFd, "creating a new session");
    if (::chdir(spec.workDir.c_str()) == -1) childFail(errFd, "changing into '" + spec.workDir + "'");
    if (spec.user) {
      if (::setgroups(spec.user->supplementaryGids.size(), spec.user->supplementaryGids.data()) == -1)
        childFail(errFd, "cannot set supplementary groups of build user");
      if (::setgid(spec.user->gid) == -1 || ::setuid(spec.user->uid) == -1)
        childFail(errFd, "setting the build user");
    }
    redirectStdio(errFd, spec.logFd, parentPidfd.get());  // after setuid, which clears the death signal
    exec.run(errFd, spec.builder);
  }
  parentPidfd.close();
  ChildProcess child(pid, true);
  errPipe.writeSide.close();
  checkChildStarted(child, errPipe.readSide.get());
  return child;
}

} // namespace nixpp
