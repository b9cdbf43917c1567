// cli/nix_build.cc: `nix-build`: evaluates files or expressions (default ./default.nix) to
// derivations as nix-instantiate does, builds them, leaves `result` symlinks (`result-2`, ... for
// further derivations, `result-<output>` for outputs other than out) registered as indirect GC
// roots, and prints the output paths. Messages and exit statuses follow Nix 2.8.
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/build_cli.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/eval_cli.h"
#include "cli/instantiate.h"
#include "store/build/build.h"
#include "store/gc_roots.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

const char* usage =
    "Usage: nix-build [options...] [files...]\n"
    "\n"
    "Build the derivations the Nix expressions in FILES (default: ./default.nix) evaluate to.\n"
    "\n"
    "Options:\n"
    "  -A, --attr PATH     build the attribute PATH of the expression\n"
    "  -E, --expr          interpret the arguments as Nix expressions, not file names\n"
    "  --arg NAME EXPR, --argstr NAME STR  pass arguments to a function\n"
    "  -o, --out-link PATH name the result symlink PATH instead of 'result'\n"
    "  --no-out-link       do not make result symlinks\n"
    "  --dry-run           show what would be built\n"
    "  --check             rebuild and compare with the existing outputs\n"
    "  -I PATH, --show-trace, -j N, -k, -K, --option NAME VALUE, --store URL\n";

} // namespace

int nixBuildMain(Strings args) {
  ArgParser ap("nix-build", std::move(args));
  EvalTargets targets;
  Strings includes;
  std::string outLink = "result";
  bool noOutLink = false, dryRun = false, showTrace = false;
  BuildMode mode = BuildMode::normal;
  EvalSettings evalSettings;
  CommonFlags common(Frontend::legacy);
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) {
      targets.files.push_back(a);
      continue;
    }
    if (a == "--help") {
      std::cout << usage;
      return 0;
    } else if (a == "--version") {
      printVersion("nix-build");
      return 0;
    } else if (a == "-E" || a == "--expr") targets.fromExpr = true;
    else if (a == "-A" || a == "--attr") targets.attrPaths.push_back(ap.value());
    else if (a == "--arg" || a == "--argstr") {
      std::string name = ap.value();
      targets.autoArgs.push_back({name, ap.value(), a == "--argstr"});
    } else if (a == "-I" || a == "--include") includes.push_back(ap.value());
    else if (a == "-o" || a == "--out-link" || a == "--add-root") outLink = ap.value();
    else if (a == "--no-out-link" || a == "--no-link") noOutLink = true;
    else if (a == "--dry-run") dryRun = true;
    else if (a == "--check") mode = BuildMode::check;
    else if (a == "--repair") mode = BuildMode::repair;
    else if (a == "--show-trace") showTrace = true;
    else if (a == "--no-show-trace") showTrace = false;
    else if (a == "--drv-link") ap.value();
    else if (a == "--add-drv-link" || a == "--indirect" || a == "-Q" || a == "--no-build-output") {
    } else if (a == "--max-call-depth") {
      evalSettings.maxCallDepth = std::stoul(ap.value());
    } else if (!common.handle(ap)) {
      ap.unknownFlag();
    }
  }
  targets.readStdin = !targets.fromExpr && targets.files.size() == 1 && targets.files[0] == "-";

  Settings settings = common.load(SettingsHost::real(), std::cerr);
  if (settings.experimentalFeatures.count("pipe-operators")) evalSettings.lexer.pipeOperators = true;
  evalSettings.pureEval = settings.pureEval;
  evalSettings.home = getEnv("HOME");
  evalSettings.nixPath = makeNixPath(includes);
  evalSettings.showTrace = showTrace;
  growStackForEval();
  Settings buildSettings = settings;
  EvalSession session(std::move(settings), std::move(evalSettings), StoreWrites::allowed);

  std::vector<FoundDerivation> found;
  try {
    forEachEvalTarget(session.state(), targets, [&](Value& v, Bindings* autoArgs) {
      for (auto& d : getDerivations(session.state(), v, autoArgs)) found.push_back(std::move(d));
    });
  } catch (EvalError& e) {
    std::cerr << formatEvalError(e, showTrace, "nix-build") << std::endl;
    return 1;
  }

  LocalStore& store = requireLocalStore(*session.store(), "building");
  const StoreDir& dir = store.storeDir();
  // As Nix: one link prefix per derivation (result, result-2, ...), "-<output>" for outputs
  // other than out; links are made (sorted by name) once everything is built.
  std::vector<StorePath> drvs;
  std::map<StorePath, std::string> prefixes;
  std::map<std::string, StorePath> links;
  std::vector<StorePath> outPaths;
  for (auto& f : found) {
    StorePath drvPath = dir.parsePath(f.drvPath);
    drvs.push_back(drvPath);
    auto outputs = derivationOutputPaths(store, drvPath);
    auto out = outputs.find(f.outputName);
    if (out == outputs.end())
      throw Error("derivation '" + f.drvPath + "' does not have an output named '" + f.outputName + "'");
    auto [it, added] = prefixes.emplace(drvPath, outLink);
    if (added && prefixes.size() > 1) it->second += "-" + std::to_string(prefixes.size());
    std::string link = it->second;
    if (f.outputName != "out") link += "-" + f.outputName;
    links.insert_or_assign(link, out->second);
    outPaths.push_back(out->second);
  }

  if (dryRun) {
    printMissing(store, drvs, mode);
    return 0;
  }
  buildDerivations(store, buildSettings, drvs, mode);
  if (!noOutLink)
    for (auto& [link, path] : links) addPermRoot(store, path, link);
  for (auto& p : outPaths) std::cout << dir.printPath(p) << "\n";
  return 0;
}

} // namespace nixpp
