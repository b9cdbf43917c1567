#include "store/build/build.h"

#include <algorithm>
#include <iostream>

#include "store/build/local_build.h"
#include "store/build/outputs.h"
#include "store/build/scheduler.h"
#include "store/local_store.h"
#include "store/settings.h"
#include "sys/file.h"

namespace nixpp {

namespace {

// "error: " with continuation lines indented under the message, as Nix prints errors.
void printError(const std::string& msg) {
  std::string out = "error: ";
  for (char c : msg) {
    out += c;
    if (c == '\n') out += "       ";
  }
  std::cerr << out << "\n";
}

} // namespace

namespace {

// The derivations to build and what each waits for: a derivation is built if some output is
// invalid (or, checking, if it was asked for); its inputs are visited only then.
struct BuildPlan {
  std::map<StorePath, Derivation> parsed;
  std::map<StorePath, std::set<StorePath>> deps;
  StorePathSet requested;
};

BuildPlan planBuilds(LocalStore& store, const std::vector<StorePath>& drvs, BuildMode mode) {
  const StoreDir& dir = store.storeDir();
  BuildPlan plan;
  auto load = [&](const StorePath& p) -> const Derivation& {
    auto it = plan.parsed.find(p);
    if (it != plan.parsed.end()) return it->second;
    // Temporary roots before the validity checks: a collection in parallel must not take the
    // derivation (and so its inputs) nor the outputs about to be used (store/temp_roots.h).
    store.addTempRoot(p);
    if (!store.isValidPath(p)) throw InvalidPath("path '" + dir.printPath(p) + "' is not valid");
    auto& drv = plan.parsed.emplace(p, parseDerivation(readFile(store.realPath(p)), dir, derivationNameOf(p))).first->second;
    for (auto& [_, out] : drv.outputsAndOptPaths(dir))
      if (out) store.addTempRoot(*out);
    return drv;
  };
  auto outputsValid = [&](const Derivation& d, const StringSet* wanted) {
    for (auto& [name, p] : d.outputsAndOptPaths(dir)) {
      if (wanted && !wanted->count(name)) continue;
      if (!p || !store.isValidPath(*p)) return false;
      if (mode == BuildMode::repair && !outputContentsGood(store, *p)) {
        std::cerr << "path '" << dir.printPath(*p) << "' is corrupted or missing!\n";
        return false;
      }
    }
    return true;
  };
  std::vector<StorePath> todo;
  for (auto& d : drvs) {
    load(d);
    if (mode == BuildMode::check || !outputsValid(load(d), nullptr)) todo.push_back(d);
  }
  plan.requested.insert(todo.begin(), todo.end());
  while (!todo.empty()) {
    StorePath d = todo.back();
    todo.pop_back();
    if (plan.deps.count(d)) continue;
    auto& node = plan.deps[d];
    for (auto& [in, names] : load(d).inputDrvs) {
      if (outputsValid(load(in), &names)) continue;
      node.insert(in);
      todo.push_back(in);
    }
  }
  return plan;
}

// Nix's printMissing: the derivations to build, dependencies first.
void printWillBuild(LocalStore& store, const BuildPlan& plan) {
  if (plan.deps.empty()) return;
  StorePathSet all;
  for (auto& [d, _] : plan.deps) all.insert(d);
  auto sorted = topoSortPaths(store, all);
  if (sorted.size() == 1) std::cerr << "this derivation will be built:\n";
  else std::cerr << "these " << sorted.size() << " derivations will be built:\n";
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) std::cerr << "  " << store.storeDir().printPath(*it) << "\n";
}

} // namespace

std::vector<StorePath> derivationsToBuild(LocalStore& store, const std::vector<StorePath>& drvs, BuildMode mode) {
  auto plan = planBuilds(store, drvs, mode);
  StorePathSet all;
  for (auto& [d, _] : plan.deps) all.insert(d);
  auto sorted = topoSortPaths(store, all);
  std::reverse(sorted.begin(), sorted.end());
  return sorted;
}

void printMissing(LocalStore& store, const std::vector<StorePath>& drvs, BuildMode mode) {
  printWillBuild(store, planBuilds(store, drvs, mode));
}

void buildDerivations(LocalStore& store, const Settings& settings, const std::vector<StorePath>& drvs, BuildMode mode,
                      const BuildReporting& reporting) {
  const StoreDir& dir = store.storeDir();
  BuildPlan plan = planBuilds(store, drvs, mode);
  if (plan.deps.empty()) return;
  if (reporting.printMissing) printWillBuild(store, plan);
  auto& deps = plan.deps;
  auto& requested = plan.requested;
  auto load = [&](const StorePath& p) -> const Derivation& { return plan.parsed.at(p); };

  SchedulerOptions opts;
  opts.maxJobs = settings.maxJobs;
  opts.keepGoing = settings.keepGoing;
  bool hashMismatch = false, notDeterministic = false, failedBuild = false;
  auto start = [&](const StorePath& d) {
    BuildMode m = mode == BuildMode::repair                         ? BuildMode::repair
                  : mode == BuildMode::check && requested.count(d) ? BuildMode::check
                                                                   : BuildMode::normal;
    return startLocalBuild(store, settings, d, load(d), m, reporting);
  };
  auto onFailure = [&](const StorePath&, std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (BuildError& b) {
      if (b.kind == BuildError::Kind::hashMismatch) hashMismatch = true;
      else if (b.kind == BuildError::Kind::notDeterministic) notDeterministic = true;
      else failedBuild = true;
      printError(b.what());
    } catch (std::exception& x) {
      printError(x.what());
    }
  };
  auto res = runSchedule(deps, start, opts, onFailure);
  if (res.ok()) return;
  if (reporting.dependencyFailures) {
    StorePathSet all;
    for (auto& [d, _] : deps) all.insert(d);
    auto sorted = topoSortPaths(store, all);
    for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
      auto f = res.failed.find(*it);
      if (f == res.failed.end() || f->second) continue;
      size_t n = 0;
      for (auto& in : deps.at(*it)) n += res.failed.count(in);
      if (n) printError(std::to_string(n) + " dependencies of derivation '" + dir.printPath(*it) + "' failed to build");
    }
  }

  // As Nix's Worker::exitStatus.
  int mask = 0;
  if (failedBuild || hashMismatch) mask |= 0x04;
  if (hashMismatch) mask |= 0x02;
  if (notDeterministic) mask |= 0x08;
  int status = mask ? (mask | 0x60) : 1;
  std::string failed;
  for (auto& d : drvs) {
    if (!res.failed.count(d)) continue;
    failed += (failed.empty() ? "'" : ", '") + dir.printPath(d) + "'";
  }
  if (failed.empty())
    for (auto& [d, _] : res.failed) failed += (failed.empty() ? "'" : ", '") + dir.printPath(d) + "'";
  throw BuildFailed(status, "build of " + failed + " failed");
}

void repairPath(LocalStore& store, const Settings& settings, const StorePath& path) {
  auto info = store.queryPathInfo(path);
  if (!info.deriver || !store.isValidPath(*info.deriver))
    throw Error("cannot repair path '" + store.storeDir().printPath(path) + "'");
  buildDerivations(store, settings, {*info.deriver}, BuildMode::repair);
}

} // namespace nixpp
