#include "sys/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <memory>

#include "util/error.h"

namespace nixpp {

AutoCloseFd& AutoCloseFd::operator=(AutoCloseFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

AutoCloseFd::~AutoCloseFd() {
  if (fd_ >= 0) ::close(fd_);
}

void AutoCloseFd::close() {
  if (fd_ < 0) return;
  int fd = release();
  if (::close(fd) == -1 && errno != EINTR) throw SysError(errno, "closing file descriptor");
}

AutoCloseFd openFile(const std::string& path, int flags, int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw SysError(errno, "opening file '" + path + "'");
  return AutoCloseFd(fd);
}

size_t FdSource::read(char* data, size_t len) {
  if (bufPos_ == bufEnd_) {
    if (len >= bufSize) return readRaw(data, len);
    if (!buf_) buf_ = std::make_unique<char[]>(bufSize);
    bufEnd_ = readRaw(buf_.get(), bufSize);
    bufPos_ = 0;
  }
  size_t n = std::min(len, bufEnd_ - bufPos_);
  std::memcpy(data, buf_.get() + bufPos_, n);
  bufPos_ += n;
  return n;
}

size_t FdSource::readRaw(char* data, size_t len) {
  for (;;) {
    ssize_t n = ::read(fd_, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SysError(errno, "reading from file");
    }
    if (n == 0) throw EndOfFile("unexpected end-of-file");
    return size_t(n);
  }
}

void writeFull(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SysError(errno, "writing to file");
    }
    data.remove_prefix(size_t(n));
  }
}

void FdSink::operator()(std::string_view data) { writeFull(fd_, data); }

std::string readFile(const std::string& path) {
  AutoCloseFd fd = openFile(path, O_RDONLY);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SysError(errno, "reading file '" + path + "'");
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

void writeFile(const std::string& path, std::string_view data, int mode) {
  AutoCloseFd fd = openFile(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  try {
    writeFull(fd.get(), data);
  } catch (SysError& e) {
    throw SysError(e.errNo, "writing file '" + path + "'");
  }
  fd.close();
}

bool pathExists(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  throw SysError(errno, "getting status of '" + path + "'");
}

std::string currentDir() {
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) throw SysError(errno, "getting the current directory");
  return buf;
}

std::string getEnv(const std::string& name, const std::string& def) {
  const char* v = std::getenv(name.c_str());
  return v ? std::string(v) : def;
}

static std::string makeTempDir(const std::string& parent, std::string_view prefix) {
  std::string tmpl = parent + "/" + std::string(prefix) + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw SysError(errno, "creating temporary directory in '" + parent + "'");
  return tmpl;
}

TempDir::TempDir(std::string_view prefix) : path_(makeTempDir(getEnv("TMPDIR", "/tmp"), prefix)) {}

TempDir::TempDir(const std::string& parent, std::string_view prefix)
    : path_(makeTempDir(parent, prefix)) {}

TempDir::~TempDir() {
  if (keep_) return;
  try {
    deletePath(path_);
  } catch (...) {
  }
}

static void deleteAt(int parentFd, const std::string& name, const std::string& full) {
  struct stat st;
  if (::fstatat(parentFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == -1) {
    if (errno == ENOENT) return;
    throw SysError(errno, "getting status of '" + full + "'");
  }
  if (S_ISDIR(st.st_mode)) {
    // Make sure we can list and delete its entries even if it was made read-only.
    if ((st.st_mode & 0700) != 0700) ::fchmodat(parentFd, name.c_str(), st.st_mode | 0700, 0);
    int fd = ::openat(parentFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw SysError(errno, "opening directory '" + full + "'");
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
      ::close(fd);
      throw SysError(errno, "opening directory '" + full + "'");
    }
    std::unique_ptr<DIR, int (*)(DIR*)> guard(dir, ::closedir);
    while (struct dirent* e = ::readdir(dir)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      deleteAt(::dirfd(dir), n, full + "/" + n);
    }
    if (::unlinkat(parentFd, name.c_str(), AT_REMOVEDIR) == -1 && errno != ENOENT)
      throw SysError(errno, "cannot unlink '" + full + "'");
  } else {
    if (::unlinkat(parentFd, name.c_str(), 0) == -1 && errno != ENOENT)
      throw SysError(errno, "cannot unlink '" + full + "'");
  }
}

void deletePath(const std::string& path) { deleteAt(AT_FDCWD, path, path); }

} // namespace nixpp
