#include "store/profiles.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "store/gc_roots.h"
#include "store/local_store.h"
#include "store/settings.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

std::string dirOf(const std::string& p) {
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

std::string baseOf(const std::string& p) {
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::optional<std::string> readLinkOpt(const std::string& path) {
  std::string buf(256, '\0');
  while (true) {
    ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == ENOENT || errno == EINVAL || errno == ENOTDIR) return std::nullopt;
      throw SysError(errno, "reading symbolic link '" + path + "'");
    }
    if (size_t(n) < buf.size()) {
      buf.resize(size_t(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

// "<name>-<N>-link" -> N.
std::optional<GenerationNumber> parseGenerationName(std::string_view profileName, std::string_view file) {
  if (!file.starts_with(profileName) || file.size() <= profileName.size() + 1 || file[profileName.size()] != '-')
    return std::nullopt;
  std::string_view rest = file.substr(profileName.size() + 1);
  if (!rest.ends_with("-link")) return std::nullopt;
  rest.remove_suffix(5);
  GenerationNumber n;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
  if (rest.empty() || ec != std::errc() || p != rest.data() + rest.size()) return std::nullopt;
  return n;
}

std::string generationPath(const std::string& profile, GenerationNumber n) {
  return profile + "-" + std::to_string(n) + "-link";
}

void deleteGeneration2(const std::string& profile, GenerationNumber n, bool dryRun, std::ostream& log) {
  if (dryRun) {
    log << "would remove profile version " << n << "\n";
    return;
  }
  log << "removing profile version " << n << "\n";
  std::string link = generationPath(profile, n);
  if (::unlink(link.c_str()) == -1 && errno != ENOENT) throw SysError(errno, "removing '" + link + "'");
}

void makeDirs(const std::string& dir) {
  if (dir.empty() || dir == "/") return;
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw Error("'" + dir + "' is not a directory");
    return;
  }
  makeDirs(dirOf(dir));
  if (::mkdir(dir.c_str(), 0755) == -1 && errno != EEXIST) throw SysError(errno, "creating directory '" + dir + "'");
}

std::string userName() {
  struct passwd* pw = ::getpwuid(::geteuid());
  if (pw) return pw->pw_name;
  std::string u = getEnv("USER");
  if (u.empty()) throw Error("cannot figure out user name");
  return u;
}

} // namespace

Generations findGenerations(const std::string& profile) {
  Generations res;
  std::string dir = dirOf(profile), name = baseOf(profile);
  std::vector<std::string> entries;
  try {
    entries = readDirectorySorted(dir);
  } catch (SysError& e) {
    if (e.errNo == ENOENT) return res;
    throw;
  }
  for (auto& e : entries) {
    auto n = parseGenerationName(name, e);
    if (!n) continue;
    Generation g;
    g.number = *n;
    g.path = dir + "/" + e;
    struct stat st;
    if (::lstat(g.path.c_str(), &st) == -1) {
      if (errno == ENOENT) continue;  // deleted meanwhile
      throw SysError(errno, "getting status of '" + g.path + "'");
    }
    g.creationTime = st.st_mtime;
    res.gens.push_back(std::move(g));
  }
  std::sort(res.gens.begin(), res.gens.end(), [](auto& a, auto& b) { return a.number < b.number; });
  if (auto target = readLinkOpt(profile)) res.current = parseGenerationName(name, baseOf(*target));
  return res;
}

std::string createGeneration(LocalStore& store, const std::string& profile, const StorePath& outPath) {
  auto gens = findGenerations(profile);
  GenerationNumber num = 0;
  if (!gens.gens.empty()) {
    const Generation& last = gens.gens.back();
    if (readLinkOpt(last.path) == store.storeDir().printPath(outPath)) return last.path;
    num = last.number;
  }
  std::string generation = generationPath(profile, num + 1);
  makeDirs(dirOf(profile));
  addPermRoot(store, outPath, generation);
  return generation;
}

void switchLink(const std::string& link, std::string target) {
  if (dirOf(target) == dirOf(link)) target = baseOf(target);
  replaceSymlink(target, link);
}

PathLocks lockProfile(const std::string& profile) {
  PathLocks lock({profile});
  lock.setDeletion(true);
  return lock;
}

std::string optimisticLockProfile(const std::string& profile) { return readLinkOpt(profile).value_or(""); }

void switchGeneration(const std::string& profile, std::optional<GenerationNumber> dstGen, bool dryRun,
                      std::ostream& log) {
  auto lock = lockProfile(profile);
  auto gens = findGenerations(profile);
  const Generation* dst = nullptr;
  for (auto& g : gens.gens)
    if ((!dstGen && g.number < gens.current.value_or(0)) || (dstGen && g.number == *dstGen)) dst = &g;
  if (!dst) {
    if (dstGen) throw Error("profile version " + std::to_string(*dstGen) + " does not exist");
    throw Error("no profile version older than the current (" + std::to_string(gens.current.value_or(0)) +
                ") exists");
  }
  log << "switching profile from version " << gens.current.value_or(0) << " to " << dst->number << "\n";
  if (dryRun) return;
  switchLink(profile, dst->path);
}

void deleteGenerations(const std::string& profile, const std::set<GenerationNumber>& which, bool dryRun,
                       std::ostream& log) {
  auto lock = lockProfile(profile);
  auto gens = findGenerations(profile);
  if (gens.current && which.count(*gens.current))
    throw Error("cannot delete current version of profile " + profile + "'");
  for (auto& g : gens.gens)
    if (which.count(g.number)) deleteGeneration2(profile, g.number, dryRun, log);
}

void deleteOldGenerations(const std::string& profile, bool dryRun, std::ostream& log) {
  auto lock = lockProfile(profile);
  auto gens = findGenerations(profile);
  for (auto& g : gens.gens)
    if (g.number != gens.current) deleteGeneration2(profile, g.number, dryRun, log);
}

void deleteGenerationsGreaterThan(const std::string& profile, GenerationNumber keep, bool dryRun,
                                  std::ostream& log) {
  if (keep == 0) throw UsageError("Must keep at least one generation, otherwise the current one would be deleted");
  auto lock = lockProfile(profile);
  auto gens = findGenerations(profile);
  auto i = gens.gens.rbegin();
  while (i != gens.gens.rend() && i->number != gens.current) ++i;
  for (GenerationNumber kept = 0; i != gens.gens.rend() && kept < keep; ++i, ++kept) {
  }
  for (; i != gens.gens.rend(); ++i) deleteGeneration2(profile, i->number, dryRun, log);
}

void deleteGenerationsOlderThan(const std::string& profile, time_t t, bool dryRun, std::ostream& log) {
  auto lock = lockProfile(profile);
  auto gens = findGenerations(profile);
  bool canDelete = false;
  for (auto i = gens.gens.rbegin(); i != gens.gens.rend(); ++i) {
    if (canDelete) {
      if (i->number != gens.current) deleteGeneration2(profile, i->number, dryRun, log);
    } else if (i->creationTime < t) {
      canDelete = true;  // this one was active at `t`: kept
    }
  }
}

time_t parseOlderThanTimeSpec(const std::string& spec) {
  if (spec.empty() || spec.back() != 'd') throw UsageError("invalid number of days specifier '" + spec + "'");
  std::string_view digits(spec.data(), spec.size() - 1);
  long days = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), days);
  if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || days < 1)
    throw UsageError("invalid number of days specifier '" + spec + "'");
  return ::time(nullptr) - days * 24 * 3600;
}

std::string profilesDir(const Settings& settings) {
  std::string dir = settings.stateDir + "/profiles";
  if (::geteuid() != 0) dir += "/per-user/" + userName();
  makeDirs(dir);
  return dir;
}

std::string defaultProfile(const Settings& settings) {
  std::string home = getEnv("HOME");
  if (home.empty()) throw Error("HOME environment variable not set");
  std::string link = home + "/.nix-profile";
  try {
    // Nix 2.8 makes the per-user directory for every user (root included).
    std::string perUser = settings.stateDir + "/profiles/per-user/" + userName();
    makeDirs(perUser);
    if (!readLinkOpt(link) && !pathExists(link)) {
      std::string target = ::geteuid() == 0 ? settings.stateDir + "/profiles/default" : perUser + "/profile";
      replaceSymlink(target, link);
    }
    auto target = readLinkOpt(link);
    if (!target) return link;
    return target->starts_with("/") ? *target : home + "/" + *target;
  } catch (Error&) {
    return link;
  }
}

} // namespace nixpp
