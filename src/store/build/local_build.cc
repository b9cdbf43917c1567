#include "store/build/local_build.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <deque>
#include <iostream>
#include <optional>
#include <sstream>

#include "store/build/build_env.h"
#include "store/build/build_log.h"
#include "store/build/builtins.h"
#include "store/build/builder_process.h"
#include "store/build/outputs.h"
#include "store/build/sandbox_linux.h"
#include "store/local_store.h"
#include "store/settings.h"
#include "sys/path_lock.h"
#include "sys/process.h"

namespace nixpp {

namespace {

constexpr size_t logLines = 10;  // Nix's log-lines default

// Non-blocking write locks on "<path>.lock" for every output (as PathLocks, but giving up
// instead of waiting, so that the scheduler can go on with other builds).
class OutputLocks {
public:
  // False if another process holds one of them.
  bool tryLock(std::vector<std::string> paths) {
    std::sort(paths.begin(), paths.end());
    for (auto& p : paths) {
      std::string lockPath = p + ".lock";
      while (true) {
        AutoCloseFd fd = openLockFile(lockPath, true);
        if (!lockFile(fd.get(), LockType::write, false)) {
          release(false);
          return false;
        }
        struct stat st;
        if (::fstat(fd.get(), &st) == -1) throw SysError(errno, "statting lock file '" + lockPath + "'");
        if (st.st_size != 0) continue;  // deleted by its previous holder
        held_.push_back({std::move(fd), lockPath});
        break;
      }
    }
    return true;
  }
  void release(bool deleteFiles) {
    for (auto& [fd, path] : held_) {
      if (deleteFiles) {
        ::unlink(path.c_str());
        (void)!::write(fd.get(), "d", 1);
      }
    }
    held_.clear();
  }
  ~OutputLocks() { release(true); }

private:
  std::vector<std::pair<AutoCloseFd, std::string>> held_;
};

// A build user from build-users-group, held (by a lock in <stateDir>/userpool) while building.
struct UserLock {
  BuildUser user;
  AutoCloseFd lock;
};

std::optional<UserLock> acquireBuildUser(const LocalStore& store, const Settings& settings) {
  if (settings.buildUsersGroup.empty() || ::geteuid() != 0) return std::nullopt;
  struct group* gr = ::getgrnam(settings.buildUsersGroup.c_str());
  if (!gr) return std::nullopt;  // no such group: build as ourselves
  gid_t gid = gr->gr_gid;
  std::vector<std::string> members;
  for (char** m = gr->gr_mem; m && *m; ++m) members.push_back(*m);
  if (members.empty())
    throw Error("the build users group '" + settings.buildUsersGroup + "' has no members");
  std::string pool = store.config().stateDir + "/userpool";
  ::mkdir(pool.c_str(), 0755);
  for (auto& m : members) {
    struct passwd* pw = ::getpwnam(m.c_str());
    if (!pw) throw Error("the user '" + m + "' in the group '" + settings.buildUsersGroup + "' does not exist");
    uid_t uid = pw->pw_uid;
    AutoCloseFd fd = openLockFile(pool + "/" + std::to_string(uid), true);
    if (!lockFile(fd.get(), LockType::write, false)) continue;
    UserLock l{BuildUser{uid, gid, {gid}}, std::move(fd)};
    return l;
  }
  throw Error("all build users are currently in use; consider creating additional users and adding them to the '" +
              settings.buildUsersGroup + "' group");
}

std::string makeBuildDir(const Settings& settings, const StorePath& drvPath) {
  std::string base = settings.buildDir;
  if (base.empty()) base = getEnv("TMPDIR", "/tmp");
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  for (int n = 0;; ++n) {
    std::string d = base + "/nix-build-" + std::string(drvPath.name()) + "-" + std::to_string(n);
    if (::mkdir(d.c_str(), 0700) == 0) return d;
    if (errno != EEXIST) throw SysError(errno, "creating directory '" + d + "'");
  }
}

// Deletes what a killed build of the derivation left at `path` (its chroot, or an output of an
// unsandboxed build). The kernel releases a killed nixpp's locks before it sends the builder the
// parent-death signal (child_setup.h), so the builder, and with it every process of its pid
// namespace, may still be dying (and creating entries) when we hold the lock: the removal then
// fails with "Directory not empty". They are gone within milliseconds: try again for a while.
void deleteLeftover(const std::string& path) {
  for (int attempt = 1;; ++attempt) {
    try {
      deletePath(path);
      return;
    } catch (SysError& e) {
      if ((e.errNo != ENOTEMPTY && e.errNo != ENOENT) || attempt == 100) throw;
    }
    ::usleep(attempt < 10 ? 10000 : 100000);  // 10 s in all
  }
}

// Whether the kernel lets us sandbox (asked once per process).
bool canSandbox() {
  static int cached = -1;
  if (cached == -1) cached = sandboxAvailable() ? 1 : 0;
  return cached == 1;
}

class LocalJob : public RunningJob {
public:
  LocalJob(LocalStore& store, const Settings& settings, const StorePath& drvPath, const Derivation& drv,
           BuildMode mode, const BuildReporting& reporting)
      : store_(store), settings_(settings), drvPath_(drvPath), drv_(drv), mode_(mode), reporting_(reporting) {}

