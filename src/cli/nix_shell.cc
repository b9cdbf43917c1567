// cli/nix_shell.cc: `nix-shell` as Nix 2.8: evaluates a file (default ./shell.nix, else
// ./default.nix), -E expressions or -p packages (`with import <nixpkgs> args;
// (pkgs.runCommandCC or pkgs.runCommand) "shell" { buildInputs = [ ... ]; } ""`) to one
// derivation, builds its inputs, and runs bash in its environment: the derivation's variables
// (passAsFile ones as files), IN_NIX_SHELL, NIX_BUILD_TOP/TMPDIR..., NIX_STORE, NIX_BUILD_CORES,
// then an rcfile that sources $stdenv/setup, keeps the caller's PATH after the derivation's
// (unless --pure), runs shellHook and then the --run / --command text. --pure starts from an
// environment with only Nix 2.8's kept variables (HOME, USER, PATH, TERM, ...) and --keep NAMEs.
// The shell is $NIX_BUILD_SHELL, else <nixpkgs>'s bashInteractive when it evaluates, else `bash`
// from PATH. Not supported: #! nix-shell scripts (-i), --exclude of outputs by regex on sources.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <set>

#include "cli/args.h"
#include "cli/build_cli.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/eval_cli.h"
#include "cli/instantiate.h"
#include "cli/nix_shell.h"
#include "format/derivation.h"
#include "store/build/build.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

extern char** environ;

namespace nixpp {

namespace {

const char* usage =
    "Usage: nix-shell [options...] [path]\n"
    "\n"
    "Start an interactive shell in the build environment of a derivation.\n"
    "\n"
    "Options:\n"
    "  -p, --packages      the arguments are packages of <nixpkgs> to put into the environment\n"
    "  -A, --attr PATH     the attribute PATH of the expression\n"
    "  -E, --expr          interpret the arguments as Nix expressions\n"
    "  --run CMD           run CMD non-interactively in the shell, then exit\n"
    "  --command CMD       run CMD in an interactive shell, then exit\n"
    "  --pure              clear the environment first (keeping HOME, USER, PATH, TERM, ...)\n"
    "  --keep NAME         keep the variable NAME with --pure\n"
    "  --arg NAME EXPR, --argstr NAME STR, -I PATH, --show-trace, --option NAME VALUE\n";

std::string shellEscape(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

std::string dirOf(const std::string& p) {
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

} // namespace

std::map<std::string, std::string> currentEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string s = *e;
    auto eq = s.find('=');
    if (eq != std::string::npos) env.emplace(s.substr(0, eq), s.substr(eq + 1));
  }
  return env;
}

[[noreturn]] void execWithEnv(const std::string& program, const Strings& args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> envStrs;
  for (auto& [k, v] : env) envStrs.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : envStrs) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  ::execvpe(program.c_str(), argv.data(), envp.data());
  throw SysError(errno, "unable to execute '" + program + "'");
}

