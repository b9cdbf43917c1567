#include "store/build/buildenv.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <set>

#include "format/nar.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

class FileConflict : public Error {
public:
  // Nix 2.8's words (later versions say "Unable to build profile. There is a conflict ...").
  FileConflict(const std::string& a, const std::string& b, int priority)
      : Error("packages '" + a + "' and '" + b + "' have the same priority " + std::to_string(priority) +
              "; use 'nix-env --set-flag priority NUMBER INSTALLED_PKGNAME' to change the priority of one of "
              "the conflicting packages (0 being the highest priority)") {}
};

// The tree being built, in memory: Nix's buildenv makes it on disk link by link (a link to a
// package's directory is replaced by a directory of links when a second package has the same
// directory), asking the file system what it made so far (lstat, readlink) at every step. Here
// the same steps run against this model, and the final tree is written once at the end, each
// link and directory created once, relative to its parent's descriptor.
struct Node {
  bool isDir = false;
  std::string target;  // a link's target (a logical store path)
  int priority = 0;    // a link's priority (of the package it links into)
  std::map<std::string, Node> entries;  // a directory's, in byte order (as NAR and readdir sorted)
};

struct EnvState {
  const RealPathFn& realPath;
  std::ostream& log;
  size_t symlinks = 0;
};

bool skipped(const std::string& f) {
  for (const char* s : {"/propagated-build-inputs", "/nix-support", "/perllocal.pod", "/info/dir", "/log",
                        "/manifest.nix", "/manifest.json"})
    if (f.ends_with(s)) return true;
  return false;
}

// One entry of a package directory, with what stat(2) (following links) says of it.
struct SrcEntry {
  std::string name;
  bool isDir = false;
  int statErrno = 0;  // stat failed (a dangling link, when ENOENT or ENOTDIR)
};

// The entries of the directory `real` (following links), dot files left out, sorted; nullopt if
// `real` is not a directory. The type comes from the directory listing where it says one
// (DT_DIR, DT_REG, ...): only links (and file systems that do not say) need a stat.
std::optional<std::vector<SrcEntry>> readSrcDir(const std::string& real) {
  AutoCloseFd fd(::open(real.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    struct stat s;
    if (err == ENOTDIR && ::stat(real.c_str(), &s) == 0 && !S_ISDIR(s.st_mode)) return std::nullopt;
    throw SysError(err, "opening directory '" + real + "'");
  }
  std::vector<SrcEntry> res;
  alignas(8) char buf[32768];
  for (;;) {
    ssize_t n = ::getdents64(fd.get(), buf, sizeof buf);
    if (n == -1) throw SysError(errno, "reading directory '" + real + "'");
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      off += d->d_reclen;
      const char* name = d->d_name;
      if (name[0] == '.') continue;  // dot files (and "." and "..") are never linked
      SrcEntry e;
      e.name = name;
      if (d->d_type == DT_LNK || d->d_type == DT_UNKNOWN) {
        struct stat s;
        if (::fstatat(fd.get(), name, &s, 0) == -1) e.statErrno = errno;
        else e.isDir = S_ISDIR(s.st_mode);
      } else {
        e.isDir = d->d_type == DT_DIR;
      }
      res.push_back(std::move(e));
    }
  }
  std::sort(res.begin(), res.end(), [](const SrcEntry& a, const SrcEntry& b) { return a.name < b.name; });
  return res;
}

// Links the entries of `srcDir` (logical) into `dst` (the model of the real directory
// `dstReal`), as Nix 2.8's createLinks. Returns whether `srcDir` has an entry "nix-support".
bool createLinks(EnvState& st, const std::string& srcDir, Node& dst, const std::string& dstReal, int priority) {
  auto entries = readSrcDir(st.realPath(srcDir));
  if (!entries) {
    st.log << "warning: not including '" << srcDir << "' in the user environment because it's not a directory\n";
    return false;
  }
  bool nixSupport = false;
  for (auto& e : *entries) {
    if (e.name == "nix-support") nixSupport = true;
    std::string srcFile = srcDir + "/" + e.name;
    if (e.statErrno) {
      if (e.statErrno == ENOENT || e.statErrno == ENOTDIR) {
        st.log << "warning: skipping dangling symlink '" << dstReal << "/" << e.name << "'\n";
        continue;
      }
      throw SysError(e.statErrno, "getting status of '" + srcFile + "'");
    }
    if (skipped(srcFile)) continue;
    auto it = dst.entries.find(e.name);
    if (e.isDir) {
      if (it != dst.entries.end()) {
        Node& d = it->second;
        std::string dstFile = dstReal + "/" + e.name;
        if (d.isDir) {
          createLinks(st, srcFile, d, dstFile, priority);
          continue;
        }
        // A link to another package's directory: becomes a directory of links to both.
        std::string target = std::move(d.target);
        struct stat tSt;
        if (::stat(st.realPath(target).c_str(), &tSt) == -1 || !S_ISDIR(tSt.st_mode))
          throw Error("collision between '" + srcFile + "' and non-directory '" + target + "'");
        d = Node{true, {}, d.priority, {}};
        createLinks(st, target, d, dstFile, d.priority);
        createLinks(st, srcFile, d, dstFile, priority);
        continue;
      }
    } else if (it != dst.entries.end()) {
      Node& d = it->second;
      if (d.isDir)
        throw Error("collision between non-directory '" + srcFile + "' and directory '" + dstReal + "/" + e.name + "'");
      if (d.priority == priority) throw FileConflict(srcFile, d.target, priority);  // Nix 2.8: the new file first
      if (d.priority < priority) continue;
    }
    dst.entries[e.name] = Node{false, srcFile, priority, {}};
    ++st.symlinks;
  }
  return nixSupport;
}

