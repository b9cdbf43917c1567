// cli/nix_eval.cc: `nix eval`: evaluates --expr EXPR or --file FILE, optionally selects an
// attribute path, applies --apply FUNC, and prints the result deeply forced as current Nix does
// (one line), as JSON (--json) or verbatim (--raw, no newline). Evaluation is pure by default
// (expr/restricted_io.h), --impure or --file lifting it as in Nix 2.8. Flake installables
// (`.#foo`, `nixpkgs#hello`) and --write-to are not supported: a clear error.
#include <iostream>
#include <iterator>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/eval_cli.h"
#include "expr/value_printer.h"
#include "expr/parser.h"
#include "expr/print.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

const char* evalUsage =
    "Usage: nix eval [option...] installable\n"
    "\n"
    "Evaluate a Nix expression and print the result.\n"
    "\n"
    "Options:\n"
    "  --expr EXPR         evaluate EXPR (the installable is then an attribute path)\n"
    "  -f, --file FILE     evaluate FILE (\"-\" for stdin; the installable is an attribute path)\n"
    "  --json              print the result as JSON\n"
    "  --raw               print a string result verbatim, without quotes or newline\n"
    "  --apply FUNC        apply the function FUNC to the result first\n"
    "  --arg NAME EXPR, --argstr NAME STRING, -I PATH, --impure, --show-trace, --read-only\n";


} // namespace

int nixEvalCommand(Strings args) {
  ArgParser ap("nix eval", std::move(args));
  std::optional<std::string> expr, file, apply;
  std::vector<std::string> installables, includes;
  std::vector<AutoArg> autoArgs;
  bool json = false, raw = false, impure = false, showTrace = false;
  CommonFlags common(Frontend::nixCommand);
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) installables.push_back(a);
    else if (a == "--help") {
      std::cout << evalUsage;
      return 0;
    } else if (a == "--expr") expr = ap.value();
    else if (a == "-f" || a == "--file") file = ap.value();
    else if (a == "--json") json = true;
    else if (a == "--raw") raw = true;
    else if (a == "--apply") apply = ap.value();
    else if (a == "--impure") impure = true;
    else if (a == "--show-trace") showTrace = true;
    else if (a == "--no-show-trace") showTrace = false;
    else if (a == "--read-only" || a == "--no-write-lock-file" || a == "--offline" || a == "--refresh") {
    } else if (a == "-I" || a == "--include") includes.push_back(ap.value());
    else if (a == "--arg" || a == "--argstr") {
      std::string name = ap.value();
      autoArgs.push_back({name, ap.value(), a == "--argstr"});
    } else if (a == "--write-to") {
      ap.value();
      throw Error("'nix eval --write-to' is not implemented yet in nixpp");
    } else if (!common.handle(ap)) ap.unknownFlag();
  }
  if (json && raw) throw UsageError("'--json' and '--raw' are mutually exclusive");
  if (expr && file) throw UsageError("'--file' and '--expr' are exclusive");
  if (installables.size() > 1) ap.fail("too many arguments");
  std::string attrPath = installables.empty() ? "" : installables[0];
  if (!expr && !file) {
    if (installables.empty()) ap.fail("nixpp's 'nix eval' needs '--expr EXPR' or '--file FILE' (flakes are not supported)");
    throw Error("cannot evaluate installable '" + attrPath +
                "': flakes are not supported by nixpp; use '--expr EXPR' or '--file FILE [ATTRPATH]'");
  }

  Settings settings = common.load(SettingsHost::real(), std::cerr);
  // As Nix 2.8 (a "backward compatibility hack" there): --file evaluates impurely.
  if (impure || file) settings.pureEval = false;
  EvalSettings evalSettings;
  if (settings.experimentalFeatures.count("pipe-operators")) evalSettings.lexer.pipeOperators = true;
  evalSettings.experimentalFeatures.insert(settings.experimentalFeatures.begin(), settings.experimentalFeatures.end());
  evalSettings.pureEval = settings.pureEval;
  evalSettings.showTrace = showTrace;
  evalSettings.home = getEnv("HOME");
  std::string cwd = currentDir();
  evalSettings.nixPath = makeNixPath(includes);
  growStackForEval();
  EvalSession session(std::move(settings), std::move(evalSettings));
  EvalState& state = session.state();
  try {
    Bindings* autoArgsSet = makeAutoArgs(state, autoArgs, cwd);
    Value vRoot;
    if (expr) state.eval(state.parseExprFromString(*expr, cwd), vRoot);
    else if (*file == "-") {
      std::string text(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>{});
      state.eval(state.parseExprFromString(std::move(text), cwd, Origin::Kind::Stdin), vRoot);
    } else {
      std::string path = *file;
      if (path.size() > 2 && path.starts_with("<") && path.ends_with(">"))
        path = state.findFile(path.substr(1, path.size() - 2), noPos);
      else path = canonPath(path.starts_with("/") ? path : cwd + "/" + path);
      state.evalFile(path, vRoot);
    }
    Value* v = &findAlongAttrPath(state, attrPath, autoArgsSet, vRoot);
    if (apply) {
      Value vFun;
      state.eval(state.parseExprFromString(*apply, cwd), vFun);
      Value* vRes = state.allocValue();
      state.callFunction(vFun, *v, *vRes, noPos);
      v = vRes;
    }
    std::string out;
    if (raw) {
      NixStringContext ctx;
      state.forceValue(*v, noPos);
      out = state.coerceToString(noPos, *v, ctx, "while generating the '--raw' output");
    } else if (json) {
      NixStringContext ctx;
      out = printValueAsJson(state, *v, noPos, true, ctx, false) + "\n";
    } else {
      out = printValueAsNix(state, *v, ValuePrinterOptions{}) + "\n";
    }
    session.store().flush();  // the .drv files it may show are valid for others
    std::cout << out;
    std::cout.flush();
  } catch (EvalError& e) {
    std::cout.flush();
    std::cerr << formatEvalError(e, showTrace, "nix") << std::endl;
    return 1;
  }
  return 0;
}

} // namespace nixpp
