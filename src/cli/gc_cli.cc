#include "cli/gc_cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <set>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "store/gc.h"
#include "store/local_store.h"
#include "store/optimise.h"
#include "store/profiles.h"
#include "store/roots.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/strings.h"

namespace nixpp {

namespace {

LocalStore& localStore(StoreRef& ref, const std::string& what) {
  auto* local = dynamic_cast<LocalStore*>(&*ref);
  if (!local) throw Error(what + " is only supported on local stores");
  return *local;
}

GcOptions optionsFrom(const Settings& s) {
  GcOptions o;
  o.keepOutputs = s.keepOutputs;
  o.keepDerivations = s.keepDerivations;
  return o;
}

// Nix's PrintFreed: the summary, printed however the collection ends.
struct PrintFreed {
  const GcResults& results;
  bool show;
  ~PrintFreed() {
    if (show) std::cout << freedSummary(results) << "\n" << std::flush;
  }
};

void printOptimised(const OptimiseStats& stats) {
  std::cerr << showBytes(stats.bytesFreed) << " freed by hard-linking " << stats.filesLinked << " files\n";
}

} // namespace

uint64_t parseSizeArg(const std::string& flag, const std::string& value) {
  std::string digits = value;
  uint64_t mult = 1;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'K': mult = 1ULL << 10; break;
      case 'M': mult = 1ULL << 20; break;
      case 'G': mult = 1ULL << 30; break;
      case 'T': mult = 1ULL << 40; break;
      default: break;
    }
    if (mult != 1) digits.pop_back();
  }
  if (auto n = parseInt(digits)) return *n < 0 ? 0 : uint64_t(*n) * mult;
  throw UsageError("'" + flag + "' requires an integer argument");
}

int nixStoreOpGc(StoreRef& ref, const Strings& opFlags, const Strings& opArgs) {
  bool printRoots = false;
  GcOptions options = optionsFrom(ref.settings());
  for (size_t i = 0; i < opFlags.size(); ++i) {
    const std::string& f = opFlags[i];
    if (f == "--print-roots") printRoots = true;
    else if (f == "--print-live") options.action = GcOptions::Action::returnLive;
    else if (f == "--print-dead") options.action = GcOptions::Action::returnDead;
    else if (f == "--max-freed") {
      if (i + 1 >= opFlags.size()) throw UsageError("'--max-freed' requires an argument");
      options.maxFreed = parseSizeArg(f, opFlags[++i]);
    } else throw UsageError("bad sub-operation '" + f + "' in GC");
  }
  if (!opArgs.empty()) throw UsageError("no arguments expected");
  LocalStore& store = localStore(ref, "garbage collection");
  if (printRoots) {
    std::set<std::pair<std::string, std::string>> sorted;
    for (auto& [path, links] : findRoots(store, false, std::cerr))
      for (auto& l : links) sorted.emplace(l, store.storeDir().printPath(path));
    for (auto& [link, path] : sorted) std::cout << link << " -> " << path << "\n";
    return 0;
  }
  GcResults results;
  PrintFreed freed{results, options.action == GcOptions::Action::deleteDead};
  collectGarbage(store, options, results, std::cerr);
  if (options.action != GcOptions::Action::deleteDead)
    for (auto& p : results.paths) std::cout << p << "\n";
  return 0;
}

int nixStoreOpDelete(StoreRef& ref, const Strings& opFlags, const Strings& opArgs) {
  GcOptions options = optionsFrom(ref.settings());
  options.action = GcOptions::Action::deleteSpecific;
  for (auto& f : opFlags) {
    if (f == "--ignore-liveness") options.ignoreLiveness = true;
    else throw UsageError("unknown flag '" + f + "'");
  }
  LocalStore& store = localStore(ref, "deleting paths");
  for (auto& a : opArgs) options.pathsToDelete.insert(followLinksToStorePath(store, a));
  GcResults results;
  PrintFreed freed{results, true};
  collectGarbage(store, options, results, std::cerr);
  return 0;
}

int nixStoreOpOptimise(StoreRef& ref, const Strings& opFlags, const Strings& opArgs) {
  if (!opArgs.empty() || !opFlags.empty()) throw UsageError("no arguments expected");
  OptimiseStats stats;
  optimiseStore(localStore(ref, "optimising"), stats);
  printOptimised(stats);
  return 0;
}

void printRootsOf(StoreRef& ref, const StorePathSet& paths) {
  LocalStore& store = localStore(ref, "finding roots");
  const Settings& s = ref.settings();
  // Who keeps the paths alive: referrers, and with keep-outputs the derivers, with
  // keep-derivations (for a derivation) its outputs built from it.
  StorePathSet closure;
  std::vector<StorePath> todo(paths.begin(), paths.end());
  while (!todo.empty()) {
    StorePath p = todo.back();
    todo.pop_back();
    if (!closure.insert(p).second) continue;
    StorePathSet next = store.queryReferrers(p);
    if (s.keepOutputs)
      for (auto& d : store.queryValidDerivers(p)) next.insert(d);
    if (s.keepDerivations && p.isDerivation())
      for (auto& [_, o] : store.queryDerivationOutputs(p))
        if (auto info = store.queryPathInfoOpt(o); info && info->deriver == p) next.insert(o);
    for (auto& n : next)
      if (!closure.count(n)) todo.push_back(n);
  }
  for (auto& [path, links] : findRoots(store, false, std::cerr))
    if (closure.count(path))
      for (auto& l : links) std::cout << l << " -> " << store.storeDir().printPath(path) << "\n";
}

