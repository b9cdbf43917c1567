// cli/nix_build_cmd.cc: `nix build` and `nix log` of the new CLI, for what nixpp supports
// instead of flakes: attribute paths in --file FILE / --expr EXPR, and store-path installables
// (`/nix/store/...drv` = all its outputs, `...drv^out,dev`, an output path, ./result).
// As Nix 2.8: results in its build goals' order (by name), links `result`, `result-1`, ... (`result-<output>` for
// outputs other than out) registered as indirect GC roots, --json [{"drvPath":...,"outputs":{}}].
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/build_cli.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/eval_cli.h"
#include "cli/installables.h"
#include "cli/instantiate.h"
#include "store/build/build.h"
#include "store/gc_roots.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

const char* buildUsage =
    "Usage: nix build [option...] installables...\n"
    "\n"
    "Build derivations and make result symlinks to their outputs.\n"
    "\n"
    "Installables: attribute paths with -f/--file FILE or --expr EXPR; store paths\n"
    "(/nix/store/...drv for all outputs, ...drv^out,dev, output paths, ./result).\n"
    "\n"
    "Options:\n"
    "  -o, --out-link PATH   name the result symlinks PATH instead of 'result'\n"
    "  --no-link             do not make result symlinks\n"
    "  --print-out-paths     print the output paths\n"
    "  --json                print the results as JSON\n"
    "  --dry-run             show what would be built\n"
    "  -L, --print-build-logs  print the builders' output, each line prefixed by its name\n"
    "  --rebuild             rebuild and compare with the existing outputs\n"
    "  --repair              rebuild outputs whose contents are damaged\n"
    "  --arg NAME EXPR, --argstr NAME STR, -I PATH, --impure, --show-trace, --store URL, -j N, -k\n";

} // namespace

int nixBuildCommand(Strings args) {
  ArgParser ap("nix build", std::move(args));
  InstallableArgs ia;
  CommonFlags common(Frontend::nixCommand);
  std::string outLink = "result";
  bool noLink = false, printOutPaths = false, json = false, dryRun = false, printBuildLogs = false;
  BuildMode mode = BuildMode::normal;
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) ia.installables.push_back(a);
    else if (a == "--help") {
      std::cout << buildUsage;
      return 0;
    } else if (a == "-o" || a == "--out-link") outLink = ap.value();
    else if (a == "--no-link") noLink = true;
    else if (a == "--print-out-paths") printOutPaths = true;
    else if (a == "--json") json = true;
    else if (a == "--dry-run") dryRun = true;
    else if (a == "-L" || a == "--print-build-logs") printBuildLogs = true;
    else if (a == "--rebuild") mode = BuildMode::check;
    else if (a == "--repair") mode = BuildMode::repair;
    else if (ia.handle(ap)) {
    } else if (!common.handle(ap)) ap.unknownFlag();
  }
  Settings settings = common.load(SettingsHost::real(), std::cerr);
  std::unique_ptr<EvalSession> session;
  std::vector<Target> targets;
  if (!resolveInstallables(ia, ap, settings, session, targets)) return 1;
  LocalStore& store = requireLocalStore(*session->store(), "building");
  const StoreDir& dir = store.storeDir();

  // The results in the order Nix 2.8 prints and links them, that of its build goals: store paths
  // first, then derivations, each group by name, then by path ("a$<name>$<path>", "b$...").
  struct Result {
    std::optional<StorePath> drvPath;
    std::map<std::string, StorePath> outputs;  // drvPath: the outputs asked for
    std::optional<StorePath> path;
  };
  std::map<std::string, Result> results;
  std::vector<StorePath> drvs;
  for (auto& t : targets) {
    if (t.path) {
      if (!store.isValidPath(*t.path)) throw InvalidPath("path '" + dir.printPath(*t.path) + "' is not valid");
      results["a$" + std::string(t.path->name()) + "$" + dir.printPath(*t.path)].path = t.path;
      continue;
    }
    auto all = derivationOutputPaths(store, *t.drvPath);
    Result& r = results["b$" + std::string(t.drvPath->name()) + "$" + dir.printPath(*t.drvPath)];
    r.drvPath = t.drvPath;
    for (auto& [name, p] : all)
      if (!t.outputs || t.outputs->count(name)) r.outputs.insert_or_assign(name, p);
    if (t.outputs)
      for (auto& o : *t.outputs)
        if (!all.count(o))
          throw Error("derivation '" + dir.printPath(*t.drvPath) + "' does not have an output named '" + o + "'");
    drvs.push_back(*t.drvPath);
  }

  if (dryRun) {
    printMissing(store, drvs, mode);
    return 0;
  }
  // As Nix 2.8's `nix build`: no list of what will be built, the builders' output only with -L
  // (prefixed by the derivation's name; else a failure shows its last lines), a line for each
  // derivation whose dependencies failed, exit status 1.
  BuildReporting reporting;
  reporting.printMissing = false;
  reporting.printLogs = reporting.logPrefix = printBuildLogs;
  reporting.logTail = !printBuildLogs;
  reporting.dependencyFailures = true;
  try {
    buildDerivations(store, settings, drvs, mode, reporting);
  } catch (BuildFailed&) {
    return 1;  // each failure is printed already
  }

  size_t i = 0;
  nlohmann::json j = nlohmann::json::array();
  for (auto& [_, r] : results) {
    std::string base = outLink + (i++ ? "-" + std::to_string(i - 1) : "");
    if (r.path) {
      if (!noLink) addPermRoot(store, *r.path, base);
      if (printOutPaths) std::cout << dir.printPath(*r.path) << "\n";
      j.push_back({{"path", dir.printPath(*r.path)}});
      continue;
    }
    nlohmann::json outs = nlohmann::json::object();
    for (auto& [name, p] : r.outputs) {
      if (!noLink) addPermRoot(store, p, base + (name == "out" ? "" : "-" + name));
      if (printOutPaths) std::cout << dir.printPath(p) << "\n";
      outs[name] = dir.printPath(p);
    }
    j.push_back({{"drvPath", dir.printPath(*r.drvPath)}, {"outputs", outs}});
  }
  if (json) std::cout << j.dump() << "\n";
  return 0;
}

int nixLogCommand(Strings args) {
  ArgParser ap("nix log", std::move(args));
  InstallableArgs ia;
  CommonFlags common(Frontend::nixCommand);
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) ia.installables.push_back(a);
    else if (a == "--help") {
      std::cout << "Usage: nix log [option...] installable\n\nShow the build log of a derivation or of "
                   "the derivation that produced a store path.\n";
      return 0;
    } else if (ia.handle(ap)) {
    } else if (!common.handle(ap)) ap.unknownFlag();
  }
  if (ia.installables.size() > 1) ap.fail("too many arguments");
  Settings settings = common.load(SettingsHost::real(), std::cerr);
  std::unique_ptr<EvalSession> session;
  std::vector<Target> targets;
  if (!resolveInstallables(ia, ap, settings, session, targets)) return 1;
  LocalStore& store = requireLocalStore(*session->store(), "reading build logs");
  const StoreDir& dir = store.storeDir();
  for (auto& t : targets) {
    StorePath p = t.drvPath ? *t.drvPath : *t.path;
    auto log = findBuildLog(store, p);
    if (!log) throw Error("build log of '" + dir.printPath(p) + "' is not available");
    std::cerr << "got build log for '" << (ia.installables.empty() ? dir.printPath(p) : ia.installables[0])
              << "' from '" << store.url() << "'\n";
    std::cout << *log;
  }
  return 0;
}

} // namespace nixpp
