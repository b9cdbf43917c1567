// cli/nix_shell_cmd.cc: the new CLI's environments, on nixpp's installables (cli/installables.h:
// --file/--expr attribute paths and store paths; no flakes):
//  - `nix shell INSTALLABLES... [--command|-c CMD ARGS...]`: builds them and runs CMD (default
//    $SHELL, else bash) with each one's bin/ directory put before PATH, as Nix 2.8;
//  - `nix run INSTALLABLE [ARGS...]`: builds it and runs <out>/bin/<program> with ARGS, the
//    program being meta.mainProgram (for --file/--expr installables), else the derivation's
//    `pname`, else its name without the version;
//  - `nix develop INSTALLABLE [--command|-c CMD ARGS...]`: the build environment of the
//    derivation, as nix-shell gives it (cli/nix_shell.h), not Nix's get-env.sh capture.
#include <unistd.h>

#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/build_cli.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/get_drvs.h"
#include "cli/installables.h"
#include "cli/instantiate.h"
#include "cli/nix_shell.h"
#include "expr/names.h"
#include "format/derivation.h"
#include "store/build/build.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

std::string shellQuote(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

// The common front of the three commands: flags, installables, a store, the targets built.
struct Resolved {
  std::unique_ptr<EvalSession> session;
  LocalStore* store = nullptr;
  std::vector<Target> targets;
  std::vector<StorePath> outPaths;  // the outputs asked for, in order
  Strings command;                  // after --command / -c (or the program's args for nix run)
  Settings settings;
  InstallableArgs ia;
};

// Parses `args`; positional arguments are installables until `firstIsOnly` has taken one (nix
// run: the rest are the program's arguments).
bool resolve(const std::string& program, Strings args, bool firstIsOnly, bool build, Resolved& r, const char* usage) {
  ArgParser ap(program, std::move(args));
  InstallableArgs& ia = r.ia;
  CommonFlags common(Frontend::nixCommand);
  bool inCommand = false;
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (inCommand) {
      r.command.push_back(a);
      continue;
    }
    if (!ap.isFlag()) {
      if (firstIsOnly && !ia.installables.empty()) r.command.push_back(a);
      else ia.installables.push_back(a);
    } else if (a == "--help") {
      std::cout << usage;
      return false;
    } else if (!firstIsOnly && (a == "--command" || a == "-c")) {
      inCommand = true;
      // Everything after it is the command, flags included.
      const auto& all = ap.allArgs();
      for (size_t i = ap.position(); i < all.size(); ++i) r.command.push_back(all[i]);
      while (ap.next()) {
      }
      if (r.command.empty()) throw UsageError("'" + a + "' requires at least one argument");
    } else if (ia.handle(ap)) {
    } else if (!common.handle(ap)) ap.unknownFlag();
  }
  if (ia.installables.empty()) throw UsageError("'" + program + "' requires an installable");
  if (firstIsOnly && ia.installables.size() != 1) throw UsageError("'" + program + "' requires exactly one installable");
  r.settings = common.load(SettingsHost::real(), std::cerr);
  if (!resolveInstallables(ia, ap, r.settings, r.session, r.targets)) throw Error("evaluation failed");
  r.store = &requireLocalStore(*r.session->store(), program);
  if (!build) return true;
  std::vector<StorePath> drvs;
  for (auto& t : r.targets)
    if (t.drvPath) drvs.push_back(*t.drvPath);
  if (!drvs.empty()) buildDerivations(*r.store, r.settings, drvs, BuildMode::normal);
  const StoreDir& dir = r.store->storeDir();
  for (auto& t : r.targets) {
    if (t.path) {
      if (!r.store->isValidPath(*t.path)) throw Error("path '" + dir.printPath(*t.path) + "' is not valid");
      r.outPaths.push_back(*t.path);
      continue;
    }
    auto all = derivationOutputPaths(*r.store, *t.drvPath);
    // Nix's default outputs for these commands: "out" (or the first), unless ^outputs given.
    if (t.outputs) {
      for (auto& o : *t.outputs) {
        auto it = all.find(o);
        if (it == all.end()) throw Error("derivation '" + dir.printPath(*t.drvPath) + "' does not have an output named '" + o + "'");
        r.outPaths.push_back(it->second);
      }
    } else if (all.count("out")) {
      r.outPaths.push_back(all.at("out"));
    } else if (!all.empty()) {
      r.outPaths.push_back(all.begin()->second);
    }
  }
  return true;
}

const char* shellUsage =
    "Usage: nix shell INSTALLABLES... [--command CMD ARGS...]\n"
    "Run a shell (or CMD) in which the installables' programs are on PATH.\n"
    "  --file FILE, --expr EXPR, -I PATH, --arg NAME EXPR, --argstr NAME STR\n";
