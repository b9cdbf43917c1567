#include "store/build/buildenv.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <set>

#include "sys/directory.h"
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

struct EnvState {
  const RealPathFn& realPath;
  std::ostream& log;
  std::map<std::string, int> priorities;  // real dst path -> priority of what it links to
  size_t symlinks = 0;
};

std::string readLinkOf(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) throw SysError(errno, "reading symbolic link '" + path + "'");
  return std::string(buf, size_t(n));
}

void makeLink(const std::string& target, const std::string& link) {
  if (::symlink(target.c_str(), link.c_str()) == -1) throw SysError(errno, "creating symlink '" + link + "'");
}

bool skipped(const std::string& f) {
  for (const char* s : {"/propagated-build-inputs", "/nix-support", "/perllocal.pod", "/info/dir", "/log",
                        "/manifest.nix", "/manifest.json"})
    if (f.ends_with(s)) return true;
  return false;
}

// Links the entries of `srcDir` (logical) into `dstDir` (real).
void createLinks(EnvState& st, const std::string& srcDir, const std::string& dstDir, int priority) {
  std::vector<std::string> names;
  {
    struct stat s;
    std::string real = st.realPath(srcDir);
    if (::stat(real.c_str(), &s) == 0 && !S_ISDIR(s.st_mode)) {
      st.log << "warning: not including '" << srcDir << "' in the user environment because it's not a directory\n";
      return;
    }
    names = readDirectorySorted(real);
  }
  for (auto& name : names) {
    if (name[0] == '.') continue;
    std::string srcFile = srcDir + "/" + name, dstFile = dstDir + "/" + name;
    std::string srcReal = st.realPath(srcFile);
    struct stat srcSt;
    if (::stat(srcReal.c_str(), &srcSt) == -1) {
      if (errno == ENOENT || errno == ENOTDIR) {
        st.log << "warning: skipping dangling symlink '" << dstFile << "'\n";
        continue;
      }
      throw SysError(errno, "getting status of '" + srcFile + "'");
    }
    if (skipped(srcFile)) continue;
    struct stat dstSt;
    int res = ::lstat(dstFile.c_str(), &dstSt);
    if (res == -1 && errno != ENOENT) throw SysError(errno, "getting status of '" + dstFile + "'");
    if (S_ISDIR(srcSt.st_mode)) {
      if (res == 0) {
        if (S_ISDIR(dstSt.st_mode)) {
          createLinks(st, srcFile, dstFile, priority);
          continue;
        }
        if (S_ISLNK(dstSt.st_mode)) {
          std::string target = readLinkOf(dstFile);
          struct stat tSt;
          if (::stat(st.realPath(target).c_str(), &tSt) == -1 || !S_ISDIR(tSt.st_mode))
            throw Error("collision between '" + srcFile + "' and non-directory '" + target + "'");
          if (::unlink(dstFile.c_str()) == -1) throw SysError(errno, "unlinking '" + dstFile + "'");
          if (::mkdir(dstFile.c_str(), 0755) == -1) throw SysError(errno, "creating directory '" + dstFile + "'");
          createLinks(st, target, dstFile, st.priorities[dstFile]);
          createLinks(st, srcFile, dstFile, priority);
          continue;
        }
      }
    } else if (res == 0) {
      if (S_ISLNK(dstSt.st_mode)) {
        int prev = st.priorities[dstFile];
        if (prev == priority) throw FileConflict(srcFile, readLinkOf(dstFile), priority);  // Nix 2.8: the new file first
        if (prev < priority) continue;
        if (::unlink(dstFile.c_str()) == -1) throw SysError(errno, "unlinking '" + dstFile + "'");
      } else if (S_ISDIR(dstSt.st_mode)) {
        throw Error("collision between non-directory '" + srcFile + "' and directory '" + dstFile + "'");
      }
    }
    makeLink(srcFile, dstFile);
    st.priorities[dstFile] = priority;
    ++st.symlinks;
  }
}

} // namespace

void buildProfile(const std::string& outReal, std::vector<EnvPackage> pkgs, const RealPathFn& realPath,
                  std::ostream& log) {
  if (::mkdir(outReal.c_str(), 0755) == -1 && errno != EEXIST)
    throw SysError(errno, "creating directory '" + outReal + "'");
  EnvState st{realPath, log, {}, 0};
  std::set<std::string> done, postponed;
  auto addPkg = [&](const std::string& pkgDir, int priority) {
    if (!done.insert(pkgDir).second) return;
    createLinks(st, pkgDir, outReal, priority);
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
}

void runBuiltinBuilder(const Derivation& drv, const std::map<std::string, std::string>& outputsReal,
                       const RealPathFn& realPath, std::ostream& log) {
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
  buildProfile(out->second, std::move(pkgs), realPath, log);
  makeLink(attr("manifest"), out->second + "/manifest.nix");
}

} // namespace nixpp
