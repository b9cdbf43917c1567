#include "store/build/sandbox_linux.h"

#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "store/build/child_setup.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

void mkdirs(const std::string& path, mode_t mode = 0755) {
  if (path.empty() || path == "/") return;
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return;
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) mkdirs(path.substr(0, slash), mode);
  if (::mkdir(path.c_str(), mode) == -1 && errno != EEXIST)
    throw SysError(errno, "creating directory '" + path + "'");
}

pid_t cloneProcess(int flags) {
  return (pid_t)::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
}

// The flags a read-only remount must keep (the kernel refuses to drop locked ones in a user ns).
unsigned long lockedFlags(const std::string& path) {
  struct statvfs sv;
  if (::statvfs(path.c_str(), &sv) == -1) return 0;
  unsigned long f = 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

// In the child: bind-mounts `source` at `target` (creating a mount point of the right kind).
void bindMount(int errFd, const std::string& source, const std::string& target, bool readOnly, bool optional) {
  struct stat st;
  if (::stat(source.c_str(), &st) == -1) {
    if (optional && errno == ENOENT) return;
    childFail(errFd, "getting attributes of path '" + source + "'");
  }
  try {
    if (S_ISDIR(st.st_mode)) {
      mkdirs(target);
    } else {
      mkdirs(target.substr(0, target.rfind('/')));
      int fd = ::open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
      if (fd == -1 && errno != EEXIST) childFail(errFd, "creating mount point '" + target + "'");
      if (fd != -1) ::close(fd);
    }
  } catch (SysError& e) {
    errno = e.errNo;
    childFail(errFd, "creating mount point '" + target + "'");
  }
  if (::mount(source.c_str(), target.c_str(), "", MS_BIND | MS_REC, nullptr) == -1)
    childFail(errFd, "bind mount from '" + source + "' to '" + target + "' failed");
  if (readOnly &&
      ::mount("", target.c_str(), "", MS_BIND | MS_REMOUNT | MS_RDONLY | lockedFlags(target), nullptr) == -1)
    childFail(errFd, "making '" + target + "' read-only");
}

// In the child: writes a small file (the sandbox's /etc) or reports the failure.
void childWriteFile(int errFd, const std::string& path, const std::string& contents, bool create = true) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0644);
  if (fd == -1) childFail(errFd, "creating '" + path + "'");
  for (size_t done = 0; done < contents.size();) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n == -1 && errno == EINTR) continue;
    if (n == -1) childFail(errFd, "writing '" + path + "'");
    done += size_t(n);
  }
  ::close(fd);
}

// In the child: mkdirs, reporting a failure.
void childMkdirs(int errFd, const std::string& path) {
  try {
    mkdirs(path);
  } catch (SysError& e) {
    errno = e.errNo;
    childFail(errFd, "creating directory '" + path + "'");
  }
}

// Nix's seccomp filter: no setuid/setgid files, no extended attributes.
void setupSeccomp(int errFd) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) childFail(errFd, "unable to initialize seccomp mode 2");
#if defined(__x86_64__)
  if (seccomp_arch_add(ctx, SCMP_ARCH_X86) != 0 || seccomp_arch_add(ctx, SCMP_ARCH_X32) != 0)
    childFail(errFd, "unable to add 32-bit seccomp architectures");
#endif
  for (mode_t bit : {mode_t(S_ISUID), mode_t(S_ISGID)}) {
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(chmod), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, bit, bit)) ||
        seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fchmod), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, bit, bit)) ||
        seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fchmodat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, bit, bit)))
      childFail(errFd, "unable to add seccomp rule");
  }
  for (int sc : {SCMP_SYS(setxattr), SCMP_SYS(lsetxattr), SCMP_SYS(fsetxattr)})
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTSUP), sc, 0))
      childFail(errFd, "unable to add seccomp rule");
  if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) != 0) childFail(errFd, "unable to set 'no new privileges'");
  if (seccomp_load(ctx) != 0) childFail(errFd, "unable to load seccomp BPF program");
  seccomp_release(ctx);
}