// The packages' merged tree (see buildenv.h), in memory.
Node mergePackages(std::vector<EnvPackage> pkgs, const RealPathFn& realPath, std::ostream& log,
                   const std::string& outReal) {
  Node root;
  root.isDir = true;
  EnvState st{realPath, log, 0};
  std::set<std::string> done, postponed;
  auto addPkg = [&](const std::string& pkgDir, int priority) {
    if (!done.insert(pkgDir).second) return;
    // Without a nix-support entry there is no propagated-user-env-packages to read.
    if (!createLinks(st, pkgDir, root, outReal, priority)) return;
    std::string prop = realPath(pkgDir + "/nix-support/propagated-user-env-packages");
    std::string text;
    try {
      text = readFile(prop);
    } catch (SysError& e) {
      if (e.errNo != ENOENT && e.errNo != ENOTDIR) throw;
      return;
    }
    for (auto& p : tokenizeString(text, " \n"))
      if (!done.count(p)) postponed.insert(p);
  };
  std::stable_sort(pkgs.begin(), pkgs.end(), [](const EnvPackage& a, const EnvPackage& b) {
    return a.priority < b.priority || (a.priority == b.priority && a.path < b.path);
  });
  for (auto& p : pkgs)
    if (p.active) addPkg(p.path, p.priority);
  int counter = 1000;  // propagated packages lose collisions against explicit ones
  while (!postponed.empty()) {
    std::set<std::string> batch = std::move(postponed);
    postponed.clear();
    for (auto& p : batch) addPkg(p, counter++);
  }
  return root;
}

// Whether the link `name` in `dirFd` has the target `target` and the store's metadata (mtime 1,
// our owner): then it is what writeTree would have made. (Not the access time: reading a link
// sets it, as reading anything in the store does.)
bool sameCanonicalLink(int dirFd, const std::string& name, const std::string& target) {
  static const uid_t self = ::geteuid();
  std::string buf(target.size() + 1, '\0');
  ssize_t n = ::readlinkat(dirFd, name.c_str(), buf.data(), buf.size());
  if (n != ssize_t(target.size()) || buf.compare(0, target.size(), target) != 0) return false;
  struct stat st;
  return ::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
         st.st_mtime == 1 && st.st_uid == self && (self != 0 || st.st_gid == 0);
}

