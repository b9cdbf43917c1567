// cli/nix_instantiate.cc: `nix-instantiate`. Implemented: --parse (print the AST of each
// expression as Nix does). The evaluation modes (--eval, instantiation, --find-file) are
// recognised but report that they are not implemented yet.
#include <iostream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "expr/ast.h"
#include "expr/base_env.h"
#include "expr/parser.h"
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
    "  --eval              evaluate (not implemented yet)\n"
    "  --strict, --json, --xml, --no-location, -A ATTR, --arg NAME EXPR, --argstr NAME STR,\n"
    "  -I PATH, --show-trace, --extra-experimental-features FEATURES, --option NAME VALUE\n";

std::string currentDir() {
  char buf[4096];
  if (!getcwd(buf, sizeof buf)) throw SysError(errno, "getting the current directory");
  return buf;
}

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

int nixInstantiateMain(Strings args) {
  ArgParser ap("nix-instantiate", std::move(args));
  bool parseOnly = false, fromExpr = false, evalOnly = false, findFile = false;
  LexerOptions lexerOpts;
  Strings files;
  auto addFeatures = [&](const std::string& v) {
    for (auto& f : tokenizeString(v))
      if (f == "pipe-operators") lexerOpts.pipeOperators = true;
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
    else if (a == "--strict" || a == "--json" || a == "--xml" || a == "--no-location" || a == "--show-trace" ||
             a == "--no-show-trace" || a == "--read-write-mode" || a == "--readonly-mode" || a == "--dry-run" ||
             a == "--impure" || a == "--indirect" || a == "--raw") {
    } else if (a == "-A" || a == "--attr" || a == "-I" || a == "--include" || a == "--add-root" ||
               a == "--store" || a == "--max-call-depth" || a == "--lint-url-literals" ||
               a == "--lint-short-path-literals" || a == "--lint-absolute-path-literals") {
      ap.value();
    } else if (a == "--arg" || a == "--argstr") {
      ap.value();
      ap.value();
    } else if (a == "--extra-experimental-features" || a == "--experimental-features") {
      addFeatures(ap.value());
    } else if (a == "--option") {
      std::string name = ap.value(), value = ap.value();
      if (name == "experimental-features" || name == "extra-experimental-features") addFeatures(value);
    } else {
      ap.unknownFlag();
    }
  }
  if (findFile) throw NotImplemented("'nix-instantiate --find-file' is not implemented yet in nixpp");
  if (!parseOnly) {
    throw NotImplemented(std::string("'nix-instantiate") + (evalOnly ? " --eval'" : "' (instantiation)") +
                " is not implemented yet in nixpp; only --parse is");
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
