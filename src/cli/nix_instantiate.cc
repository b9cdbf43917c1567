// cli/nix_instantiate.cc: `nix-instantiate`. Implemented: --parse (print the AST of each
// expression as Nix does) and --eval [--strict] [--json|--xml] [-A ATTR] [--arg/--argstr].
// Instantiation (writing .drv files) and --find-file are not implemented yet.
#include <iostream>
#include <optional>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/eval_cli.h"
#include "cli/instantiate.h"
#include "expr/print.h"
#include "expr/ast.h"
#include "expr/base_env.h"
#include "expr/parser.h"
#include "store/gc_roots.h"
#include "store/local_store.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

const char* usage =
    "Usage: nix-instantiate [options...] [files...]\n"
    "       nix-instantiate --parse [-E EXPR | FILE | -]\n"
    "\n"
    "Options:\n"
    "  --parse             print the parsed expression instead of evaluating it\n"
    "  -E, --expr          interpret the arguments as Nix expressions, not file names\n"
    "  --eval              evaluate and print the result\n"
    "  --strict, --json, --xml, --no-location, -A ATTR, --arg NAME EXPR, --argstr NAME STR,\n"
    "  -I PATH, --show-trace, --extra-experimental-features FEATURES, --option NAME VALUE\n";


std::string dirOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

bool isDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A mode nixpp does not implement yet. Exit status 2, so that it is never mistaken for the
// status 1 of an evaluation error.
class NotImplemented : public Error {
public:
  using Error::Error;
  int exitStatus() const override { return 2; }
};

} // namespace

namespace {

int evalMain(const EvalTargets& targets, bool strict, bool json, bool xml, bool location, bool showTrace,
             EvalSettings evalSettings, Settings settings, InstantiateOptions* instantiate, StoreWrites writes) {
  int rootNr = 0;        // instantiation: roots made so far
  bool warned = false;   // instantiation: the --add-root warning was printed
  growStackForEval();
  evalSettings.showTrace = showTrace;
  EvalSession session(std::move(settings), std::move(evalSettings), writes);
  EvalState& state = session.state();
  if (instantiate) instantiate->flushStore = [&session] { session.store().flush(); };
  if (instantiate)
    instantiate->addRoot = [&session](const std::string& drvPath, const std::string& rootName) {
      auto* local = dynamic_cast<LocalStore*>(&*session.store());
      if (!local) return rootName;
      return addPermRoot(*local, local->storeDir().parsePath(drvPath), rootName);
    };
  try {
    forEachEvalTarget(state, targets, [&](Value& v, Bindings* args) {
      if (instantiate) {  // default mode: write the .drv files and print their paths
        instantiateValue(state, v, args, *instantiate, rootNr, warned, std::cout);
        return;
      }
      Value vRes;
      state.autoCallFunction(args, v, vRes);
      if (strict) state.forceValueDeep(vRes);
      else state.forceValue(vRes, noPos);
      std::string out;
      NixStringContext context;
      if (xml) out = printValueAsXml(state, vRes, location, context, noPos);
      else if (json) out = printValueAsJson(state, vRes, noPos, strict, context, false) + "\n";
      else {
        PrintOptions opts;
        opts.force = strict;
        out = printValue(state, vRes, opts) + "\n";
      }
      session.store().flush();  // what it shows is valid for others (--read-write-mode)
      std::cout << out;
      std::cout.flush();
    });
  } catch (EvalError& e) {
    std::cout.flush();
    std::cerr << formatEvalError(e, showTrace, "nix-instantiate") << std::endl;
    session.abandonState();
    return 1;
  }
  session.abandonState();
  return 0;
}

} // namespace

