#include "store/temp_roots.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "sys/directory.h"
#include "sys/path_lock.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

std::string socketPathOf(const std::string& stateDir) { return stateDir + "/gc-socket/socket"; }

sockaddr_un socketAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) throw Error("socket path '" + path + "' is too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Sends all of `data` on a socket without raising SIGPIPE; false if the peer is gone.
bool sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n == -1) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

// The hash part of a printed store path ("/nix/store/<hash>-name" -> "<hash>").
std::string hashPartOf(std::string_view printed) {
  auto slash = printed.rfind('/');
  std::string_view base = slash == std::string_view::npos ? printed : printed.substr(slash + 1);
  return std::string(base.substr(0, std::min<size_t>(32, base.size())));
}

} // namespace

// --- TempRoots (the client side) -----------------------------------------------------------

TempRoots::TempRoots(std::string stateDir) {
  // One state per state directory for the whole process, kept until exit.
  static std::mutex registryMutex;
  static std::map<std::string, std::shared_ptr<State>> registry;
  std::lock_guard<std::mutex> g(registryMutex);
  auto& st = registry[stateDir];
  if (!st) {
    st = std::make_shared<State>();
    st->stateDir = std::move(stateDir);
  }
  st_ = st;
}

int TempRoots::gcLockFd() {
  if (!st_->gcLock) st_->gcLock = openLockFile(st_->stateDir + "/gc.lock", true);
  return st_->gcLock.get();
}

void TempRoots::openRootsFile() {
  std::string path = st_->stateDir + "/temproots/" + std::to_string(::getpid());
  while (true) {
    // A file with our pid is stale: pids are unique among live processes.
    if (::unlink(path.c_str()) == -1 && errno != ENOENT)
      throw SysError(errno, "removing stale temporary roots file '" + path + "'");
    AutoCloseFd fd = openLockFile(path, true);
    lockFile(fd.get(), LockType::write, true);
    // A collector may have taken this file for stale and deleted it (writing "d" into it) between
    // our open and our lock; it never touches a locked one.
    struct stat st;
    if (::fstat(fd.get(), &st) == -1) throw SysError(errno, "statting '" + path + "'");
    if (st.st_size == 0) {
      st_->rootsFile = std::move(fd);
      return;
    }
  }
}

void TempRoots::add(const std::string& printedPath) {
  if (st_->added.count(printedPath)) return;
  if (st_->collecting) {
    st_->added.insert(printedPath);
    return;
  }
  if (!st_->rootsFile) openRootsFile();
  // The file first: every collector that takes the GC lock from now on reads it. (Writing it only
  // after a running collector's acknowledgement would leave a window in which that collector
  // has finished and the next one has already read the file.)
  writeFull(st_->rootsFile.get(), printedPath + '\0');
  int gcLock = gcLockFd();
  unsigned attempts = 0;
  while (true) {
    if (lockFile(gcLock, LockType::read, false)) {
      // No collector runs: the next one reads our file.
      lockFile(gcLock, LockType::none, false);
      break;
    }
    // A collector runs and may have read the files already: tell it, and wait for its
    // acknowledgement.
    if (!st_->socket) {
      AutoCloseFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
      if (!s) throw SysError(errno, "creating a Unix domain socket");
      sockaddr_un addr = socketAddress(socketPathOf(st_->stateDir));
      if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == -1) {
        // The collector has not opened its socket yet, or has just finished: try again.
        if (++attempts > 6000) throw SysError(errno, "connecting to the garbage collector");
        ::usleep(10000);
        continue;
      }
      st_->socket = std::move(s);
    }
    char c = 0;
    ssize_t n = -1;
    if (sendAll(st_->socket.get(), printedPath + "\n")) {
      do n = ::read(st_->socket.get(), &c, 1);
      while (n == -1 && errno == EINTR);
    }
    if (n == 1 && c == '1') break;
    // The collector went away before answering: start over (the next one reads our file).
    st_->socket = AutoCloseFd();
  }
  st_->added.insert(printedPath);
}

void TempRoots::add(const std::vector<std::string>& printedPaths) {
  std::vector<const std::string*> fresh;
  for (auto& p : printedPaths)
    if (!st_->added.count(p)) fresh.push_back(&p);
  if (fresh.empty()) return;
  if (!st_->collecting) {
    if (!st_->rootsFile) openRootsFile();
    std::string all;
    for (auto* p : fresh) (all += *p) += '\0';
    writeFull(st_->rootsFile.get(), all);  // the file first, as in add()
    int gcLock = gcLockFd();
    if (!lockFile(gcLock, LockType::read, false)) {
      // A collector runs: tell it path by path (add() writes them to the file again: harmless).
      for (auto* p : fresh) add(*p);
      return;
    }
    lockFile(gcLock, LockType::none, false);
  }
  for (auto* p : fresh) st_->added.insert(*p);
}

// --- Reading the roots files (the collector side) ------------------------------------------

