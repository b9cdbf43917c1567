#include "store/nar_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

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

// Carries a byte stream to a sink called on a thread of its own, in blocks: the producer fills
// one block (small writes are copied in; bulk data can be read straight into the block's free
// space, see space()) while the consumer works on the previous ones.
class BlockPipe : public Sink {
public:
  explicit BlockPipe(Sink& out) : out_(out) {
    for (size_t i = 0; i + 1 < blockCount; i++) free_.push_back(std::make_unique<char[]>(blockSize));
    cur_ = std::make_unique<char[]>(blockSize);
    thread_ = std::thread([this] { consume(); });
  }
  BlockPipe(const BlockPipe&) = delete;
  BlockPipe& operator=(const BlockPipe&) = delete;
  ~BlockPipe() override { stop(true); }

  void operator()(std::string_view d) override {
    if (d.data() == cur_.get() + used_) {  // read into space() by the caller: already in place
      used_ += d.size();
      if (used_ == blockSize) push();
      return;
    }
    while (!d.empty()) {
      size_t n = std::min(d.size(), blockSize - used_);
      std::memcpy(cur_.get() + used_, d.data(), n);
      used_ += n;
      d.remove_prefix(n);
      if (used_ == blockSize) push();
    }
  }

  // The free space at the end of the current block (never empty). Data put there and then passed
  // to operator() with the same address is taken without a copy.
  std::pair<char*, size_t> space() { return {cur_.get() + used_, blockSize - used_}; }

  // Hands over the last block, waits for the consumer to finish and rethrows its error.
  void finish() {
    if (used_) push();
    stop(false);
    if (error_) std::rethrow_exception(error_);
  }

private:
  static constexpr size_t blockSize = 256 * 1024;
  static constexpr size_t blockCount = 8;
  struct Block {
    std::unique_ptr<char[]> data;
    size_t len;
  };
  Sink& out_;
  std::unique_ptr<char[]> cur_;
  size_t used_ = 0;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Block> full_;
  std::vector<std::unique_ptr<char[]>> free_;
  bool closed_ = false, abort_ = false;
  std::exception_ptr error_;
  std::thread thread_;

  void push() {
    std::unique_lock lk(m_);
    if (error_) std::rethrow_exception(error_);
    full_.push_back({std::move(cur_), used_});
    used_ = 0;
    cv_.notify_all();
    cv_.wait(lk, [&] { return !free_.empty() || error_; });
    if (error_) std::rethrow_exception(error_);
    cur_ = std::move(free_.back());
    free_.pop_back();
  }

  void consume() {
    for (;;) {
      Block b;
      {
        std::unique_lock lk(m_);
        cv_.wait(lk, [&] { return !full_.empty() || closed_; });
        if (abort_ || full_.empty()) return;
        b = std::move(full_.front());
        full_.pop_front();
      }
      try {
        out_(std::string_view(b.data.get(), b.len));
      } catch (...) {
        std::lock_guard lk(m_);
        error_ = std::current_exception();
        cv_.notify_all();
        return;
      }
      std::lock_guard lk(m_);
      free_.push_back(std::move(b.data));
      cv_.notify_all();
    }
  }

  void stop(bool abort) {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lk(m_);
      closed_ = true;
      abort_ = abort;
      cv_.notify_all();
    }
    thread_.join();
  }
};

// canonicalisePathMetaData's result, produced as the copy is made (see copyPathCanonical).
class CanonicalCopier {
public:
  CanonicalCopier(std::string from, std::string to, BlockPipe& pipe)
      : from_(std::move(from)), to_(std::move(to)), pipe_(pipe), writer_(pipe), root_(::geteuid() == 0) {}

  void copy() {
    std::string rel;
    copyNode(AT_FDCWD, from_.c_str(), AT_FDCWD, to_.c_str(), DT_UNKNOWN, rel, true);
  }