[[noreturn]] void runShellEnvironment(ShellOptions& o) {
  LocalStore& store = *o.store;
  store.flush();  // the shell is exec'ed (no destructor runs): register the .drv files written
  const StoreDir& dir = store.storeDir();
  StorePath drvPath = dir.parsePath(o.drvPath);
  Derivation drv = parseDerivation(readFile(store.realPath(drvPath)), dir, derivationNameOf(drvPath));

  // Build the inputs (not the derivation itself).
  std::vector<StorePath> inputs;
  for (auto& [p, _] : drv.inputDrvs) {
    bool excluded = false;
    for (auto& re : o.exclude)
      if (std::regex_search(dir.printPath(p), std::regex(re))) excluded = true;
    if (!excluded) inputs.push_back(p);
  }
  if (!inputs.empty()) buildDerivations(store, o.settings, inputs, BuildMode::normal);
  for (auto& p : drv.inputSrcs)
    if (!store.isValidPath(p)) throw Error("path '" + dir.printPath(p) + "' is not valid");

  auto env = currentEnvironment();
  if (o.pure) {
    std::set<std::string> keep{"HOME", "XDG_RUNTIME_DIR", "USER", "LOGNAME", "DISPLAY", "WAYLAND_DISPLAY",
                               "WAYLAND_SOCKET", "PATH", "TERM", "IN_NIX_SHELL", "NIX_SHELL_PRESERVE_PROMPT",
                               "TZ", "PAGER", "NIX_BUILD_SHELL", "SHLVL", "http_proxy", "https_proxy",
                               "ftp_proxy", "all_proxy", "no_proxy"};
    keep.insert(o.keep.begin(), o.keep.end());
    std::map<std::string, std::string> kept;
    for (auto& [k, v] : env)
      if (keep.count(k)) kept.emplace(k, v);
    env = std::move(kept);
    env["__ETC_PROFILE_SOURCED"] = "1";  // NixOS: /etc/bashrc must not source /etc/profile
  }
  env["IN_NIX_SHELL"] = o.pure ? "pure" : "impure";
  std::string tmp = getEnv("TMPDIR", getEnv("XDG_RUNTIME_DIR", "/tmp"));
  env["NIX_BUILD_TOP"] = env["TMPDIR"] = env["TEMPDIR"] = env["TMP"] = env["TEMP"] = tmp;
  env["NIX_STORE"] = dir.to_string();
  env["NIX_BUILD_CORES"] = std::to_string(o.settings.cores);

  TempDir tmpDir(tmp, o.program);
  tmpDir.keep();  // the rcfile deletes it
  std::set<std::string> passAsFile;
  if (auto it = drv.env.find("passAsFile"); it != drv.env.end())
    for (auto& n : tokenizeString(it->second)) passAsFile.insert(n);
  bool keepTmp = false;
  int fileNr = 0;
  for (auto& [k, v] : drv.env) {
    if (passAsFile.count(k)) {
      keepTmp = true;
      std::string p = tmpDir.path() + "/.attr-" + std::to_string(fileNr++);
      writeFile(p, v);
      env[k + "Path"] = p;
    } else {
      env[k] = v;
    }
  }

  std::string shell = o.shell;
  std::string rcfile = tmpDir.path() + "/rc";
  std::string rc =
      "_nix_shell_clean_tmpdir() { command rm -rf " + shellEscape(tmpDir.path()) + "; }; " +
      (keepTmp ? "trap _nix_shell_clean_tmpdir EXIT; exitHooks+=(_nix_shell_clean_tmpdir); "
                 "failureHooks+=(_nix_shell_clean_tmpdir); "
               : "_nix_shell_clean_tmpdir; ") +
      (o.pure ? "" : "[ -n \"$PS1\" ] && [ -e ~/.bashrc ] && source ~/.bashrc;") + (o.pure ? "" : "p=$PATH; ") +
      "dontAddDisableDepTrack=1;\n"
      "\n[ -e $stdenv/setup ] && source $stdenv/setup; " +
      (o.pure ? "" : "PATH=$PATH:$p; unset p; ") + "PATH=" + shellEscape(dirOf(shell)) + ":\"$PATH\"; " +
      "SHELL=" + shellEscape(shell) + "; " +
      "set +e; "
      "[ -n \"$PS1\" -a -z \"$NIX_SHELL_PRESERVE_PROMPT\" ] && PS1='\\n\\[\\033[1;32m\\][nix-shell:\\w]\\$\\[\\033[0m\\] '; "
      "if [ \"$(type -t runHook)\" = function ]; then runHook shellHook; fi; "
      "unset NIX_ENFORCE_PURITY; "
      "shopt -u nullglob; "
      "unset TZ; " +
      (::getenv("TZ") ? "export TZ=" + shellEscape(::getenv("TZ")) + "; " : std::string()) +
      "shopt -s execfail;" + o.envCommand;
  writeFile(rcfile, rc);
  Strings args = o.interactive ? Strings{"bash", "--rcfile", rcfile} : Strings{"bash", rcfile};
  execWithEnv(shell, args, env);
}

std::string findShell(EvalState& state, LocalStore& store, const Settings& settings, const std::string& cwd) {
  if (auto s = ::getenv("NIX_BUILD_SHELL")) return s;
  try {
    Value v;
    state.eval(state.parseExprFromString("(import <nixpkgs> {}).bashInteractive", cwd), v);
    auto found = getDerivations(state, v, state.allocBindings(0));
    if (found.size() == 1) {
      StorePath drvPath = store.storeDir().parsePath(found[0].drvPath);
      buildDerivations(store, settings, {drvPath}, BuildMode::normal);
      auto outs = derivationOutputPaths(store, drvPath);
      if (auto it = outs.find(found[0].outputName); it != outs.end()) return store.storeDir().printPath(it->second) + "/bin/bash";
    }
  } catch (EvalError& e) {
    std::cerr << "warning: " << formatEvalError(e, false).substr(formatEvalError(e, false).find(':') + 2) << "\n";
  } catch (Error& e) {
    std::cerr << "warning: " << e.what() << "\n";
  }
  return "bash";
}

