#include "store/nar_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
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

// canonicalisePathMetaData's result, produced as the copy is made (see copyPathCanonical), on two
// threads. First, on the calling thread, a walk of the source in NAR order creates the
// directories and symlinks of the copy and lists the tree's NAR as a sequence of events; its
// regular files are grouped into jobs (the files of one directory; no stat(2) of them yet). Then
// both threads take jobs in order and copy their files; a copier gives the rest of its job back
// after a large file or a few MiB, so that both share large files and large directories. Whoever
// finds the next file of the NAR copied hashes the NAR up to there: straight from the block a
// file is copied through when the thread copying it holds the hash and the file is next (no
// second pass), else from the bytes the copier kept (small files), or by reading the copy back
// (larger files, which the copier copies with copy_file_range(2), inside the kernel). What is kept for the hash is bounded (keptLimit bytes, keptFdLimit open copies);
// beyond that the copy is opened again to be hashed. Directories get their final mode and mtime
// last, once their entries are in. The walk's directory descriptors stay open for the copiers
// (up to keptDirFds of them).
class CanonicalCopier {
public:
  CanonicalCopier(std::string from, std::string to, Sink& narSink)
      : from_(std::move(from)), to_(std::move(to)), writer_(narSink), root_(::geteuid() == 0) {}

  void copy() {
    std::string rel;
    walkNode(AT_FDCWD, from_.c_str(), AT_FDCWD, to_.c_str(), DT_UNKNOWN, rel, noDir);
    done_ = std::make_unique<std::atomic<bool>[]>(files_.size());
    for (size_t i = 0; i < files_.size(); i++) done_[i].store(false, std::memory_order_relaxed);
    if (jobs_.size() > 1) {
      std::thread helper([this] { run(); });
      run();
      helper.join();
    } else {
      run();
    }
    if (error_) std::rethrow_exception(error_);
    // Children before parents: a directory's mtime changes when an entry is made in it.
    for (size_t i = dirs_.size(); i-- > 0;) {
      std::string path = dst(dirs_[i]);
      int fd = i < dirFds_.size() ? dirFds_[i].second.get() : -1;
      if ((fd >= 0 ? ::fchmod(fd, 0555) : ::fchmodat(AT_FDCWD, path.c_str(), 0555, 0)) == -1)
        throw SysError(errno, "changing mode of '" + path + "' to 365");
      if ((fd >= 0 ? ::futimens(fd, times_) : ::utimensat(AT_FDCWD, path.c_str(), times_, AT_SYMLINK_NOFOLLOW)) == -1)
        throw SysError(errno, "changing modification time of '" + path + "'");
    }
    dirFds_.clear();
  }

  bool created = false;  // whether anything exists at `to` (made by us)

private:
  // One step of the NAR, in order; `i` indexes names_ (entry: the name; symlink: the target) or
  // files_ (file).
  enum class Ev : uint8_t { dir, endDir, entry, endEntry, file, symlink };
  struct Event {
    Ev kind;
    uint32_t i;
  };
  struct File {
    uint32_t dir;       // index into dirs_, or noDir for the top
    uint32_t name;      // index into names_
    uint32_t event;     // its Ev::file in events_
    bool exec = false;  // this and the rest set by the copier
    uint64_t size = 0;
    std::unique_ptr<char[]> data;  // its contents, kept for the hash (small files)
    AutoCloseFd fd;     // the copy, open for the hash to read it back (large files)
  };
  // Files [begin, end) of files_, all in directory `dir`: copied by one thread.
  struct Job {
    uint32_t dir, begin, end;
  };

  static constexpr uint32_t noDir = UINT32_MAX;
  static constexpr size_t bufSize = 256 * 1024;
  static constexpr size_t keepMax = 256 * 1024;    // files up to this size are kept in memory
  static constexpr size_t keptLimit = 8 << 20;     // bytes kept, about (plus a file per thread)
  static constexpr size_t keptFdLimit = 32;        // copies held open for the hash, about
  // A copier gives the rest of its job back after this many files, or bytes, or a file this big.
  static constexpr size_t jobFiles = 256;
  static constexpr uint64_t jobBytes = 4 << 20, bigFile = 1 << 20;
  static constexpr struct timespec times_[2] = {{1, 0}, {1, 0}};