  ~LocalJob() override {
    child_.kill();
    cleanUp(false);
  }

  // Returns the start status (see startLocalBuild).
  JobStart::Status start(std::unique_ptr<LocalJob>& self);

  int fd() const override { return logRead_.get(); }

  void handleOutput(std::string_view data) override {
    writeFull(logFile_.get(), data);
    if (reporting_.printLogs && !reporting_.logPrefix) writeFull(STDERR_FILENO, data);
    for (char c : data) {
      if (reporting_.printLogs && reporting_.logPrefix) {  // line by line, "<name>> line"
        if (c == '\n') {
          std::string line = std::string(derivationNameOf(drvPath_)) + "> " + current_ + "\n";
          writeFull(STDERR_FILENO, line);
        }
      }
      if (c == '\n') {
        tail_.push_back(std::move(current_));
        current_.clear();
        if (tail_.size() > logLines) tail_.pop_front();
      } else if (c != '\r') {
        current_ += c;
      }
    }
  }

  void finish() override {
    int status = inProcessStatus_ ? *inProcessStatus_ : child_.wait();
    logFile_.close();
    std::string drvPrinted = store_.storeDir().printPath(drvPath_);
    if (!statusOk(status)) {
      if (!current_.empty()) {
        tail_.push_back(current_);
        if (tail_.size() > logLines) tail_.pop_front();
      }
      std::string msg = "builder for '" + drvPrinted + "' " + statusToString(status);
      if (reporting_.printLogs && reporting_.logPrefix && !current_.empty())
        writeFull(STDERR_FILENO, std::string(derivationNameOf(drvPath_)) + "> " + current_ + "\n");
      if (!tail_.empty() && reporting_.logTail) {
        msg += ";\nlast " + std::to_string(tail_.size()) + " log lines:";
        for (auto& l : tail_) msg += "\n> " + l;
      }
      if (reporting_.logTail) msg += "\nFor full logs, run 'nix log " + drvPrinted + "'.";
      cleanUp(true);
      throw BuildError(msg);
    }
    try {
      registerOutputs(store_, built_);
    } catch (BuildError&) {
      cleanUp(true);
      throw;
    }
    cleanUp(false);
    locks_.release(true);
  }

private:
  JobStart::Status startBuiltin(const std::map<std::string, StorePath>& outputs, const StorePathSet& closure);

  void cleanUp(bool failed) {
    if (!chrootRoot_.empty()) {
      deletePath(chrootRoot_);
      chrootRoot_.clear();
    }
    if (!buildDir_.empty()) {
      if (failed && settings_.keepFailed) {
        ::chmod(buildDir_.c_str(), 0755);
        std::cerr << "note: keeping build directory '" << buildDir_ << "'\n";
      } else {
        deletePath(buildDir_);
      }
      buildDir_.clear();
    }
  }