const char* runUsage =
    "Usage: nix run INSTALLABLE [ARGS...]\n"
    "Build the installable and run its program (bin/<pname or name without version>) with ARGS.\n"
    "  --file FILE, --expr EXPR, -I PATH, --arg NAME EXPR, --argstr NAME STR\n";
const char* developUsage =
    "Usage: nix develop INSTALLABLE [--command CMD ARGS...]\n"
    "Run bash (or CMD) in the build environment of the derivation, as nix-shell.\n"
    "  --file FILE, --expr EXPR, -I PATH, --arg NAME EXPR, --argstr NAME STR\n";

} // namespace

int nixShellCommand(Strings args) {
  Resolved r;
  if (!resolve("nix shell", std::move(args), false, true, r, shellUsage)) return 0;
  const StoreDir& dir = r.store->storeDir();
  std::string additions;
  for (auto& p : r.outPaths) {
    std::string bin = dir.printPath(p) + "/bin";
    if (pathExists(r.store->realPath(p) + "/bin")) additions += (additions.empty() ? "" : ":") + bin;
  }
  auto env = currentEnvironment();
  std::string path = env.count("PATH") ? env["PATH"] : "";
  env["PATH"] = additions + (path.empty() ? "" : ":" + path);
  Strings command = r.command;
  if (command.empty()) command.push_back(getEnv("SHELL", "bash"));
  ::setenv("PATH", env["PATH"].c_str(), 1);  // execvpe searches the new PATH
  r.store->flush();  // exec runs no destructor: register the .drv files written
  execWithEnv(command[0], command, env);
}

int nixRunCommand(Strings args) {
  Resolved r;
  if (!resolve("nix run", std::move(args), true, true, r, runUsage)) return 0;
  const StoreDir& dir = r.store->storeDir();
  if (r.outPaths.empty()) throw Error("'nix run' found nothing to run");
  std::string program;
  auto& t = r.targets.front();
  if (t.drvPath && (r.ia.file || r.ia.expr)) {
    // meta.mainProgram, which only the evaluated derivation has.
    EvalTargets targets;
    targets.fromExpr = r.ia.expr.has_value();
    targets.files = {r.ia.expr ? *r.ia.expr : *r.ia.file};
    targets.attrPaths = r.ia.installables;
    targets.autoArgs = r.ia.autoArgs;
    EvalState& state = r.session->state();
    try {
      forEachEvalTarget(state, targets, [&](Value& v, Bindings* autoArgs) {
        DrvInfos infos;
        getDerivations(state, v, "", autoArgs, infos, false);
        if (program.empty() && !infos.empty()) program = infos.front().queryMetaString("mainProgram");
      });
    } catch (EvalError& e) {
      std::cerr << formatEvalError(e, r.ia.showTrace, "nix") << std::endl;
      return 1;
    }
  }
  if (!program.empty()) {
  } else if (t.drvPath) {
    Derivation drv = parseDerivation(readFile(r.store->realPath(*t.drvPath)), dir, derivationNameOf(*t.drvPath));
    if (auto it = drv.env.find("pname"); it != drv.env.end() && !it->second.empty()) program = it->second;
    else program = DrvName(drv.env.count("name") ? drv.env.at("name") : drv.name).name;
  } else {
    program = DrvName(std::string(r.outPaths.front().name())).name;
  }
  std::string exe = dir.printPath(r.outPaths.front()) + "/bin/" + program;
  if (!pathExists(r.store->realPath(r.outPaths.front()) + "/bin/" + program))
    throw Error("unable to execute '" + exe + "': No such file or directory");
  Strings argv{exe};
  argv.insert(argv.end(), r.command.begin(), r.command.end());
  r.store->flush();  // exec runs no destructor: register the .drv files written
  execWithEnv(exe, argv, currentEnvironment());
}

int nixDevelopCommand(Strings args) {
  Resolved r;
  if (!resolve("nix develop", std::move(args), false, false, r, developUsage)) return 0;
  if (r.targets.size() != 1 || !r.targets.front().drvPath) throw UsageError("'nix develop' requires a single derivation");
  std::string envCommand;
  if (!r.command.empty()) {
    for (auto& w : r.command) envCommand += (envCommand.empty() ? "" : " ") + shellQuote(w);
    envCommand += "\nexit";
  }
  ShellOptions o{.settings = r.settings,
                 .store = r.store,
                 .drvPath = r.store->storeDir().printPath(*r.targets.front().drvPath),
                 .shell = getEnv("NIX_BUILD_SHELL", "bash"),
                 .program = "nix-develop",
                 .pure = false,
                 .interactive = r.command.empty() && ::isatty(0) && ::isatty(2),
                 .envCommand = envCommand,
                 .keep = {},
                 .exclude = {}};
  runShellEnvironment(o);
}

} // namespace nixpp
