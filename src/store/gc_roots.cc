#include "store/gc_roots.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "format/hash.h"
#include "store/local_store.h"
#include "sys/file.h"
#include "util/config.h"
#include "util/error.h"

namespace nixpp {

namespace {

void makeDir(const std::string& d) {
  if (mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) throw SysError(errno, "creating directory '" + d + "'");
}

std::string absolute(const std::string& path) {
  return absPathIn(path, path.starts_with("/") ? std::string_view("/") : std::string_view(currentDir()));
}

} // namespace

void replaceSymlink(const std::string& target, const std::string& link) {
  std::string tmp = link + ".tmp-" + std::to_string(getpid());
  unlink(tmp.c_str());
  if (symlink(target.c_str(), tmp.c_str()) != 0) throw SysError(errno, "creating symlink '" + link + "'");
  if (rename(tmp.c_str(), link.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    throw SysError(err, "renaming '" + tmp + "' to '" + link + "'");
  }
}

std::string indirectRootLinkOf(const std::string& stateDir, const std::string& link) {
  return stateDir + "/gcroots/auto/" + hashString(HashAlgo::sha1, link).to_string(HashFormat::nix32, false);
}

void addIndirectRoot(const std::string& stateDir, const std::string& link) {
  std::string root = absolute(link);
  makeDir(stateDir + "/gcroots");
  makeDir(stateDir + "/gcroots/auto");
  replaceSymlink(root, indirectRootLinkOf(stateDir, root));
}

std::string addPermRoot(const std::string& stateDir, const StoreDir& storeDir, const std::string& target,
                        const std::string& gcRoot) {
  std::string root = absolute(gcRoot);
  if (storeDir.isInStore(root))
    throw Error("creating a garbage collector root (" + root +
                ") in the Nix store is forbidden (are you running nix-build inside the store?)");
  struct stat st;
  if (lstat(root.c_str(), &st) == 0) {
    bool intoStore = false;
    if (S_ISLNK(st.st_mode)) {
      char buf[PATH_MAX];
      ssize_t n = readlink(root.c_str(), buf, sizeof buf);
      intoStore = n > 0 && storeDir.isInStore(std::string_view(buf, size_t(n)));
    }
    if (!intoStore) throw Error("cannot create symlink '" + root + "'; already exists");
  }
  replaceSymlink(target, root);
  addIndirectRoot(stateDir, root);
  return root;
}

std::string addPermRoot(LocalStore& store, const StorePath& path, const std::string& gcRoot) {
  store.addTempRoot(path);  // as Nix: a collector running meanwhile keeps it until the link exists
  return addPermRoot(store.config().stateDir, store.storeDir(), store.storeDir().printPath(path), gcRoot);
}

} // namespace nixpp
