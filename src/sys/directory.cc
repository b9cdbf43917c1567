#include "sys/directory.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "util/error.h"

namespace nixpp {

std::vector<std::string> readDirectorySorted(const std::string& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), ::closedir);
  if (!dir) throw SysError(errno, "opening directory '" + path + "'");
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(dir.get());
    if (!e) break;
    const char* n = e->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    names.emplace_back(n);
  }
  if (errno) throw SysError(errno, "reading directory '" + path + "'");
  std::sort(names.begin(), names.end());  // std::string compares bytes as unsigned char
  return names;
}

} // namespace nixpp