namespace {

// Nix 2.8's removeOldGenerations: every profile (a symlink whose target mentions "link") under
// `dir`, recursively.
void removeOldGenerations(const std::string& dir, const std::string& olderThan, bool dryRun) {
  if (::access(dir.c_str(), R_OK) != 0) return;
  bool canWrite = ::access(dir.c_str(), W_OK) == 0;
  std::vector<std::string> names;
  try {
    names = readDirectorySorted(dir);
  } catch (SysError&) {
    return;
  }
  for (auto& name : names) {
    std::string path = dir + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) == -1) continue;
    if (S_ISLNK(st.st_mode) && canWrite) {
      char buf[4096];
      ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
      if (n < 0) continue;
      if (std::string(buf, size_t(n)).find("link") == std::string::npos) continue;
      std::cerr << "removing old generations of profile " << path << "\n";
      if (!olderThan.empty()) deleteGenerationsOlderThan(path, parseOlderThanTimeSpec(olderThan), dryRun, std::cerr);
      else deleteOldGenerations(path, dryRun, std::cerr);
    } else if (S_ISDIR(st.st_mode)) {
      removeOldGenerations(path, olderThan, dryRun);
    }
  }
}

} // namespace

int nixCollectGarbageMain(Strings args) {
  CommonFlags common(Frontend::legacy);
  ArgParser p("nix-collect-garbage", std::move(args));
  bool removeOld = false, dryRun = false;
  std::string olderThan;
  uint64_t maxFreed = UINT64_MAX;
  while (p.next()) {
    const std::string& a = p.arg();
    if (!p.isFlag()) p.fail("unexpected argument '" + a + "'");
    if (a == "--help") {
      std::cout << "Usage: nix-collect-garbage [--delete-old|-d] [--delete-older-than PERIOD] [--dry-run]\n"
                   "                          [--max-freed BYTES]\n\n"
                   "Delete unreachable store paths (and, with -d, old generations of every profile).\n";
      return 0;
    }
    if (a == "--version") {
      printVersion("nix-collect-garbage");
      return 0;
    }
    if (a == "-d" || a == "--delete-old") removeOld = true;
    else if (a == "--delete-older-than") {
      removeOld = true;
      olderThan = p.value();
    } else if (a == "--dry-run") dryRun = true;
    else if (a == "--max-freed") maxFreed = parseSizeArg(a, p.value());
    else if (!common.handle(p)) p.unknownFlag();
  }
  StoreRef ref(common.load(SettingsHost::real(), std::cerr));
  if (!olderThan.empty()) parseOlderThanTimeSpec(olderThan);  // a bad spec fails before anything is deleted
  if (removeOld) removeOldGenerations(ref.settings().stateDir + "/profiles", olderThan, dryRun);
  if (dryRun) return 0;
  GcOptions options = optionsFrom(ref.settings());
  options.maxFreed = maxFreed;
  GcResults results;
  PrintFreed freed{results, true};
  collectGarbage(localStore(ref, "garbage collection"), options, results, std::cerr);
  return 0;
}

int nixStoreGcCommand(Strings args) {
  CommonFlags common(Frontend::nixCommand);
  ArgParser p("nix store gc", std::move(args));
  bool dryRun = false;
  uint64_t maxFreed = UINT64_MAX;
  while (p.next()) {
    const std::string& a = p.arg();
    if (!p.isFlag()) p.fail("unexpected argument '" + a + "'");
    if (a == "--help") {
      std::cout << "Usage: nix store gc [--dry-run] [--max N]\n\nPerform garbage collection on a Nix store.\n";
      return 0;
    }
    if (a == "--dry-run") dryRun = true;
    else if (a == "--max") maxFreed = parseSizeArg(a, p.value());
    else if (!common.handle(p)) p.unknownFlag();
  }
  StoreRef ref(common.load(SettingsHost::real(), std::cerr));
  GcOptions options = optionsFrom(ref.settings());
  options.action = dryRun ? GcOptions::Action::returnDead : GcOptions::Action::deleteDead;
  options.maxFreed = maxFreed;
  GcResults results;
  PrintFreed freed{results, !dryRun};
  collectGarbage(localStore(ref, "garbage collection"), options, results, std::cerr);
  return 0;
}

int nixStoreOptimiseCommand(Strings args) {
  CommonFlags common(Frontend::nixCommand);
  ArgParser p("nix store optimise", std::move(args));
  while (p.next()) {
    if (!p.isFlag()) p.fail("unexpected argument '" + p.arg() + "'");
    if (p.arg() == "--help") {
      std::cout << "Usage: nix store optimise\n\nReplace identical files in the store by hard links.\n";
      return 0;
    }
    if (!common.handle(p)) p.unknownFlag();
  }
  StoreRef ref(common.load(SettingsHost::real(), std::cerr));
  OptimiseStats stats;
  optimiseStore(localStore(ref, "optimising"), stats);
  printOptimised(stats);
  return 0;
}

} // namespace nixpp