int nixInstantiateMain(Strings args) {
  ArgParser ap("nix-instantiate", std::move(args));
  bool parseOnly = false, fromExpr = false, evalOnly = false, findFile = false;
  std::optional<bool> readWrite;  // --read-write-mode / --readonly-mode
  bool strict = false, json = false, xml = false, location = true;
  std::optional<bool> showTraceFlag;  // --show-trace / --no-show-trace, else nix.conf's show-trace
  LexerOptions lexerOpts;
  Strings files, includes;
  std::string gcRoot;  // --add-root (instantiation)
  std::vector<std::string> attrPaths;
  std::vector<AutoArg> autoArgs;
  EvalSettings evalSettings;
  CommonFlags common(Frontend::legacy);
  auto addFeatures = [&](const std::string& v) {
    for (auto& f : tokenizeString(v)) {
      if (f == "pipe-operators") lexerOpts.pipeOperators = true;
      evalSettings.experimentalFeatures.insert(f);
    }
  };
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) {
      files.push_back(a);
      continue;
    }
    if (a == "--help") {
      std::cout << usage;
      return 0;
    } else if (a == "--version") {
      printVersion("nix-instantiate");
      return 0;
    } else if (a == "--parse") parseOnly = true;
    else if (a == "--eval" || a == "--eval-only") evalOnly = true;
    else if (a == "--find-file") findFile = true;
    else if (a == "-E" || a == "--expr") fromExpr = true;
    else if (a == "--strict") strict = true;
    else if (a == "--json") json = true;
    else if (a == "--xml") xml = true;
    else if (a == "--no-location") location = false;
    else if (a == "--show-trace") showTraceFlag = true;
    else if (a == "--no-show-trace") showTraceFlag = false;
    else if (a == "--read-write-mode") readWrite = true;
    else if (a == "--readonly-mode") readWrite = false;
    else if (a == "--dry-run" || a == "--impure" ||
             a == "--indirect" || a == "--raw") {
    } else if (a == "-A" || a == "--attr") {
      attrPaths.push_back(ap.value());
    } else if (a == "-I" || a == "--include") {
      includes.push_back(ap.value());
    } else if (a == "--max-call-depth") {
      evalSettings.maxCallDepth = std::stoul(ap.value());
    } else if (a == "--add-root") {
      gcRoot = ap.value();
    } else if (a == "--lint-url-literals" || a == "--lint-short-path-literals" ||
               a == "--lint-absolute-path-literals") {
      std::string level = ap.value();
      LexerOptions::Lint lint = level == "ignore" ? LexerOptions::Lint::ignore
                                : level == "warn" ? LexerOptions::Lint::warn
                                : level == "fatal" ? LexerOptions::Lint::fatal
                                                   : throw UsageError("invalid value '" + level + "' for '" + a +
                                                                      "': expected 'ignore', 'warn' or 'fatal'");
      (a == "--lint-url-literals"         ? lexerOpts.lintUrls
       : a == "--lint-short-path-literals" ? lexerOpts.lintShortPaths
                                           : lexerOpts.lintAbsolutePaths) = lint;
    } else if (a == "--arg" || a == "--argstr") {
      std::string name = ap.value();
      autoArgs.push_back({name, ap.value(), a == "--argstr"});
    } else if (a == "--extra-experimental-features" || a == "--experimental-features") {
      addFeatures(ap.value());
    } else if (!common.handle(ap)) {
      ap.unknownFlag();
    }
  }
  if (findFile) throw NotImplemented("'nix-instantiate --find-file' is not implemented yet in nixpp");
  if (!parseOnly) {
    Settings settings = common.load(SettingsHost::real(), std::cerr);
    if (settings.experimentalFeatures.count("pipe-operators")) lexerOpts.pipeOperators = true;
    evalSettings.experimentalFeatures.insert(settings.experimentalFeatures.begin(), settings.experimentalFeatures.end());
    evalSettings.lexer = lexerOpts;
    evalSettings.pureEval = settings.pureEval;
    evalSettings.home = getEnv("HOME");
    evalSettings.nixPath = makeNixPath(includes);
    EvalTargets targets;
    targets.fromExpr = fromExpr;
    targets.readStdin = !fromExpr && files.size() == 1 && files[0] == "-";
    targets.files = files;
    targets.attrPaths = attrPaths;
    targets.autoArgs = autoArgs;
    InstantiateOptions inst;
    inst.gcRoot = gcRoot;
    // As Nix: --eval does not write to the store (derivations and sources get their paths
    // computed only) unless --read-write-mode; --readonly-mode makes instantiation read-only too.
    bool readOnly = readWrite ? !*readWrite : evalOnly;
    bool showTrace = showTraceFlag.value_or(settings.showTrace);
    return evalMain(targets, strict, json, xml, location, showTrace, std::move(evalSettings), std::move(settings),
                    evalOnly ? nullptr : &inst, readOnly ? StoreWrites::readOnly : StoreWrites::allowed);
  }
  if (files.empty()) files.push_back(fromExpr ? "" : "./default.nix");

  SymbolTable symbols;
  PosTable positions;
  Arena arena;
  StaticEnv base = makeBaseEnv(symbols);
  std::string cwd = currentDir();
  for (auto& f : files) {
    Origin origin;
    std::string basePath = cwd;
    if (fromExpr) {
      origin.kind = Origin::Kind::String;
      origin.source = std::make_shared<std::string>(f);
    } else if (f == "-") {
      origin.kind = Origin::Kind::Stdin;
      origin.source = std::make_shared<std::string>(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::string path = canonPath(f.starts_with("/") ? f : cwd + "/" + f);
      if (isDirectory(path)) path += "/default.nix";
      origin.kind = Origin::Kind::File;
      origin.path = path;
      origin.source = std::make_shared<std::string>(readFile(path));
      basePath = dirOf(path);
    }
    uint32_t nr = positions.addOrigin(std::move(origin));
    ParseContext ctx{symbols, positions, arena, basePath, getEnv("HOME"), lexerOpts};
    Expr* e = parseNix(ctx, nr);
    bindVars(e, &base, symbols, positions);
    std::string out;
    showExpr(*e, symbols, out);
    out += '\n';
    std::cout << out;
  }
  std::cout.flush();
  return 0;
}

} // namespace nixpp