  std::string from_, to_;
  NarWriter writer_;  // used by the holder of the hash role only
  bool root_;         // running as root: everything must be root:root
  bool chownAll_ = false;  // entries below the top get the wrong owner at creation (set by the walk)
  std::atomic<int> modeOk_[2] = {-1, -1};  // regular files (non-executable, executable) get their
                                           // final mode at creation (-1: not checked yet)

  std::vector<std::string> dirs_;  // relative paths of the directories ("" the top, else "/a/b")
  // The walk's open directories (source, copy), kept for the copiers while there are few (else
  // a copier opens them again): index as dirs_, empty beyond.
  static constexpr size_t keptDirFds = 256;
  std::vector<std::pair<AutoCloseFd, AutoCloseFd>> dirFds_;
  std::vector<std::string> names_;
  std::vector<File> files_;
  std::vector<Event> events_;
  std::vector<Job> jobs_;
  std::unique_ptr<std::atomic<bool>[]> done_;  // per file: copied, its fields set

  std::mutex m_;                // guards what follows
  std::condition_variable cv_;
  size_t nextJob_ = 0;          // the first job not taken (those before are taken or done)
  size_t hashPos_ = 0;          // the first event not hashed (changed by the hash role's holder)
  bool hashBusy_ = false;       // a thread holds the hash role (writer_, hashPos_)
  std::atomic<int64_t> kept_{0}, keptFds_{0};  // what copiers keep for the hash (not under m_)
  std::exception_ptr error_;

  std::string src(const std::string& rel) const { return from_ + rel; }
  std::string dst(const std::string& rel) const { return to_ + rel; }
  std::string fileRel(const File& f) const { return f.dir == noDir ? "" : dirs_[f.dir] + "/" + names_[f.name]; }

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

  // --- The walk: the calling thread, before any file is copied ------------------------------

  // `parent` is the index in dirs_ of the directory holding the node, noDir for the top.
  void walkNode(int srcDir, const char* srcName, int dstDir, const char* dstName, unsigned char type,
                std::string& rel, uint32_t parent) {
    struct stat st;
    if (type == DT_UNKNOWN) {
      if (::fstatat(srcDir, srcName, &st, AT_SYMLINK_NOFOLLOW) == -1)
        throw SysError(errno, "getting status of '" + src(rel) + "'");
      type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
    }
    if (type == DT_LNK) return walkSymlink(srcDir, srcName, dstDir, dstName, rel, parent == noDir);
    if (type == DT_DIR) return walkDirectory(srcDir, srcName, dstDir, dstName, rel, parent);
    if (type != DT_REG) throw Error("file '" + src(rel) + "' has an unsupported type");
    uint32_t f = uint32_t(files_.size());
    if (jobs_.empty() || jobs_.back().dir != parent) jobs_.push_back({parent, f, f});
    jobs_.back().end = f + 1;
    names_.emplace_back(parent == noDir ? "" : dstName);
    File& file = files_.emplace_back();
    file.dir = parent;
    file.name = uint32_t(names_.size() - 1);
    file.event = uint32_t(events_.size());
    events_.push_back({Ev::file, f});
  }

  void walkSymlink(int srcDir, const char* srcName, int dstDir, const char* dstName, const std::string& rel,
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
    if (::symlinkat(target.c_str(), dstDir, dstName) == -1)
      throw SysError(errno, "creating symlink from '" + dst(rel) + "' to '" + target + "'");
    created = true;
    if (::utimensat(dstDir, dstName, times_, AT_SYMLINK_NOFOLLOW) == -1)
      throw SysError(errno, "changing modification time of '" + dst(rel) + "'");
    fixOwner(dstDir, dstName, -1, rel, top);
    names_.push_back(std::move(target));
    events_.push_back({Ev::symlink, uint32_t(names_.size() - 1)});
  }