  LocalStore& store_;
  const Settings& settings_;
  StorePath drvPath_;
  const Derivation& drv_;
  BuildMode mode_;
  const BuildReporting& reporting_;
  OutputLocks locks_;
  std::optional<UserLock> user_;
  std::string buildDir_, chrootRoot_;
  AutoCloseFd logRead_, logFile_;
  ChildProcess child_;
  std::optional<int> inProcessStatus_;  // a builtin builder run in this process: its wait status
  std::deque<std::string> tail_;
  std::string current_;
  BuiltOutputs built_{drvPath_, drv_, {}, {}, {}, false, false, {}};
};

// A builtin builder (store/build/buildenv.h): run in a forked child writing straight to the
// outputs' real paths, its messages going to the log. It runs no foreign code, so it needs no
// sandbox (as Nix, it produces no output the derivation's inputs could not).
JobStart::Status LocalJob::startBuiltin(const std::map<std::string, StorePath>& outputs, const StorePathSet& closure) {
  std::cerr << "building '" << store_.storeDir().printPath(drvPath_) << "'...\n";
  Pipe logPipe = Pipe::create();
  logFile_ = openBuildLog(store_.config().logDir, drvPath_);
  built_.outputs = outputs;
  built_.inputClosure = closure;
  std::map<std::string, std::string> real;
  for (auto& [name, p] : outputs) {
    real[name] = built_.builtAt[name] = store_.realPath(p);
    deleteLeftover(real[name]);  // an invalid leftover (we hold its lock)
  }
  std::string storeDir = store_.storeDir().to_string(), realStoreDir = store_.config().realStoreDir;
  RealPathFn realPath = [storeDir, realStoreDir](const std::string& p) {
    return p.starts_with(storeDir + "/") ? realStoreDir + p.substr(storeDir.size()) : p;
  };
  if (drv_.builder == "builtin:buildenv") {
    // Quick local file work (a user environment's links): done here, sparing a fork of a
    // process that may hold a large evaluator heap. Its log is complete when this returns; the
    // scheduler sees the end of the (empty) pipe and calls finish().
    std::ostringstream log;
    inProcessStatus_ = 0;
    try {
      std::string nar;  // builtin:buildenv's NAR of what it wrote, so that registration need not read it back
      std::string shareFrom;
      if (reporting_.shareLinksFrom && store_.isValidPath(*reporting_.shareLinksFrom))
        shareFrom = store_.realPath(*reporting_.shareLinksFrom);
      runBuiltin({drv_, real, realPath, settings_.hashedMirrors, log, FileTransferSettings::from(settings_), &nar, shareFrom});
      if (!nar.empty()) built_.knownNars["out"] = std::move(nar);
    } catch (std::exception& e) {
      log << "error: " << e.what() << "\n";
      inProcessStatus_ = W_EXITCODE(1, 0);
    }
    handleOutput(log.str());
    logPipe.writeSide.close();
    logRead_ = std::move(logPipe.readSide);
    return JobStart::Status::started;
  }
  int logFd = logPipe.writeSide.get();
  pid_t parent = ::getpid();
  child_ = startProcess([&, real, realPath, logFd, parent] {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a killed client, writing into a path it rebuilds
    if (::getppid() != parent) ::_exit(1);  // it died before the line above: no signal will come
    ::dup2(logFd, STDOUT_FILENO);
    ::dup2(logFd, STDERR_FILENO);
    runBuiltin({drv_, real, realPath, settings_.hashedMirrors, std::cerr, FileTransferSettings::from(settings_), nullptr, ""});
    std::cerr.flush();
    ::_exit(0);
  });
  logRead_ = std::move(logPipe.readSide);
  return JobStart::Status::started;
}

JobStart::Status LocalJob::start(std::unique_ptr<LocalJob>&) {
  const StoreDir& dir = store_.storeDir();
  std::string drvPrinted = dir.printPath(drvPath_);
  auto type = drv_.type();
  if (type != DerivationType::inputAddressed && type != DerivationType::fixed)
    throw Error("building derivation '" + drvPrinted +
                "' requires the experimental feature 'ca-derivations' or 'impure-derivations', which nixpp does not support yet");

  std::map<std::string, StorePath> outputs;
  for (auto& [name, p] : drv_.outputsAndOptPaths(dir)) outputs.emplace(name, *p);
  std::vector<std::string> lockPaths;
  for (auto& [_, p] : outputs) lockPaths.push_back(store_.realPath(p));
  if (!locks_.tryLock(lockPaths)) return JobStart::Status::busy;

  if (mode_ == BuildMode::normal) {
    bool allValid = true;
    for (auto& [_, p] : outputs)
      if (!store_.isValidPath(p)) allValid = false;
    if (allValid) return JobStart::Status::done;  // someone else built it meanwhile
  } else if (mode_ == BuildMode::repair) {
    bool allGood = true;
    for (auto& [_, p] : outputs)
      if (!outputContentsGood(store_, p)) allGood = false;
    if (allGood) return JobStart::Status::done;  // someone else repaired it meanwhile
  }

  // The input closure: the sources and the used outputs of the input derivations.
  StorePathSet inputs = drv_.inputSrcs;
  for (auto& [inDrvPath, names] : drv_.inputDrvs) {
    auto inDrv = parseDerivation(readFile(store_.realPath(inDrvPath)), dir, derivationNameOf(inDrvPath));
    auto outs = inDrv.outputsAndOptPaths(dir);
    for (auto& n : names) {
      auto it = outs.find(n);
      if (it == outs.end() || !it->second)
        throw Error("derivation '" + dir.printPath(inDrvPath) + "' does not have an output named '" + n + "'");
      inputs.insert(*it->second);
    }
  }
  for (auto& p : inputs)
    if (!store_.isValidPath(p)) throw Error("some inputs of '" + drvPrinted + "' are not valid, so it cannot be built");
  StorePathSet closure = computeFSClosure(store_, inputs);

  if (drv_.builder.starts_with("builtin:")) return startBuiltin(outputs, closure);

  // Sandbox or not.
  bool diverted = store_.config().realStoreDir != store_.config().storeDir;
  bool noChroot = drv_.env.count("__noChroot") && drv_.env.at("__noChroot") == "1";
  bool useChroot = settings_.sandbox != SandboxMode::disabled;
  if (useChroot && noChroot) {
    if (settings_.sandbox == SandboxMode::enabled)
      throw Error("derivation '" + drvPrinted + "' has '__noChroot' set, but that's not allowed when 'sandbox' is 'true'");
    useChroot = false;
  }
  if (diverted) useChroot = true;  // the builder must see the store at its logical path
  if (useChroot && !canSandbox()) {
    if (diverted || !settings_.sandboxFallback)
      throw Error("this system does not support the kernel namespaces that are required for sandboxing; use "
                  "'--no-sandbox' to disable sandboxing");
    useChroot = false;
  }
  if (mode_ == BuildMode::check && !useChroot)
    throw Error("'--check' of '" + drvPrinted + "' needs the sandbox, which is disabled");
  if (mode_ == BuildMode::repair && !useChroot)  // the new outputs must be built beside the old ones
    throw Error("'--repair' of '" + drvPrinted + "' needs the sandbox, which is disabled");

  user_ = acquireBuildUser(store_, settings_);
  uid_t uid = user_ ? user_->user.uid : ::geteuid();
  gid_t gid = user_ ? user_->user.gid : ::getegid();

  std::cerr << (mode_ == BuildMode::check    ? "checking outputs of '"
                : mode_ == BuildMode::repair ? "repairing outputs of '"
                                             : "building '")
            << drvPrinted << "'...\n";

  buildDir_ = makeBuildDir(settings_, drvPath_);
  if (user_ && ::chown(buildDir_.c_str(), uid, gid) == -1) throw SysError(errno, "cannot change ownership of '" + buildDir_ + "'");
  std::string buildDirIn = useChroot ? settings_.sandboxBuildDir : buildDir_;

  BuildEnvContext ctx;
  ctx.outputs = outputs;
  ctx.buildDirInBuilder = buildDirIn;
  ctx.cores = settings_.cores ? settings_.cores : settings_.hostCores;
  ctx.inputClosure = closure;
  ctx.getEnv = [](const std::string& n) -> std::optional<std::string> {
    const char* v = ::getenv(n.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  BuilderEnv env = makeBuilderEnv(store_, drv_, ctx);
  for (auto& [name, contents] : env.files) {
    std::string f = buildDir_ + "/" + name;
    writeFile(f, contents, 0644);
    if (user_ && ::chown(f.c_str(), uid, gid) == -1) throw SysError(errno, "cannot change ownership of '" + f + "'");
  }

  Pipe logPipe = Pipe::create();
  logFile_ = openBuildLog(store_.config().logDir, drvPath_);

  BuilderSpec spec;
  spec.builder = drv_.builder;
  spec.args = drv_.args;
  spec.env = std::move(env.vars);
  spec.workDir = buildDirIn;
  spec.logFd = logPipe.writeSide.get();

  built_.outputs = outputs;
  built_.inputClosure = closure;
  built_.check = mode_ == BuildMode::check;
  built_.repair = mode_ == BuildMode::repair;

  if (useChroot) {
    SandboxSpec sb;
    chrootRoot_ = store_.realPath(drvPath_) + ".chroot";
    deleteLeftover(chrootRoot_);
    sb.root = chrootRoot_;
    sb.storeDir = dir.to_string();
    sb.privateNetwork = type != DerivationType::fixed;
    sb.hostUid = uid;
    sb.hostGid = gid;
    prepareSandboxRoot(sb);
    for (auto& p : closure) {
      std::string inside = dir.printPath(p);
      sb.bindMounts[inside] = store_.realPath(p);
      sb.bindReadOnly[inside] = true;
    }
    sb.bindMounts[settings_.sandboxBuildDir] = buildDir_;
    addSandboxPaths(sb, settings_.sandboxPaths);
    for (auto& [name, p] : outputs) built_.builtAt[name] = chrootRoot_ + dir.printPath(p);
    child_ = startSandboxedBuilder(spec, sb);
  } else {
    for (auto& [name, p] : outputs) {
      built_.builtAt[name] = store_.realPath(p);
      deleteLeftover(store_.realPath(p));  // an invalid leftover (we hold its lock)
    }
    if (user_) spec.user = user_->user;
    child_ = startPlainBuilder(spec);
  }
  logRead_ = std::move(logPipe.readSide);
  return JobStart::Status::started;
}

} // namespace

JobStart startLocalBuild(LocalStore& store, const Settings& settings, const StorePath& drvPath, const Derivation& drv,
                         BuildMode mode, const BuildReporting& reporting) {
  auto job = std::make_unique<LocalJob>(store, settings, drvPath, drv, mode, reporting);
  auto status = job->start(job);
  JobStart res{status, nullptr};
  if (status == JobStart::Status::started) res.job = std::move(job);
  return res;
}

} // namespace nixpp