// Writes the entries of `dir` into the directory open as `dirFd` (at `path`). With
// `canonical`, every entry gets the store's metadata as canonicalisePathMetaData would set it
// (times 1, directories 0555, owner root when run as root), so that the tree needs no other walk.
// `shareFd` (or -1) is the directory at the same place in a valid tree whose identical links
// are hard-linked instead of created (checked after linking: a different one is replaced).
void writeTree(const Node& dir, int dirFd, const std::string& path, bool canonical, int shareFd) {
  static const struct timespec times[2] = {{1, 0}, {1, 0}};
  static const bool rootNotGroupRoot = ::geteuid() == 0 && ::getegid() != 0;
  bool chownRoot = canonical && rootNotGroupRoot;
  for (auto& [name, n] : dir.entries) {
    if (!n.isDir) {
      if (shareFd != -1 && ::linkat(shareFd, name.c_str(), dirFd, name.c_str(), 0) == 0) {
        if (sameCanonicalLink(dirFd, name, n.target)) continue;
        if (::unlinkat(dirFd, name.c_str(), 0) == -1) throw SysError(errno, "removing '" + path + "/" + name + "'");
      }
      if (::symlinkat(n.target.c_str(), dirFd, name.c_str()) == -1)
        throw SysError(errno, "creating symlink '" + path + "/" + name + "'");
    } else {
      if (::mkdirat(dirFd, name.c_str(), 0755) == -1)
        throw SysError(errno, "creating directory '" + path + "/" + name + "'");
      AutoCloseFd fd(::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) throw SysError(errno, "opening directory '" + path + "/" + name + "'");
      AutoCloseFd share;
      if (shareFd != -1) share = AutoCloseFd(::openat(shareFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      writeTree(n, fd.get(), path + "/" + name, canonical, share ? share.get() : -1);
      if (canonical && ::fchmod(fd.get(), 0555) == -1)
        throw SysError(errno, "changing mode of '" + path + "/" + name + "' to 365");
    }
    if (canonical && ::utimensat(dirFd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) == -1)
      throw SysError(errno, "changing modification time of '" + path + "/" + name + "'");
    if (chownRoot && ::fchownat(dirFd, name.c_str(), 0, 0, AT_SYMLINK_NOFOLLOW) == -1)
      throw SysError(errno, "changing owner of '" + path + "/" + name + "' to 0");
  }
}

// Writes the tree of `root` into the existing, empty directory `outReal` (sharing the links of
// `shareFrom` that are the same, if not empty).
void writeOut(const Node& root, const std::string& outReal, bool canonical, const std::string& shareFrom = "") {
  AutoCloseFd fd(::open(outReal.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw SysError(errno, "opening directory '" + outReal + "'");
  AutoCloseFd share;
  if (!shareFrom.empty()) share = AutoCloseFd(::open(shareFrom.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  writeTree(root, fd.get(), outReal, canonical, share ? share.get() : -1);
  if (!canonical) return;
  static const struct timespec times[2] = {{1, 0}, {1, 0}};
  if (::fchmod(fd.get(), 0555) == -1) throw SysError(errno, "changing mode of '" + outReal + "' to 365");
  if (::futimens(fd.get(), times) == -1) throw SysError(errno, "changing modification time of '" + outReal + "'");
  if (::geteuid() == 0 && ::getegid() != 0 && ::fchown(fd.get(), 0, 0) == -1)
    throw SysError(errno, "changing owner of '" + outReal + "' to 0");
}

void dumpNode(const Node& n, NarWriter& nar) {
  if (!n.isDir) {
    nar.createSymlink(n.target);
    return;
  }
  nar.createDirectory();
  for (auto& [name, e] : n.entries) {
    nar.beginEntry(name);
    dumpNode(e, nar);
    nar.endEntry();
  }
  nar.closeDirectory();
}

void makeOutDir(const std::string& outReal) {
  if (::mkdir(outReal.c_str(), 0755) == -1 && errno != EEXIST)
    throw SysError(errno, "creating directory '" + outReal + "'");
}

} // namespace

void buildProfile(const std::string& outReal, std::vector<EnvPackage> pkgs, const RealPathFn& realPath,
                  std::ostream& log) {
  makeOutDir(outReal);
  writeOut(mergePackages(std::move(pkgs), realPath, log, outReal), outReal, false);
}

void runBuiltinBuilder(const Derivation& drv, const std::map<std::string, std::string>& outputsReal,
                       const RealPathFn& realPath, std::ostream& log, std::string* narOut,
                       const std::string& shareLinksFrom) {
  if (drv.builder != "builtin:buildenv") throw Error("unsupported builtin builder '" + drv.builder + "'");
  auto attr = [&](const std::string& name) -> const std::string& {
    auto it = drv.env.find(name);
    if (it == drv.env.end()) throw Error("attribute '" + name + "' missing");
    return it->second;
  };
  auto out = outputsReal.find("out");
  if (out == outputsReal.end()) throw Error("attribute 'out' missing");
  std::vector<EnvPackage> pkgs;
  auto words = tokenizeString(attr("derivations"));
  auto toInt = [](const std::string& s) {
    try {
      size_t used = 0;
      int n = std::stoi(s, &used);
      if (used == s.size()) return n;
    } catch (std::exception&) {
    }
    throw Error("invalid number '" + s + "' in the 'derivations' attribute of a user environment");
  };
  for (size_t i = 0; i < words.size();) {
    if (i + 3 > words.size()) throw Error("malformed 'derivations' attribute of a user environment");
    bool active = words[i] != "false";
    int priority = toInt(words[i + 1]);
    int n = toInt(words[i + 2]);
    i += 3;
    if (n < 0 || i + size_t(n) > words.size()) throw Error("malformed 'derivations' attribute of a user environment");
    for (int k = 0; k < n; ++k) pkgs.push_back({words[i++], active, priority});
  }
  makeOutDir(out->second);
  Node root = mergePackages(std::move(pkgs), realPath, log, out->second);
  // The link to the manifest (never a package's: every "manifest.nix" is skipped above).
  auto [_, added] = root.entries.emplace("manifest.nix", Node{false, attr("manifest"), 0, {}});
  if (!added) throw SysError(EEXIST, "creating symlink '" + out->second + "/manifest.nix'");
  writeOut(root, out->second, true, shareLinksFrom);
  if (narOut) {
    StringSink sink;
    {
      NarWriter nar(sink);
      dumpNode(root, nar);
    }
    *narOut = std::move(sink.s);
  }
}

} // namespace nixpp
