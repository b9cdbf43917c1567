#include "store/roots.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "store/local_store.h"
#include "store/temp_roots.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/strings.h"

namespace nixpp {

namespace {

constexpr const char* censored = "{censored}";

// readlink(2); nullopt if it cannot be read.
std::optional<std::string> readLinkOpt(const std::string& path) {
  char buf[PATH_MAX + 1];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0 || size_t(n) > PATH_MAX) return std::nullopt;
  return std::string(buf, size_t(n));
}

// Characters of a store path's base name (Nix's storePathRegex).
bool nameChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' || c == '-' ||
         c == '.' || c == '_' || c == '?' || c == '=';
}

class RootFinder {
public:
  RootFinder(LocalStore& store, Roots& roots, std::ostream* log)
      : store_(store), roots_(roots), log_(log), dir_(store.storeDir()),
        autoDir_(store.config().stateDir + "/gcroots/auto") {}

  // A store path named by `target` (a path in the store, logical or, for a chroot store, real).
  std::optional<StorePath> storePathOf(std::string_view target) {
    for (const std::string* prefix : {&dir_.to_string(), &store_.config().realStoreDir}) {
      if (target.size() <= prefix->size() + 1 || target.compare(0, prefix->size(), *prefix) != 0 ||
          target[prefix->size()] != '/')
        continue;
      std::string_view rest = target.substr(prefix->size() + 1);
      rest = rest.substr(0, rest.find('/'));
      try {
        return StorePath::parse(rest);
      } catch (Error&) {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  void found(const std::string& link, const std::string& target) {
    auto p = storePathOf(target);
    if (!p) return;
    if (store_.isValidPath(*p)) roots_[*p].insert(link);
    else if (log_) *log_ << "skipping invalid root from '" << link << "' to '" << target << "'\n";
  }

  // Nix's findRoots over a tree of links.
  void scan(const std::string& path, unsigned char type) {
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (::lstat(path.c_str(), &st) == -1) return;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type == DT_DIR) {
      DIR* d = ::opendir(path.c_str());
      if (!d) return;
      std::vector<std::pair<std::string, unsigned char>> entries;
      while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        entries.emplace_back(name, e->d_type);
      }
      ::closedir(d);
      for (auto& [name, t] : entries) scan(path + "/" + name, t);
    } else if (type == DT_LNK) {
      auto target = readLinkOpt(path);
      if (!target) return;
      if (dir_.isInStore(*target)) {
        found(path, *target);
        return;
      }
      // An indirect root: a link to a link into the store.
      std::string abs = target->empty() || (*target)[0] != '/' ? path.substr(0, path.rfind('/') + 1) + *target : *target;
      struct stat st;
      if (::lstat(abs.c_str(), &st) == -1) {
        if (errno == ENOENT && path.compare(0, autoDir_.size() + 1, autoDir_ + "/") == 0) {
          if (log_) *log_ << "removing stale link from '" << path << "' to '" << abs << "'\n";
          ::unlink(path.c_str());
        }
        return;
      }
      if (!S_ISLNK(st.st_mode)) return;
      auto target2 = readLinkOpt(abs);
      if (target2 && dir_.isInStore(*target2)) found(abs, *target2);
    } else if (type == DT_REG) {
      std::string base = path.substr(path.rfind('/') + 1);
      try {
        StorePath p = StorePath::parse(base);
        if (store_.isValidPath(p)) roots_[p].insert(path);
      } catch (Error&) {
      }
    }
  }

  // Store paths at the start of `text` (a link target or a mapped file).
  void runtimeLink(const std::string& text, const std::string& from, bool censor) {
    if (auto p = storePathOf(text)) unchecked_[*p].insert(censor ? censored : from);
  }

  // Store paths anywhere in `text` (an environment).
  void runtimeText(const std::string& text, const std::string& from, bool censor) {
    const std::string& prefix = dir_.to_string();
    size_t pos = 0;
    while ((pos = text.find(prefix, pos)) != std::string::npos) {
      pos += prefix.size();
      if (pos >= text.size() || text[pos] != '/') continue;
      size_t end = pos + 1;
      while (end < text.size() && nameChar(text[end])) ++end;
      try {
        unchecked_[StorePath::parse(std::string_view(text).substr(pos + 1, end - pos - 1))].insert(censor ? censored : from);
      } catch (Error&) {
      }
      pos = end;
    }
  }

  void runtime(bool censor) {
    DIR* proc = ::opendir("/proc");
    if (!proc) return;
    std::vector<std::string> pids;
    while (auto* e = ::readdir(proc)) {
      std::string name = e->d_name;
      if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) pids.push_back(name);
    }
    ::closedir(proc);
    for (auto& pid : pids) {
      std::string base = "/proc/" + pid;
      for (const char* l : {"/exe", "/cwd"})
        if (auto t = readLinkOpt(base + l)) runtimeLink(*t, base + l, censor);
      if (DIR* fdDir = ::opendir((base + "/fd").c_str())) {
        std::vector<std::string> fds;
        while (auto* e = ::readdir(fdDir))
          if (e->d_name[0] != '.') fds.push_back(e->d_name);
        ::closedir(fdDir);
        for (auto& fd : fds)
          if (auto t = readLinkOpt(base + "/fd/" + fd)) runtimeLink(*t, base + "/fd/" + fd, censor);
      }
      try {
        std::string maps = readFile(base + "/maps");
        for (auto& line : splitString(maps, '\n')) {
          auto slash = line.find('/');
          if (slash != std::string::npos) runtimeLink(line.substr(slash), base + "/maps", censor);
        }
        runtimeText(readFile(base + "/environ"), base + "/environ", censor);
      } catch (SysError&) {
        // The process has gone, or is not ours to read.
      }
    }
    for (auto& [p, from] : unchecked_)
      if (store_.isValidPath(p)) roots_[p].insert(from.begin(), from.end());
  }

private:
  LocalStore& store_;
  Roots& roots_;
  std::ostream* log_;
  const StoreDir& dir_;
  std::string autoDir_;
  std::map<StorePath, std::set<std::string>> unchecked_;
};

} // namespace

Roots findRuntimeRoots(LocalStore& store, bool censor) {
  Roots roots;
  RootFinder(store, roots, nullptr).runtime(censor);
  return roots;
}

Roots findRoots(LocalStore& store, bool censor, std::ostream& log) {
  Roots roots;
  RootFinder finder(store, roots, &log);
  const std::string& state = store.config().stateDir;
  finder.scan(state + "/gcroots", DT_UNKNOWN);
  finder.scan(state + "/profiles", DT_UNKNOWN);
  finder.runtime(censor);
  const StoreDir& dir = store.storeDir();
  auto addTemp = [&](const std::string& printed, const std::string& name) {
    auto p = dir.parsePathOpt(printed);
    if (p && store.isValidPath(*p)) roots[*p].insert(censor ? censored : name);
  };
  for (auto& [printed, pids] : readTempRoots(state, &log))
    for (pid_t pid : pids) addTemp(printed, "{temp:" + std::to_string(pid) + "}");
  for (auto& printed : store.tempRoots().own()) addTemp(printed, "{temp:" + std::to_string(::getpid()) + "}");
  return roots;
}

} // namespace nixpp
