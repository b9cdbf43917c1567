// cli/installables.cc: see installables.h.
#include "cli/installables.h"

#include <iostream>

#include "cli/build_cli.h"
#include "cli/instantiate.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

bool InstallableArgs::handle(ArgParser& p) {
  const std::string& a = p.arg();
  if (a == "--expr") expr = p.value();
  else if (a == "-f" || a == "--file") file = p.value();
  else if (a == "--impure") impure = true;
  else if (a == "--show-trace") showTrace = true;
  else if (a == "--no-show-trace") showTrace = false;
  else if (a == "-I" || a == "--include") includes.push_back(p.value());
  else if (a == "--arg" || a == "--argstr") {
    std::string name = p.value();
    autoArgs.push_back({name, p.value(), a == "--argstr"});
  } else if (a == "--offline" || a == "--refresh" || a == "--no-write-lock-file") {
  } else return false;
  return true;
}

bool resolveInstallables(const InstallableArgs& ia, ArgParser& ap, Settings& settings,
                         std::unique_ptr<EvalSession>& session, std::vector<Target>& out) {
  if (ia.expr && ia.file) throw UsageError("'--file' and '--expr' are exclusive");
  if (ia.impure || ia.file) settings.pureEval = false;  // as Nix 2.8: --file is impure
  EvalSettings evalSettings;
  if (settings.experimentalFeatures.count("pipe-operators")) evalSettings.lexer.pipeOperators = true;
  evalSettings.pureEval = settings.pureEval;
  evalSettings.showTrace = ia.showTrace;
  evalSettings.home = getEnv("HOME");
  evalSettings.nixPath = makeNixPath(ia.includes);
  growStackForEval();
  session = std::make_unique<EvalSession>(settings, std::move(evalSettings), StoreWrites::allowed);
  if (!ia.expr && !ia.file) {
    if (ia.installables.empty()) ap.fail("nixpp needs '--file FILE', '--expr EXPR' or store paths as installables");
    Store& store = *session->store();
    for (auto& i : ia.installables) {
      bool flakeRef = i.find('#') != std::string::npos || (!i.starts_with("/") && !i.starts_with("."));
      if (flakeRef && !settings.experimentalFeatures.count("flakes"))
        throw Error("experimental Nix feature 'flakes' is disabled; use '--extra-experimental-features flakes' to override");
      if (flakeRef)
        throw Error("cannot use installable '" + i +
                    "': flakes are not supported by nixpp; use '--file FILE ATTRPATH', '--expr EXPR' or a store path");
      auto pi = parsePathInstallable(store, i);
      Target t;
      if (pi.path.isDerivation()) {
        t.drvPath = pi.path;
        t.outputs = pi.outputs;
      } else {
        t.path = pi.path;
      }
      out.push_back(std::move(t));
    }
    return true;
  }
  EvalTargets targets;
  targets.fromExpr = ia.expr.has_value();
  targets.files = {ia.expr ? *ia.expr : *ia.file};
  targets.readStdin = ia.file && *ia.file == "-";
  targets.attrPaths = ia.installables.empty() ? std::vector<std::string>{""} : ia.installables;
  targets.autoArgs = ia.autoArgs;
  EvalState& state = session->state();
  const StoreDir& dir = session->store()->storeDir();
  try {
    forEachEvalTarget(state, targets, [&](Value& v, Bindings* autoArgs) {
      for (auto& d : getDerivations(state, v, autoArgs))
        out.push_back(Target{dir.parsePath(d.drvPath), std::nullopt, std::set<std::string>{d.outputName}});
    });
  } catch (EvalError& e) {
    std::cout.flush();
    std::cerr << formatEvalError(e, ia.showTrace, "nix") << std::endl;
    return false;
  }
  return true;
}

} // namespace nixpp