  void walkDirectory(int srcDir, const char* srcName, int dstDir, const char* dstName, std::string& rel,
                     uint32_t parent) {
    // O_NONBLOCK: should it have become a fifo since it was listed, opening it must not hang.
    AutoCloseFd in(::openat(srcDir, srcName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!in) throw SysError(errno, "opening directory '" + src(rel) + "'");
    // Writable by us until its entries are in; 0555 at the end.
    if (::mkdirat(dstDir, dstName, 0700) == -1) throw SysError(errno, "creating directory '" + dst(rel) + "'");
    created = true;
    AutoCloseFd out(::openat(dstDir, dstName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!out) throw SysError(errno, "opening directory '" + dst(rel) + "'");
    fixOwner(dstDir, dstName, out.get(), rel, parent == noDir);
    uint32_t self = uint32_t(dirs_.size());
    dirs_.push_back(rel);
    if (self < keptDirFds) dirFds_.resize(self + 1);

    auto entries = readDirectoryFdSorted(in.get(), src(rel));
    events_.push_back({Ev::dir, 0});
    size_t relLen = rel.size();
    for (auto& [name, type] : entries) {
      names_.push_back(name);
      events_.push_back({Ev::entry, uint32_t(names_.size() - 1)});
      rel.append("/").append(name);
      walkNode(in.get(), name.c_str(), out.get(), name.c_str(), type, rel, self);
      rel.resize(relLen);
      events_.push_back({Ev::endEntry, 0});
    }
    events_.push_back({Ev::endDir, 0});
    if (self < keptDirFds) dirFds_[self] = {std::move(in), std::move(out)};
  }

  // --- The copy: both threads ---------------------------------------------------------------

  // Takes jobs and hashes until all is copied and hashed, or another thread failed.
  void run() {
    std::unique_ptr<char[]> buf(new char[bufSize]);
    std::unique_lock lk(m_);
    try {
      for (;;) {
        if (error_) return;
        if (!hashBusy_ && hashReady()) {
          hashBusy_ = true;
          lk.unlock();
          hashReadyEvents(buf.get());
          lk.lock();
          hashBusy_ = false;
          cv_.notify_all();
          continue;
        }
        if (nextJob_ < jobs_.size()) {
          Job job = jobs_[nextJob_++];
          // Ours to hash as we copy if it is next in the NAR (what comes before is hashed).
          bool hashing = !hashBusy_ && hashPos_ == files_[job.begin].event;
          if (hashing) hashBusy_ = true;
          lk.unlock();
          copyJob(job, hashing, buf.get());  // gives the hash role back
          lk.lock();
          cv_.notify_all();
          continue;
        }
        if (nextJob_ == jobs_.size() && hashPos_ == events_.size()) return;
        cv_.wait(lk);
      }
    } catch (...) {
      if (!lk.owns_lock()) lk.lock();
      if (!error_) error_ = std::current_exception();
      hashBusy_ = false;
      cv_.notify_all();
    }
  }

  // Whether the next event can be hashed. Under m_.
  bool hashReady() const {
    if (hashPos_ == events_.size()) return false;
    const Event& e = events_[hashPos_];
    return e.kind != Ev::file || done_[e.i].load(std::memory_order_acquire);
  }

  // Hashes events up to (excluding) `end`, or as far as they are ready. Holder of the hash role.
  // Returns the position reached.
  size_t hashEvents(size_t pos, size_t end, char* buf) {
    size_t freed = 0, freedFds = 0;
    for (; pos < end; pos++) {
      const Event& e = events_[pos];
      switch (e.kind) {
      case Ev::dir: writer_.createDirectory(); break;
      case Ev::endDir: writer_.closeDirectory(); break;
      case Ev::entry: writer_.beginEntry(names_[e.i]); break;
      case Ev::endEntry: writer_.endEntry(); break;
      case Ev::symlink: writer_.createSymlink(names_[e.i]); break;
      case Ev::file: {
        if (!done_[e.i].load(std::memory_order_acquire)) goto out;
        File& f = files_[e.i];
        writer_.createRegularFile(f.exec, f.size);
        if (f.fd) {
          readBack(f, buf);
          f.fd = AutoCloseFd();
          freedFds++;
        } else if (!f.data) {  // neither kept nor held open: open it again
          std::string path = dst(fileRel(f));
          f.fd = AutoCloseFd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
          if (!f.fd) throw SysError(errno, "opening file '" + path + "'");
          readBack(f, buf);
          f.fd = AutoCloseFd();
        } else {
          writer_.contents(std::string_view(f.data.get(), size_t(f.size)));
          freed += size_t(f.size);
          f.data.reset();
        }
        writer_.closeFile();
        break;
      }
      }
    }
  out:
    if (freed || freedFds) {
      kept_ -= int64_t(freed);
      keptFds_ -= int64_t(freedFds);
      std::lock_guard lk(m_);  // a copier may be waiting for room
      cv_.notify_all();
    }
    return pos;
  }

  void hashReadyEvents(char* buf) {
    size_t pos = hashPos_;  // ours while we hold the role
    pos = hashEvents(pos, events_.size(), buf);
    std::lock_guard lk(m_);
    hashPos_ = pos;
  }

  // Hashes the copy `f` (ours: nobody else writes or truncates it) by reading it back from the
  // page cache. (Mapping it instead cost more: populating and unmapping the windows, and the TLB
  // shoot-downs that interrupt the other thread, came to 12 % of an add's CPU time.)
  void readBack(File& f, char* buf) {
    for (uint64_t off = 0; off < f.size;) {
      size_t want = f.size - off < bufSize ? size_t(f.size - off) : bufSize;
      ssize_t n = ::pread(f.fd.get(), buf, want, off_t(off));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw SysError(errno, "reading file '" + dst(fileRel(f)) + "'");
      }
      if (n == 0) throw EndOfFile("file '" + dst(fileRel(f)) + "' was truncated while it was being added");
      writer_.contents(std::string_view(buf, size_t(n)));
      off += uint64_t(n);
    }
  }

  // Copies the files of `job`, or the first ones and gives the rest back (see jobFiles); if
  // `hashing` (the thread holds the hash role and the job's first file is next in the NAR),
  // hashes them as they are copied, and gives the role back at the end.
  void copyJob(const Job& job, bool hashing, char* buf) {
    AutoCloseFd srcDir, dstDir;
    int srcFd = AT_FDCWD, dstFd = AT_FDCWD;
    if (job.dir != noDir && job.dir < dirFds_.size()) {
      srcFd = dirFds_[job.dir].first.get();
      dstFd = dirFds_[job.dir].second.get();
    } else if (job.dir != noDir) {
      std::string rel = dirs_[job.dir];
      srcDir = AutoCloseFd(::open(src(rel).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!srcDir) throw SysError(errno, "opening directory '" + src(rel) + "'");
      dstDir = AutoCloseFd(::open(dst(rel).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!dstDir) throw SysError(errno, "opening directory '" + dst(rel) + "'");
      srcFd = srcDir.get();
      dstFd = dstDir.get();
    }
    size_t pos = hashing ? hashPos_ : 0;
    uint64_t bytes = 0;
    for (uint32_t i = job.begin; i < job.end; i++) {
      File& f = files_[i];
      if (hashing) pos = hashEvents(pos, f.event, buf);
      copyFile(f, srcFd, dstFd, hashing, buf);
      if (hashing) {
        pos = f.event + 1;
      } else {
        if (f.data) kept_ += int64_t(f.size);
        keptFds_ += bool(f.fd);
      }
      done_[i].store(true, std::memory_order_release);
      bytes += f.size;
      if (i + 1 < job.end && (f.size >= bigFile || bytes >= jobBytes || i + 1 - job.begin >= jobFiles)) {
        // The rest goes back, first in line (the slot before nextJob_ is done with).
        std::lock_guard lk(m_);
        jobs_[--nextJob_] = {job.dir, i + 1, job.end};
        if (hashing) {
          hashPos_ = pos;
          hashBusy_ = false;
        }
        cv_.notify_all();
        return;
      }
    }
    if (hashing) {
      std::lock_guard lk(m_);
      hashPos_ = pos;
      hashBusy_ = false;
    }
  }

  // Copies up to `size` bytes from `in` to `out` (both at their offsets) with copy_file_range(2);
  // returns how many bytes are left: all of them where the kernel cannot (another file system
  // before Linux 5.19, a file system without support), the caller copying the rest.
  uint64_t copyInKernel(int in, int out, uint64_t size, const std::string& rel) {
    while (size) {
      ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, size_t(std::min<uint64_t>(size, 1 << 30)), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) return size;
        throw SysError(errno, "copying file '" + src(rel) + "' to '" + dst(rel) + "'");
      }
      if (n == 0) throw EndOfFile("file '" + src(rel) + "' was truncated while it was being read");
      size -= uint64_t(n);
    }
    return 0;
  }

  void copyFile(File& f, int srcDir, int dstDir, bool hashing, char* buf) {
    std::string rel = fileRel(f);
    bool top = f.dir == noDir;
    const char* srcName = top ? from_.c_str() : names_[f.name].c_str();
    const char* dstName = top ? to_.c_str() : names_[f.name].c_str();
    if (top) srcDir = dstDir = AT_FDCWD;
    // O_NONBLOCK: should it have become a fifo since it was listed, opening it must not hang.
    AutoCloseFd in(::openat(srcDir, srcName, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!in) throw SysError(errno, "opening file '" + src(rel) + "'");
    struct stat st;
    if (::fstat(in.get(), &st) == -1) throw SysError(errno, "getting status of '" + src(rel) + "'");
    if (!S_ISREG(st.st_mode)) throw Error("file '" + src(rel) + "' changed type while it was being added");
    f.exec = st.st_mode & S_IXUSR;
    f.size = uint64_t(st.st_size);
    mode_t mode = f.exec ? 0555 : 0444;
    // Not hashed now: kept in memory or held open for the hash if there is room, else opened again.
    bool keep = !hashing && f.size <= keepMax && kept_.load(std::memory_order_relaxed) < int64_t(keptLimit);
    bool hold = !hashing && !keep && f.size > keepMax &&
                keptFds_.load(std::memory_order_relaxed) < int64_t(keptFdLimit);
    AutoCloseFd out(::openat(dstDir, dstName, (hold ? O_RDWR : O_WRONLY) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                             mode));
    if (!out) throw SysError(errno, "creating file '" + dst(rel) + "'");
    if (top) created = true;  // else the walk made the top directory
    int modeOk = modeOk_[f.exec].load(std::memory_order_relaxed);
    if (modeOk < 0) {  // the umask (or a default ACL) may have taken bits away
      struct stat ost;
      if (::fstat(out.get(), &ost) == -1) throw SysError(errno, "getting status of '" + dst(rel) + "'");
      modeOk = (ost.st_mode & 07777) == mode;
      modeOk_[f.exec].store(modeOk, std::memory_order_relaxed);
    }
    if (!modeOk && ::fchmod(out.get(), mode) == -1)
      throw SysError(errno, "changing mode of '" + dst(rel) + "' to " + std::to_string(mode));
    if (hashing) writer_.createRegularFile(f.exec, f.size);
    if (keep) f.data.reset(new char[f.size]);  // not zeroed: read over
    uint64_t left = f.size;
    // Neither hashed now nor kept: copied inside the kernel, page cache to page cache (one copy
    // instead of two through `buf`); the hash reads the copy back later.
    if (!hashing && !keep) left = copyInKernel(in.get(), out.get(), left, rel);
    while (left) {
      char* to = keep ? f.data.get() + (f.size - left) : buf;
      size_t want = keep ? size_t(left) : left < bufSize ? size_t(left) : bufSize;
      ssize_t n = ::read(in.get(), to, want);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw SysError(errno, "reading file '" + src(rel) + "'");
      }
      if (n == 0) throw EndOfFile("file '" + src(rel) + "' was truncated while it was being read");
      std::string_view chunk(to, size_t(n));
      try {
        writeFull(out.get(), chunk);
      } catch (SysError& e) {
        throw SysError(e.errNo, "writing file '" + dst(rel) + "'");
      }
      if (hashing) writer_.contents(chunk);
      left -= uint64_t(n);
    }
    if (hashing) writer_.closeFile();
    if (::futimens(out.get(), times_) == -1)
      throw SysError(errno, "changing modification time of '" + dst(rel) + "'");
    fixOwner(dstDir, dstName, out.get(), rel, top);
    if (hold) {
      f.fd = std::move(out);
    } else {
      out.close();
    }
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
  CanonicalCopier copier(from, to, narSink);
  try {
    copier.copy();
  } catch (...) {
    if (copier.created) {
      try {
        deletePath(to);
      } catch (...) {
      }
    }
    throw;
  }
}

} // namespace nixpp