int nixShellMain(Strings argv) {
  ArgParser ap("nix-shell", std::move(argv));
  EvalTargets targets;
  Strings includes, exprs;
  bool packages = false, showTrace = false, pure = false;
  bool interactive = ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO);
  std::string envCommand;
  Strings keep, exclude;
  CommonFlags common(Frontend::legacy);
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) {
      exprs.push_back(a);
      continue;
    }
    if (a == "--help") {
      std::cout << usage;
      return 0;
    } else if (a == "--version") {
      printVersion("nix-shell");
      return 0;
    } else if (a == "-E" || a == "--expr") targets.fromExpr = true;
    else if (a == "-p" || a == "--packages") packages = true;
    else if (a == "-A" || a == "--attr") targets.attrPaths.push_back(ap.value());
    else if (a == "--arg" || a == "--argstr") {
      std::string name = ap.value();
      targets.autoArgs.push_back({name, ap.value(), a == "--argstr"});
    } else if (a == "-I" || a == "--include") includes.push_back(ap.value());
    else if (a == "--run" || a == "--command") {
      envCommand = ap.value() + "\nexit";
      if (a == "--run") interactive = false;
    } else if (a == "--pure") pure = true;
    else if (a == "--impure") pure = false;
    else if (a == "--keep") keep.push_back(ap.value());
    else if (a == "--exclude") exclude.push_back(ap.value());
    else if (a == "--show-trace") showTrace = true;
    else if (a == "-i") throw UsageError("nix-shell: '#! nix-shell -i' scripts are not supported by nixpp yet");
    else if (a == "--add-root" || a == "--drv-link" || a == "-o" || a == "--out-link") ap.value();
    else if (a == "--add-drv-link" || a == "--indirect" || a == "-Q" || a == "--no-build-output" ||
             a == "--no-out-link" || a == "--no-link") {
    } else if (!common.handle(ap)) {
      ap.unknownFlag();
    }
  }
  if (packages && targets.fromExpr) throw UsageError("'-p' and '-E' are mutually exclusive");
  std::string cwd = currentDir();
  if (packages) {
    std::string joined = "{...}@args: with import <nixpkgs> args; (pkgs.runCommandCC or pkgs.runCommand) \"shell\" { buildInputs = [ ";
    for (auto& e : exprs) joined += "(" + e + ") ";
    joined += "]; } \"\"";
    targets.fromExpr = true;
    targets.files = {joined};
  } else if (targets.fromExpr) {
    targets.files = exprs;
  } else {
    targets.files = exprs;
    if (targets.files.empty()) targets.files.push_back(pathExists(cwd + "/shell.nix") ? "shell.nix" : "default.nix");
  }
  targets.readStdin = !targets.fromExpr && targets.files.size() == 1 && targets.files[0] == "-";

  Settings settings = common.load(SettingsHost::real(), std::cerr);
  ::setenv("IN_NIX_SHELL", pure ? "pure" : "impure", 1);  // as Nix, visible to the evaluation (getEnv)
  EvalSettings evalSettings;
  evalSettings.pureEval = settings.pureEval;
  evalSettings.home = getEnv("HOME");
  evalSettings.nixPath = makeNixPath(includes);
  evalSettings.showTrace = showTrace;
  growStackForEval();
  Settings buildSettings = settings;
  EvalSession session(std::move(settings), std::move(evalSettings), StoreWrites::allowed);

  std::vector<FoundDerivation> found;
  std::string shell;
  try {
    forEachEvalTarget(session.state(), targets, [&](Value& v, Bindings* autoArgs) {
      for (auto& d : getDerivations(session.state(), v, autoArgs)) found.push_back(std::move(d));
    });
  } catch (EvalError& e) {
    std::cerr << formatEvalError(e, showTrace) << std::endl;
    return 1;
  }
  if (found.size() != 1) throw UsageError("nix-shell requires a single derivation");
  LocalStore& store = requireLocalStore(*session.store(), "nix-shell");
  ShellOptions o{.settings = buildSettings,
                 .store = &store,
                 .drvPath = found[0].drvPath,
                 .shell = findShell(session.state(), store, buildSettings, cwd),
                 .program = "nix-shell",
                 .pure = pure,
                 .interactive = interactive,
                 .envCommand = envCommand,
                 .keep = keep,
                 .exclude = exclude};
  runShellEnvironment(o);
}

} // namespace nixpp
