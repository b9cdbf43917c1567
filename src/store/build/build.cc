#include "store/build/build.h"

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

void buildDerivations(LocalStore& store, const Settings& settings, const std::vector<StorePath>& drvs, BuildMode mode) {
  const StoreDir& dir = store.storeDir();
  std::map<StorePath, Derivation> parsed;
  auto load = [&](const StorePath& p) -> const Derivation& {
    auto it = parsed.find(p);
    if (it != parsed.end()) return it->second;
    if (!store.isValidPath(p)) throw InvalidPath("path '" + dir.printPath(p) + "' is not valid");
    return parsed.emplace(p, parseDerivation(readFile(store.realPath(p)), dir, derivationNameOf(p))).first->second;
  };
  auto outputsValid = [&](const Derivation& d, const StringSet* wanted) {
    for (auto& [name, p] : d.outputsAndOptPaths(dir)) {
      if (wanted && !wanted->count(name)) continue;
      if (!p || !store.isValidPath(*p)) return false;
    }
    return true;
  };

  // The graph of derivations to build: a derivation is built if some output is invalid (or,
  // checking, if it was asked for); its inputs are visited only then.
  std::map<StorePath, std::set<StorePath>> deps;
  std::vector<StorePath> todo;
  for (auto& d : drvs) {
    load(d);
    if (mode == BuildMode::check || !outputsValid(load(d), nullptr)) todo.push_back(d);
  }
  StorePathSet requested(todo.begin(), todo.end());
  while (!todo.empty()) {
    StorePath d = todo.back();
    todo.pop_back();
    if (deps.count(d)) continue;
    auto& node = deps[d];
    for (auto& [in, names] : load(d).inputDrvs) {
      if (outputsValid(load(in), &names)) continue;
      node.insert(in);
      todo.push_back(in);
    }
  }
  if (deps.empty()) return;

  std::vector<StorePath> toBuild;
  for (auto& [d, _] : deps) toBuild.push_back(d);
  if (toBuild.size() == 1) std::cerr << "this derivation will be built:\n";
  else std::cerr << "these " << toBuild.size() << " derivations will be built:\n";
  for (auto& d : toBuild) std::cerr << "  " << dir.printPath(d) << "\n";

  SchedulerOptions opts;
  opts.maxJobs = settings.maxJobs;
  opts.keepGoing = settings.keepGoing;
  bool hashMismatch = false, notDeterministic = false, failedBuild = false;
  auto start = [&](const StorePath& d) {
    BuildMode m = mode == BuildMode::check && requested.count(d) ? BuildMode::check : BuildMode::normal;
    return startLocalBuild(store, settings, d, load(d), m);
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

} // namespace nixpp
