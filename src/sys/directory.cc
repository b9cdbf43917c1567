#include "sys/directory.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "util/error.h"

namespace nixpp {

namespace {

// Calls f(dirent) for each entry of `dir` but "." and "..".
template <typename F>
void forEachEntry(DIR* dir, const std::string& path, F f) {
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(dir);
    if (!e) break;
    const char* n = e->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    f(*e);
  }
  if (errno) throw SysError(errno, "reading directory '" + path + "'");
}

} // namespace

std::vector<std::string> readDirectorySorted(const std::string& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), ::closedir);
  if (!dir) throw SysError(errno, "opening directory '" + path + "'");
  std::vector<std::string> names;
  forEachEntry(dir.get(), path, [&](const struct dirent& e) { names.emplace_back(e.d_name); });
  std::sort(names.begin(), names.end());  // std::string compares bytes as unsigned char
  return names;
}

std::vector<DirEntry> readDirectoryFdSorted(int fd, const std::string& pathForErrors) {
  int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup == -1) throw SysError(errno, "opening directory '" + pathForErrors + "'");
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(dup), ::closedir);
  if (!dir) {
    int err = errno;
    ::close(dup);
    throw SysError(err, "opening directory '" + pathForErrors + "'");
  }
  std::vector<DirEntry> entries;
  forEachEntry(dir.get(), pathForErrors, [&](const struct dirent& e) { entries.push_back({e.d_name, e.d_type}); });
  std::sort(entries.begin(), entries.end());  // names are unique: byte order
  return entries;
}

} // namespace nixpp
