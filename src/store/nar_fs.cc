#include "store/nar_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <random>

#include "format/nar.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

// File contents are read in chunks this big: large reads, few system calls.
constexpr size_t dumpBufferSize = 1024 * 1024;

class Dumper {
public:
  Dumper(Sink& sink, const PathFilter& filter)
      : buffered_(sink, 64 * 1024), writer_(buffered_), filter_(filter),
        buf_(new char[dumpBufferSize]) {}

  void dump(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) == -1) throw SysError(errno, "getting status of '" + path + "'");
    if (S_ISREG(st.st_mode)) {
      dumpContents(path, st);
    } else if (S_ISDIR(st.st_mode)) {
      writer_.createDirectory();
      for (auto& name : readDirectorySorted(path)) {
        std::string child = path + "/" + name;
        if (filter_ && !filter_(child)) continue;
        writer_.beginEntry(name);
        dump(child);
        writer_.endEntry();
      }
      writer_.closeDirectory();
    } else if (S_ISLNK(st.st_mode)) {
      writer_.createSymlink(readLink(path, st));
    } else {
      throw Error("file '" + path + "' has an unsupported type");
    }
  }

  void finish() { buffered_.flush(); }

private:
  BufferedSink buffered_;
  NarWriter writer_;
  const PathFilter& filter_;
  std::unique_ptr<char[]> buf_;

  void dumpContents(const std::string& path, const struct stat& st) {
    AutoCloseFd fd = openFile(path, O_RDONLY | O_NOFOLLOW);
    uint64_t size = uint64_t(st.st_size);
    writer_.createRegularFile(st.st_mode & S_IXUSR, size);
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    for (uint64_t left = size; left;) {
      size_t want = left < dumpBufferSize ? size_t(left) : dumpBufferSize;
      ssize_t n = ::read(fd.get(), buf_.get(), want);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw SysError(errno, "reading file '" + path + "'");
      }
      if (n == 0) throw EndOfFile("file '" + path + "' was truncated while it was being read");
      writer_.contents(std::string_view(buf_.get(), size_t(n)));
      left -= uint64_t(n);
    }
    writer_.closeFile();
  }

  static std::string readLink(const std::string& path, const struct stat& st) {
    for (size_t len = st.st_size > 0 ? size_t(st.st_size) + 1 : 256;; len *= 2) {
      std::string buf(len, '\0');
      ssize_t n = ::readlink(path.c_str(), buf.data(), len);
      if (n < 0) throw SysError(errno, "reading symbolic link '" + path + "'");
      if (size_t(n) < len) {
        buf.resize(size_t(n));
        return buf;
      }
    }
  }
};

// Recreates a NAR's tree under `tmp`; messages name the final path `display`.
class Restorer : public NarVisitor {
public:
  Restorer(std::string tmp, std::string display) : tmp_(std::move(tmp)), display_(std::move(display)) {}

  void createDirectory(const std::string& path) override {
    if (path.empty()) checkAbsent("creating directory '" + display_ + "'");
    if (::mkdir((tmp_ + path).c_str(), 0777) == -1)
      throw SysError(errno, "creating directory '" + display_ + path + "'");
    created = true;
  }

  void createRegularFile(const std::string& path, bool executable, uint64_t, uint64_t) override {
    if (path.empty()) checkAbsent("creating file '" + display_ + "'");
    current_ = path;
    fd_ = openFile(tmp_ + path, O_CREAT | O_EXCL | O_WRONLY, 0666);
    created = true;
    if (executable) {
      struct stat st;
      if (::fstat(fd_.get(), &st) == -1)
        throw SysError(errno, "getting status of '" + display_ + path + "'");
      if (::fchmod(fd_.get(), st.st_mode | S_IXUSR | S_IXGRP | S_IXOTH) == -1)
        throw SysError(errno, "making '" + display_ + path + "' executable");
    }
  }

  void receiveContents(std::string_view chunk) override {
    try {
      writeFull(fd_.get(), chunk);
    } catch (SysError& e) {
      throw SysError(e.errNo, "writing file '" + display_ + current_ + "'");
    }
  }

  void closeFile() override { fd_.close(); }

  void createSymlink(const std::string& path, const std::string& target) override {
    if (path.empty()) checkAbsent("creating symlink from '" + display_ + "' to '" + target + "'");
    if (::symlink(target.c_str(), (tmp_ + path).c_str()) == -1)
      throw SysError(errno, "creating symlink from '" + display_ + path + "' to '" + target + "'");
    created = true;
  }

  void abandon() { fd_ = AutoCloseFd(); }

  bool created = false;  // whether anything exists at tmp_

private:
  std::string tmp_, display_, current_;
  AutoCloseFd fd_;

  // As Nix, fail when the root is about to be created over an existing path.
  void checkAbsent(const std::string& what) {
    if (pathExists(display_)) throw SysError(EEXIST, what);
  }
};

// A fresh name for a temporary entry beside `path`: "<dir>/.tmp-nixpp-<pid>-<random>".
std::string tempSibling(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (dir.back() != '/') dir += '/';
  std::random_device rd;
  return dir + ".tmp-nixpp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

// rename(2) that fails with EEXIST instead of replacing an existing `to`.
void renameNoReplace(const std::string& from, const std::string& to) {
#ifdef RENAME_NOREPLACE
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno != EINVAL && errno != ENOSYS) throw SysError(errno, "renaming '" + from + "' to '" + to + "'");
#endif
  // The file system cannot do it atomically: check, then rename.
  if (pathExists(to)) throw SysError(EEXIST, "renaming '" + from + "' to '" + to + "'");
  if (::rename(from.c_str(), to.c_str()) == -1)
    throw SysError(errno, "renaming '" + from + "' to '" + to + "'");
}

} // namespace

void dumpPath(const std::string& path, Sink& sink, const PathFilter& filter) {
  Dumper d(sink, filter);
  d.dump(path);
  d.finish();
}

void restorePath(const std::string& path, Source& source) {
  std::string tmp = tempSibling(path);
  Restorer r(tmp, path);
  try {
    parseNar(source, r);
    r.closeFile();
    renameNoReplace(tmp, path);
  } catch (...) {
    r.abandon();
    if (r.created) {
      try {
        deletePath(tmp);
      } catch (...) {
      }
    }
    throw;
  }
}

} // namespace nixpp