// The sandbox's /etc: passwd and group naming the build user, hosts; for fixed-output derivations
// (network access) the host's hosts, resolv.conf and services instead. Read before the clone.
std::vector<std::pair<std::string, std::string>> etcFiles(bool hostFiles) {
  std::vector<std::pair<std::string, std::string>> files{
      {"/etc/passwd", "root:x:0:0:Nix build user:/build:/noshell\n"
                      "nixbld:x:" + std::to_string(sandboxUid) + ":" + std::to_string(sandboxGid) +
                          ":Nix build user:/build:/noshell\n"
                          "nobody:x:65534:65534:Nobody:/:/noshell\n"},
      {"/etc/group", "root:x:0:\nnixbld:!:" + std::to_string(sandboxGid) + ":\nnogroup:x:65534:\n"}};
  if (hostFiles) {
    for (const char* f : {"/etc/hosts", "/etc/resolv.conf", "/etc/services"})
      if (pathExists(f)) files.emplace_back(f, readFile(f));
  } else {
    files.emplace_back("/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n");
  }
  return files;
}

[[noreturn]] void runSandboxChild(int errFd, int goFd, int parentPidfd, const BuilderSpec& b, const SandboxSpec& s,
                                  const std::vector<std::pair<std::string, std::string>>& etc, ExecStrings& exec) {
  if (goFd != -1) {  // the parent writes our uid and gid maps, then says go
    char c;
    while (::read(goFd, &c, 1) == -1 && errno == EINTR) {}
    ::close(goFd);
  } else {  // we map our own uid and gid (allowed: they are the ones we run as outside)
    childWriteFile(errFd, "/proc/self/setgroups", "deny", false);
    childWriteFile(errFd, "/proc/self/uid_map",
                   std::to_string(sandboxUid) + " " + std::to_string(s.hostUid) + " 1", false);
    childWriteFile(errFd, "/proc/self/gid_map",
                   std::to_string(sandboxGid) + " " + std::to_string(s.hostGid) + " 1", false);
  }
  const std::string& root = s.root;
  if (::mount(nullptr, "/", nullptr, MS_PRIVATE | MS_REC, nullptr) == -1) childFail(errFd, "unable to make '/' private");
  // The tree is a tmpfs of this mount namespace, mounted over `root`: made in memory, gone with
  // the namespace, where the same tree on the store's file system cost a dozen inodes created
  // and deleted per build (the most expensive part of a trivial build on ext4). Only the store
  // dir is the real one under `root`, mounted back in, so that outputs are made on the store's
  // file system and renamed into the store.
  std::string store = root + s.storeDir;
  int storeFd = ::open(store.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (storeFd == -1) childFail(errFd, "opening '" + store + "'");
  if (::mount("none", root.c_str(), "tmpfs", 0, "mode=0755") == -1) childFail(errFd, "mounting a tmpfs on '" + root + "'");
  // Files the child makes in the tmpfs are owned by the builder's uid of this namespace (the
  // real uid may have no mapping here, when it differs from the build user's).
  ::setfsuid(sandboxUid);
  ::setfsgid(sandboxGid);
  for (const char* d : {"/etc", "/proc", "/dev/shm", "/dev/pts"}) childMkdirs(errFd, root + d);
  childMkdirs(errFd, store);
  for (auto& [path, contents] : etc) childWriteFile(errFd, root + path, contents);
  for (auto [target, link] : {std::pair{"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
                              {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
                              {"/dev/pts/ptmx", "/dev/ptmx"}})
    if (::symlink(target, (root + link).c_str()) == -1) childFail(errFd, "creating symlink '" + root + link + "'");
  // The store dir is a mount of its own, so that the root can be made read-only below while
  // the builder still creates its outputs there.
  if (::mount(("/proc/self/fd/" + std::to_string(storeFd)).c_str(), store.c_str(), nullptr, MS_BIND, nullptr) == -1)
    childFail(errFd, "unable to bind mount '" + store + "'");
  ::close(storeFd);
  for (auto& [inside, outside] : s.bindMounts) {
    auto ro = s.bindReadOnly.find(inside);
    auto opt = s.bindOptional.find(inside);
    bindMount(errFd, outside, root + inside, ro != s.bindReadOnly.end() && ro->second,
              opt != s.bindOptional.end() && opt->second);
  }
  if (::mount("none", (root + "/proc").c_str(), "proc", 0, nullptr) == -1) childFail(errFd, "mounting /proc");
  if (::mount("none", (root + "/dev/shm").c_str(), "tmpfs", 0, "size=50%") == -1) childFail(errFd, "mounting /dev/shm");
  if (::mount("none", (root + "/dev/pts").c_str(), "devpts", 0, "newinstance,mode=0620") == -1)
    childFail(errFd, "mounting /dev/pts");
  // Nothing but the store dir, /build, /dev/shm and sandbox-paths is writable: the builder,
  // which may own the root directory (it runs as our own uid), cannot create files in "/".
  if (::sethostname("localhost", 9) == -1) childFail(errFd, "cannot set host name");
  if (::setdomainname("(none)", 6) == -1) childFail(errFd, "cannot set domain name");
  if (s.privateNetwork) {
    int fd = ::socket(PF_INET, SOCK_DGRAM, IPPROTO_IP);
    if (fd == -1) childFail(errFd, "cannot open IP socket");
    struct ifreq ifr {};
    strcpy(ifr.ifr_name, "lo");
    ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    if (::ioctl(fd, SIOCSIFFLAGS, &ifr) == -1) childFail(errFd, "cannot set loopback interface flags");
    ::close(fd);
  }
  if (::chdir(root.c_str()) == -1) childFail(errFd, "cannot change directory to '" + root + "'");
  if (::mkdir("real-root", 0) == -1) childFail(errFd, "cannot create real-root directory");
  if (::syscall(SYS_pivot_root, ".", "real-root") == -1) childFail(errFd, "cannot pivot old root directory onto 'real-root'");
  if (::chroot(".") == -1) childFail(errFd, "cannot change root directory");
  if (::umount2("real-root", MNT_DETACH) == -1) childFail(errFd, "cannot unmount real root filesystem");
  if (::rmdir("real-root") == -1) childFail(errFd, "cannot remove real-root directory");
  if (::mount("", "/", "", MS_BIND | MS_REMOUNT | MS_RDONLY | lockedFlags("/"), nullptr) == -1)
    childFail(errFd, "making the sandbox's root read-only");
  // Raw system calls: glibc's setgid/setuid would signal every thread of the process to change
  // its ids too, and a vfork-style child shares our memory and so our list of threads (the temp
  // roots' server thread), which are not its own.
  if (::syscall(SYS_setgid, sandboxGid) == -1) childFail(errFd, "setgid failed");
  if (::syscall(SYS_setuid, sandboxUid) == -1) childFail(errFd, "setuid failed");
  if (::setsid() == -1) childFail(errFd, "creating a new session");
  if (::chdir(b.workDir.c_str()) == -1) childFail(errFd, "changing into '" + b.workDir + "'");
  redirectStdio(errFd, b.logFd, parentPidfd);  // after setuid, which clears the death signal
  setupSeccomp(errFd);
  exec.run(errFd, b.builder);
}

} // namespace

void addSandboxPaths(SandboxSpec& spec, const std::set<std::string>& entries) {
  for (auto e : entries) {
    bool optional = false;
    if (!e.empty() && e.back() == '?') {
      optional = true;
      e.pop_back();
    }
    std::string inside = e, outside = e;
    if (auto eq = e.find('='); eq != std::string::npos) {
      inside = e.substr(0, eq);
      outside = e.substr(eq + 1);
    }
    if (inside.empty() || inside[0] != '/' || outside.empty() || outside[0] != '/')
      throw Error("sandbox path '" + e + "' is not absolute");
    spec.bindMounts[inside] = outside;
    spec.bindOptional[inside] = optional;
  }
}

void prepareSandboxRoot(const SandboxSpec& s) {
  const std::string& r = s.root;
  if (::mkdir(r.c_str(), 0750) == -1) throw SysError(errno, "cannot create '" + r + "'");
  if (::chown(r.c_str(), 0, s.hostGid) == -1 && ::geteuid() == 0) throw SysError(errno, "cannot change ownership of '" + r + "'");
  std::string store = r + s.storeDir;
  mkdirs(store);
  if (::chmod(store.c_str(), 01775) == -1) throw SysError(errno, "cannot change mode of '" + store + "'");
  if (::chown(store.c_str(), s.hostUid, s.hostGid) == -1 && ::geteuid() == 0)
    throw SysError(errno, "cannot change ownership of '" + store + "'");
}

ChildProcess startSandboxedBuilder(const BuilderSpec& b, const SandboxSpec& sIn) {
  SandboxSpec s = sIn;
  for (const char* d : {"/dev/full", "/dev/null", "/dev/random", "/dev/tty", "/dev/urandom", "/dev/zero"}) {
    s.bindMounts[d] = d;
    s.bindOptional[d] = std::string(d) == "/dev/tty";  // no controlling tty in some containers
  }
  ExecStrings exec(b);
  auto etc = etcFiles(!s.privateNetwork);
  Pipe errPipe = Pipe::create();
  AutoCloseFd parentPidfd(openParentPidfd());
  int flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
  if (s.privateNetwork) flags |= CLONE_NEWNET;

  if (s.hostUid == ::geteuid() && s.hostGid == ::getegid()) {
    // The builder runs as ourselves: it maps its own ids, so nothing needs to happen in this
    // process between the clone and the exec, and the child can run vfork-style, in our memory
    // while we wait (CLONE_VM | CLONE_VFORK) on a stack of its own. A fork would copy this
    // process's page tables and then fault in every page either side writes until the exec:
    // a third of the CPU time of a trivial sandboxed build. The child changes no object of
    // ours (raw fds only) and ends in exec or _exit.
    struct Args {
      int errFd, errReadFd, parentPidfd;
      const BuilderSpec* b;
      const SandboxSpec* s;
      const std::vector<std::pair<std::string, std::string>>* etc;
      ExecStrings* exec;
    } args{errPipe.writeSide.get(), errPipe.readSide.get(), parentPidfd.get(), &b, &s, &etc, &exec};
    constexpr size_t stackSize = 1 << 20;
    void* stack = ::mmap(nullptr, stackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) throw SysError(errno, "allocating the builder's stack");
    pid_t pid = ::clone(
        [](void* p) -> int {
          auto* a = static_cast<Args*>(p);
          ::close(a->errReadFd);
          runSandboxChild(a->errFd, -1, a->parentPidfd, *a->b, *a->s, *a->etc, *a->exec);
        },
        static_cast<char*>(stack) + stackSize, flags | CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    int err = errno;
    ::munmap(stack, stackSize);  // the child has exec'd or exited
    if (pid == -1) throw SysError(err, "cloning builder process");
    ChildProcess child(pid, false);
    errPipe.writeSide.close();
    checkChildStarted(child, errPipe.readSide.get());
    return child;
  }

  // Another user (a build user): only we, privileged, may map its ids; the child waits for it.
  Pipe goPipe = Pipe::create();
  pid_t pid = cloneProcess(flags);
  if (pid == -1) throw SysError(errno, "cloning builder process");
  if (pid == 0) {
    errPipe.readSide.close();
    goPipe.writeSide.close();
    runSandboxChild(errPipe.writeSide.get(), goPipe.readSide.release(), parentPidfd.get(), b, s, etc, exec);
  }
  parentPidfd.close();
  ChildProcess child(pid, false);
  errPipe.writeSide.close();
  goPipe.readSide.close();
  std::string proc = "/proc/" + std::to_string(pid);
  try {
    writeFile(proc + "/setgroups", "deny");
    writeFile(proc + "/uid_map", std::to_string(sandboxUid) + " " + std::to_string(s.hostUid) + " 1");
    writeFile(proc + "/gid_map", std::to_string(sandboxGid) + " " + std::to_string(s.hostGid) + " 1");
  } catch (...) {
    child.kill();
    throw;
  }
  writeFull(goPipe.writeSide.get(), "1");
  goPipe.writeSide.close();
  checkChildStarted(child, errPipe.readSide.get());
  return child;
}

bool sandboxAvailable() {
  pid_t pid = cloneProcess(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET);
  if (pid == -1) return false;
  if (pid == 0) ::_exit(0);
  int status;
  while (::waitpid(pid, &status, 0) == -1 && errno == EINTR) {}
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace nixpp