std::map<std::string, std::set<pid_t>> readTempRoots(const std::string& stateDir, std::ostream* log) {
  std::map<std::string, std::set<pid_t>> res;
  std::string dir = stateDir + "/temproots";
  std::vector<std::string> names;
  try {
    names = readDirectorySorted(dir);
  } catch (SysError& e) {
    if (e.errNo == ENOENT) return res;
    throw;
  }
  pid_t self = ::getpid();
  for (auto& name : names) {
    if (name.empty() || name[0] == '.') continue;
    auto pid = parseInt(name);
    if (!pid) continue;
    if (pid_t(*pid) == self) continue;
    std::string path = dir + "/" + name;
    AutoCloseFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) continue;
      throw SysError(errno, "opening temporary roots file '" + path + "'");
    }
    // Only a dead process's file can be locked.
    if (lockFile(fd.get(), LockType::write, false)) {
      if (log) *log << "removing stale temporary roots file '" << path << "'\n";
      ::unlink(path.c_str());
      writeFull(fd.get(), "d");
      continue;
    }
    std::string contents;
    char buf[65536];
    ssize_t n;
    while ((n = ::pread(fd.get(), buf, sizeof buf, off_t(contents.size()))) > 0) contents.append(buf, size_t(n));
    if (n == -1) throw SysError(errno, "reading temporary roots file '" + path + "'");
    size_t pos = 0, end;
    while ((end = contents.find('\0', pos)) != std::string::npos) {
      res[contents.substr(pos, end - pos)].insert(pid_t(*pid));
      pos = end + 1;
    }
  }
  return res;
}

// --- RootServer ----------------------------------------------------------------------------

RootServer::RootServer(const std::string& stateDir) : socketPath_(socketPathOf(stateDir)) {
  std::string dir = stateDir + "/gc-socket";
  if (::mkdir(dir.c_str(), 0755) == -1 && errno != EEXIST) throw SysError(errno, "creating directory '" + dir + "'");
  listen_ = AutoCloseFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listen_) throw SysError(errno, "creating a Unix domain socket");
  sockaddr_un addr = socketAddress(socketPath_);
  ::unlink(socketPath_.c_str());
  if (::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == -1)
    throw SysError(errno, "binding to '" + socketPath_ + "'");
  ::chmod(socketPath_.c_str(), 0666);
  if (::listen(listen_.get(), 100) == -1) throw SysError(errno, "listening on '" + socketPath_ + "'");
  wake_ = Pipe::create();
  thread_ = std::thread([this] { run(); });
}

RootServer::~RootServer() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  (void)!::write(wake_.writeSide.get(), "x", 1);
  if (thread_.joinable()) thread_.join();
  ::unlink(socketPath_.c_str());
}

void RootServer::run() {
  struct Conn {
    AutoCloseFd fd;
    std::string buf;
  };
  std::vector<Conn> conns;
  while (true) {
    std::vector<pollfd> fds;
    fds.push_back({wake_.readSide.get(), POLLIN, 0});
    fds.push_back({listen_.get(), POLLIN, 0});
    for (auto& c : conns) fds.push_back({c.fd.get(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) == -1) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents) return;
    if (fds[1].revents & POLLIN) {
      int c = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (c != -1) conns.push_back({AutoCloseFd(c), {}});
    }
    std::vector<size_t> closed;
    for (size_t i = 0; i < fds.size() - 2 && i < conns.size(); ++i) {
      if (!fds[i + 2].revents) continue;
      Conn& c = conns[i];
      char buf[4096];
      ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
      if (n <= 0) {
        if (n == -1 && errno == EINTR) continue;
        closed.push_back(i);
        continue;
      }
      c.buf.append(buf, size_t(n));
      size_t nl;
      while ((nl = c.buf.find('\n')) != std::string::npos) {
        std::string hash = hashPartOf(std::string_view(c.buf).substr(0, nl));
        c.buf.erase(0, nl + 1);
        {
          std::unique_lock<std::mutex> g(mutex_);
          cv_.wait(g, [&] { return stopping_ || !pending_.count(hash); });
          if (stopping_) return;
          received_.insert(hash);
        }
        if (!sendAll(c.fd.get(), "1")) {
          closed.push_back(i);
          break;
        }
      }
    }
    for (auto it = closed.rbegin(); it != closed.rend(); ++it) conns.erase(conns.begin() + long(*it));
  }
}

std::vector<size_t> RootServer::claim(const std::vector<std::string>& hashParts) {
  std::vector<size_t> res;
  std::lock_guard<std::mutex> g(mutex_);
  for (size_t i = 0; i < hashParts.size(); ++i) {
    if (received_.count(hashParts[i])) continue;
    pending_.insert(hashParts[i]);
    res.push_back(i);
  }
  return res;
}

void RootServer::release() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    pending_.clear();
  }
  cv_.notify_all();
}

bool RootServer::received(const std::string& hashPart) {
  std::lock_guard<std::mutex> g(mutex_);
  return received_.count(hashPart) != 0;
}

} // namespace nixpp
