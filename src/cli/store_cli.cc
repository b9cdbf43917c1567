#include "cli/store_cli.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <sys/stat.h>

#include "store/local_store.h"
#include "store/open_store.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

Store& StoreRef::operator*() {
  if (!store_) store_ = openStore(settings_);
  return *store_;
}

void StoreRef::flush() {
  if (auto* local = dynamic_cast<LocalStore*>(store_.get())) local->flush();
}

namespace {

std::string absPath(const std::string& path, const std::string& dir) {
  std::string p = path;
  if (p.empty() || p[0] != '/') {
    std::string base = dir;
    if (base.empty()) base = currentDir();
    p = base + "/" + p;
  }
  // Canonicalise "." and ".." and duplicate slashes, without following symlinks.
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string c = p.substr(i, j - i);
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!c.empty() && c != ".") {
      parts.push_back(c);
    }
    i = j + 1;
  }
  std::string res;
  for (auto& c : parts) res += "/" + c;
  return res.empty() ? "/" : res;
}

std::string dirOf(const std::string& p) {
  auto s = p.rfind('/');
  return s == 0 || s == std::string::npos ? "/" : p.substr(0, s);
}

} // namespace

StorePath followLinksToStorePath(Store& store, const std::string& path) {
  std::string p = absPath(path, "");
  const StoreDir& dir = store.storeDir();
  for (int n = 0; !dir.isInStore(p) && n < 64; ++n) {
    struct stat st;
    if (::lstat(p.c_str(), &st) == -1 || !S_ISLNK(st.st_mode)) break;
    char buf[PATH_MAX];
    ssize_t len = ::readlink(p.c_str(), buf, sizeof buf);
    if (len < 0) throw SysError(errno, "reading symbolic link '" + p + "'");
    p = absPath(std::string(buf, size_t(len)), dirOf(p));
  }
  if (!dir.isInStore(p)) throw BadStorePath("path '" + p + "' is not in the Nix store");
  return dir.toStorePath(p).first;
}

std::string baseNameOf(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

std::vector<StorePath> referencesFirst(Store& store, const StorePathSet& paths) {
  auto sorted = topoSortPaths(store, paths);
  std::reverse(sorted.begin(), sorted.end());
  return sorted;
}

} // namespace nixpp