  bool created = false;  // whether anything exists at `to` (made by us)

private:
  std::string from_, to_;
  BlockPipe& pipe_;
  NarWriter writer_;
  bool root_;                              // running as root: everything must be root:root
  bool chownAll_ = false;                  // entries below the top get the wrong owner at creation
  int modeOk_[2] = {-1, -1};               // regular files (non-executable, executable) get their
                                           // final mode at creation (-1: not checked yet)
  static constexpr struct timespec times_[2] = {{1, 0}, {1, 0}};

  std::string src(const std::string& rel) const { return from_ + rel; }
  std::string dst(const std::string& rel) const { return to_ + rel; }

  // Gives the new entry `name` in `dir` (fd `fd` if not -1) its owner; the top entry decides
  // whether the entries below need it too.
  void fixOwner(int dir, const char* name, int fd, const std::string& rel, bool top) {
    if (!root_) return;
    bool chown = chownAll_;
    if (top) {
      struct stat st;
      int r = fd >= 0 ? ::fstat(fd, &st) : ::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW);
      if (r == -1) throw SysError(errno, "getting status of '" + dst(rel) + "'");
      chown = st.st_uid != 0 || st.st_gid != 0;
      // Entries created below get uid 0 and the group of the process, or that of a setgid parent.
      chownAll_ = chown || (!(st.st_mode & S_ISGID) && ::getegid() != 0);
    }
    if (!chown) return;
    int r = fd >= 0 ? ::fchown(fd, 0, 0) : ::fchownat(dir, name, 0, 0, AT_SYMLINK_NOFOLLOW);
    if (r == -1) throw SysError(errno, "changing owner of '" + dst(rel) + "' to 0");
  }

  void copyNode(int srcDir, const char* srcName, int dstDir, const char* dstName, unsigned char type,
                std::string& rel, bool top) {
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(srcDir, srcName, &st, AT_SYMLINK_NOFOLLOW) == -1)
        throw SysError(errno, "getting status of '" + src(rel) + "'");
      type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
    }
    if (type == DT_LNK) return copySymlink(srcDir, srcName, dstDir, dstName, rel, top);
    if (type != DT_REG && type != DT_DIR) throw Error("file '" + src(rel) + "' has an unsupported type");
    // O_NONBLOCK: should it have become a fifo since it was listed, opening it must not hang.
    int fd = ::openat(srcDir, srcName, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1) {
      if (errno == ELOOP) return copySymlink(srcDir, srcName, dstDir, dstName, rel, top);
      throw SysError(errno, "opening file '" + src(rel) + "'");
    }
    AutoCloseFd in(fd);
    struct stat st;
    if (::fstat(fd, &st) == -1) throw SysError(errno, "getting status of '" + src(rel) + "'");
    if (S_ISREG(st.st_mode))
      copyFile(in, st, dstDir, dstName, rel, top);
    else if (S_ISDIR(st.st_mode))
      copyDirectory(std::move(in), dstDir, dstName, rel, top);
    else
      throw Error("file '" + src(rel) + "' has an unsupported type");
  }

  void copyFile(const AutoCloseFd& in, const struct stat& st, int dstDir, const char* dstName,
                const std::string& rel, bool top) {
    bool exec = st.st_mode & S_IXUSR;
    mode_t mode = exec ? 0555 : 0444;
    AutoCloseFd out(::openat(dstDir, dstName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!out) throw SysError(errno, "creating file '" + dst(rel) + "'");
    created = true;
    if (modeOk_[exec] < 0) {  // the umask (or a default ACL) may have taken bits away
      struct stat ost;
      if (::fstat(out.get(), &ost) == -1) throw SysError(errno, "getting status of '" + dst(rel) + "'");
      modeOk_[exec] = (ost.st_mode & 07777) == mode;
    }
    if (!modeOk_[exec] && ::fchmod(out.get(), mode) == -1)
      throw SysError(errno, "changing mode of '" + dst(rel) + "' to " + std::to_string(mode));
    uint64_t size = uint64_t(st.st_size);
    writer_.createRegularFile(exec, size);
    for (uint64_t left = size; left;) {
      auto [buf, room] = pipe_.space();
      size_t want = left < room ? size_t(left) : room;
      ssize_t n = ::read(in.get(), buf, want);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw SysError(errno, "reading file '" + src(rel) + "'");
      }
      if (n == 0) throw EndOfFile("file '" + src(rel) + "' was truncated while it was being read");
      std::string_view chunk(buf, size_t(n));
      try {
        writeFull(out.get(), chunk);
      } catch (SysError& e) {
        throw SysError(e.errNo, "writing file '" + dst(rel) + "'");
      }
      writer_.contents(chunk);  // taken in place by the pipe: no copy
      left -= uint64_t(n);
    }
    writer_.closeFile();
    if (::futimens(out.get(), times_) == -1)
      throw SysError(errno, "changing modification time of '" + dst(rel) + "'");
    fixOwner(dstDir, dstName, out.get(), rel, top);
    out.close();
  }

  void copySymlink(int srcDir, const char* srcName, int dstDir, const char* dstName, const std::string& rel,
                   bool top) {
    std::string target;
    for (size_t len = 256;; len *= 2) {
      target.resize(len);
      ssize_t n = ::readlinkat(srcDir, srcName, target.data(), len);
      if (n < 0) throw SysError(errno, "reading symbolic link '" + src(rel) + "'");
      if (size_t(n) < len) {
        target.resize(size_t(n));
        break;
      }
    }
    writer_.createSymlink(target);
    if (::symlinkat(target.c_str(), dstDir, dstName) == -1)
      throw SysError(errno, "creating symlink from '" + dst(rel) + "' to '" + target + "'");
    created = true;
    if (::utimensat(dstDir, dstName, times_, AT_SYMLINK_NOFOLLOW) == -1)
      throw SysError(errno, "changing modification time of '" + dst(rel) + "'");
    fixOwner(dstDir, dstName, -1, rel, top);
  }

  void copyDirectory(AutoCloseFd in, int dstDir, const char* dstName, std::string& rel, bool top) {
    // Writable by us until its entries are in; 0555 at the end.
    if (::mkdirat(dstDir, dstName, 0700) == -1) throw SysError(errno, "creating directory '" + dst(rel) + "'");
    created = true;
    AutoCloseFd out(::openat(dstDir, dstName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!out) throw SysError(errno, "opening directory '" + dst(rel) + "'");
    fixOwner(dstDir, dstName, out.get(), rel, top);

    auto entries = readDirectoryFdSorted(in.get(), src(rel));

    writer_.createDirectory();
    size_t relLen = rel.size();
    for (auto& [name, type] : entries) {
      writer_.beginEntry(name);
      rel.append("/").append(name);
      copyNode(in.get(), name.c_str(), out.get(), name.c_str(), type, rel, false);
      rel.resize(relLen);
      writer_.endEntry();
    }
    writer_.closeDirectory();
    if (::fchmod(out.get(), 0555) == -1) throw SysError(errno, "changing mode of '" + dst(rel) + "' to 365");
    if (::futimens(out.get(), times_) == -1)
      throw SysError(errno, "changing modification time of '" + dst(rel) + "'");
    out.close();
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

void copyPathCanonical(const std::string& from, const std::string& to, Sink& narSink) {
  bool created = false;
  try {
    BlockPipe pipe(narSink);
    CanonicalCopier copier(from, to, pipe);
    try {
      copier.copy();
    } catch (...) {
      created = copier.created;
      throw;
    }
    created = true;
    pipe.finish();
  } catch (...) {
    if (created) {
      try {
        deletePath(to);
      } catch (...) {
      }
    }
    throw;
  }
}

} // namespace nixpp
