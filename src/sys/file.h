// sys/file.h: RAII file descriptors, fd-backed streams, whole-file helpers and temporary
// directories. Every function throws SysError (with the path) on failure.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/serialise.h"

namespace nixpp {

// Owns a file descriptor; closes it on destruction. Move-only.
class AutoCloseFd {
public:
  AutoCloseFd() = default;
  explicit AutoCloseFd(int fd) : fd_(fd) {}
  AutoCloseFd(AutoCloseFd&& o) noexcept : fd_(o.release()) {}
  AutoCloseFd& operator=(AutoCloseFd&& o) noexcept;
  AutoCloseFd(const AutoCloseFd&) = delete;
  AutoCloseFd& operator=(const AutoCloseFd&) = delete;
  ~AutoCloseFd();

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { int f = fd_; fd_ = -1; return f; }
  // Closes now, reporting errors (unlike the destructor, which cannot).
  void close();

private:
  int fd_ = -1;
};

// Opens `path` with open(2) flags; throws SysError "opening file '...'" on failure.
AutoCloseFd openFile(const std::string& path, int flags, int mode = 0666);

// Reads from a file descriptor it does not own. Buffered: small reads (NAR and protocol tokens)
// are served from a 64 KiB buffer; large reads bypass it. It may read ahead of what was asked, so
// the fd should not be read by anyone else while the FdSource is in use.
class FdSource : public Source {
public:
  explicit FdSource(int fd) : fd_(fd) {}
  size_t read(char* data, size_t len) override;

private:
  size_t readRaw(char* data, size_t len);
  int fd_;
  std::unique_ptr<char[]> buf_;
  size_t bufPos_ = 0, bufEnd_ = 0;
  static constexpr size_t bufSize = 64 * 1024;
};

// Writes to a file descriptor it does not own; retries on short writes and EINTR.
class FdSink : public Sink {
public:
  explicit FdSink(int fd) : fd_(fd) {}
  void operator()(std::string_view data) override;

private:
  int fd_;
};

void writeFull(int fd, std::string_view data);
std::string readFile(const std::string& path);
// Writes `data` to `path` (created with `mode`, truncated if it exists).
void writeFile(const std::string& path, std::string_view data, int mode = 0666);
bool pathExists(const std::string& path);

// A fresh directory under $TMPDIR (or /tmp), deleted recursively on destruction unless kept.
class TempDir {
public:
  explicit TempDir(std::string_view prefix = "nixpp");
  // Creates the directory inside `parent` instead of $TMPDIR.
  TempDir(const std::string& parent, std::string_view prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  void keep() { keep_ = true; }

private:
  std::string path_;
  bool keep_ = false;
};

// Removes a file or a directory tree (like rm -rf); missing paths are not an error.
void deletePath(const std::string& path);

// The current working directory. Throws SysError.
std::string currentDir();

// The value of an environment variable, or `def` if unset.
std::string getEnv(const std::string& name, const std::string& def = "");

} // namespace nixpp
