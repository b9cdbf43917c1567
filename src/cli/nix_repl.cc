// cli/nix_repl.cc: `nix repl`: a read-eval-print loop. Lines are expressions (printed one
// level deep, as Nix's repl does), `name = expr` bindings, or commands (:l FILE, :p EXPR,
// :t EXPR, :q, :?). Input that ends in the middle of an expression continues on the next line.
// On a terminal, lines are read with libedit (history, tab completion of variables and
// attribute paths); otherwise stdin is read line by line and each line is echoed after the
// prompt, as Nix's repl does over a pipe. Colours are used only when stdout is a terminal.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <unistd.h>

#include <editline/readline.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/eval_cli.h"
#include "expr/value_printer.h"
#include "expr/parser.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/version.h"

namespace nixpp {

namespace {

const char* replHelp =
    "The following commands are available:\n"
    "\n"
    "  <expr>                       Evaluate and print expression\n"
    "  <x> = <expr>                 Bind expression to variable\n"
    "  :?, :help                    Brings up this help menu\n"
    "  :l, :load <path>             Load Nix expression and add it to scope\n"
    "  :p, :print <expr>            Evaluate and print expression recursively\n"
    "  :q, :quit                    Exit nix-repl\n"
    "  :t <expr>                    Describe result of evaluation\n";

// The repl's scope: the variables bound so far, above the builtins. Each change rebuilds the
// static and runtime environments (earlier expressions keep the environments they were bound in).
class Repl {
public:
  Repl(EvalState& state, std::string cwd, bool colour) : state_(state), cwd_(std::move(cwd)), colour_(colour) {
    rebuild();
  }

  // Handles one complete input. Returns false to quit. Throws EvalError (and ParseError).
  bool processLine(const std::string& line);
  // The completions of `prefix` (a variable name, or "a.b.pre" for attributes).
  std::vector<std::string> complete(const std::string& prefix);
  // Adds the attributes of `v` (a set) to the scope.
  void addAttrs(Value& v);

  Env* env_ = nullptr;  // kept in this stack object so that the GC sees it

private:
  void addVar(const std::string& name, Value* v) {
    vars_[name] = v;
    rebuild();
  }
  void rebuild();
  Expr* parse(const std::string& text);
  void evalString(const std::string& text, Value& v);
  void print(Value& v, size_t depth);

  EvalState& state_;
  std::string cwd_;
  bool colour_;
  std::map<std::string, Value*> vars_;  // the values are also in env_, which keeps them alive
  StaticEnv staticEnv_;
  std::vector<std::unique_ptr<Arena>> arenas_;
};

void Repl::rebuild() {
  staticEnv_ = StaticEnv{};
  staticEnv_.up = &state_.staticBaseEnv();
  Env& env = state_.allocEnv(vars_.size());
  env.up = &state_.baseEnv();
  uint32_t displ = 0;
  for (auto& [name, v] : vars_) {
    staticEnv_.vars.emplace_back(state_.symbol(name), displ);
    env.values[displ++] = v;
  }
  staticEnv_.sort();
  env_ = &env;
}

Expr* Repl::parse(const std::string& text) {
  Origin origin;
  origin.kind = Origin::Kind::String;
  origin.source = std::make_shared<std::string>(text);
  uint32_t nr = state_.positions.addOrigin(std::move(origin));
  arenas_.push_back(std::make_unique<Arena>());
  ParseContext ctx{state_.symbols, state_.positions, *arenas_.back(), cwd_, state_.settings.home,
                   state_.settings.lexer};
  Expr* e = parseNix(ctx, nr);
  bindVars(e, &staticEnv_, state_.symbols, state_.positions);
  return e;
}

void Repl::evalString(const std::string& text, Value& v) {
  Expr* e = parse(text);
  state_.eval(*env_, e, v);
  state_.forceValue(v, noPos);
}

void Repl::print(Value& v, size_t depth) {
  ValuePrinterOptions opts;
  opts.maxDepth = depth;
  opts.prettyIndent = 2;
  opts.errorsAtTopLevelOnly = true;
  std::string out = printValueAsNix(state_, v, opts);
  (void)colour_;  // TODO: Nix colours values (ANSI) in the repl
  std::cout << out << "\n\n";
}

void Repl::addAttrs(Value& v) {
  Bindings* b = state_.forceAttrs(v, noPos, "while evaluating the set to load into the repl");
  for (auto& a : *b) vars_[std::string(state_.name(a.name))] = a.value;
  rebuild();
  std::cout << "Added " << b->size << " variables.\n\n";
}

bool isIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '\'' || c == '-';
}

bool Repl::processLine(const std::string& line0) {
  std::string line(trim(line0));
  if (line.empty()) return true;
  if (line[0] == ':') {
    auto sp = line.find_first_of(" \t");
    std::string cmd = line.substr(0, sp);
    std::string arg = sp == std::string::npos ? "" : std::string(trim(line.substr(sp)));
    if (cmd == ":q" || cmd == ":quit") return false;
    if (cmd == ":?" || cmd == ":help") {
      std::cout << replHelp << "\n";
    } else if (cmd == ":l" || cmd == ":load") {
      std::string path = arg;
      if (path.size() > 2 && path.starts_with("<") && path.ends_with(">"))
        path = state_.findFile(path.substr(1, path.size() - 2), noPos);
      else path = canonPath(path.starts_with("/") ? path : cwd_ + "/" + path);
      Value* v = state_.allocValue();
      state_.evalFile(path, *v);
      Value* vRes = state_.allocValue();
      state_.autoCallFunction(state_.allocBindings(0), *v, *vRes);
      addAttrs(*vRes);
    } else if (cmd == ":p" || cmd == ":print") {
      Value v;
      evalString(arg, v);
      if (v.type() == ValueType::String) std::cout << v.string_view() << "\n\n";
      else print(v, SIZE_MAX);
    } else if (cmd == ":t") {
      Value v;
      evalString(arg, v);
      std::cout << state_.showType(v) << "\n\n";
    } else {
      throw Error("unknown command '" + cmd + "'");
    }
    return true;
  }
  // `name = expr` (but not `a == b`).
  size_t i = 0;
  while (i < line.size() && isIdentChar(line[i])) ++i;
  size_t j = i;
  while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
  if (i > 0 && !std::isdigit(static_cast<unsigned char>(line[0])) && j < line.size() && line[j] == '=' &&
      (j + 1 >= line.size() || line[j + 1] != '=')) {
    std::string name = line.substr(0, i);
    Expr* e = parse(line.substr(j + 1));
    Value* v = state_.maybeThunk(*env_, e);
    addVar(name, v);
    std::cout << "\n";
    return true;
  }
  Value v;
  evalString(line, v);
  print(v, 1);
  return true;
}

std::vector<std::string> Repl::complete(const std::string& prefix) {
  std::vector<std::string> out;
  auto dot = prefix.rfind('.');
  if (dot == std::string::npos) {
    for (auto& [name, v] : vars_)
      if (name.starts_with(prefix)) out.push_back(name);
    for (auto& [sym, displ] : state_.staticBaseEnv().vars) {
      std::string name(state_.name(sym));
      if (name.starts_with(prefix) && !name.starts_with("__")) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  std::string expr = prefix.substr(0, dot), cur = prefix.substr(dot + 1);
  try {
    Value v;
    evalString(expr, v);
    if (v.type() != ValueType::Attrs) return out;
    for (auto& a : *v.attrs()) {
      std::string name(state_.name(a.name));
      if (name.starts_with(cur)) out.push_back(expr + "." + name);
    }
  } catch (Error&) {
  }
  std::sort(out.begin(), out.end());
  return out;
}

Repl* activeRepl = nullptr;

// libedit's completion generator: called with state 0, 1, 2... until it returns null.
char* completionGenerator(const char* text, int state) {
  static std::vector<std::string> matches;
  static size_t next = 0;
  if (state == 0) {
    matches = activeRepl ? activeRepl->complete(text) : std::vector<std::string>{};
    next = 0;
  }
  if (next >= matches.size()) return nullptr;
  return strdup(matches[next++].c_str());
}

// Nix's parser says "unexpected end of file" when the input stops inside an expression: the
// repl then reads another line.
bool isIncomplete(const EvalError& e) {
  return e.message().find("unexpected end of file") != std::string::npos;
}

} // namespace

int nixReplCommand(Strings args) {
  ArgParser ap("nix repl", std::move(args));
  std::vector<std::string> includes, files;
  std::vector<AutoArg> autoArgs;
  bool impure = false, showTrace = false;
  CommonFlags common(Frontend::nixCommand);
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) files.push_back(a);
    else if (a == "--help") {
      std::cout << "Usage: nix repl [option...] [files...]\n\nStart an interactive environment for evaluating "
                   "Nix expressions.\n\n"
                << replHelp;
      return 0;
    } else if (a == "--impure") impure = true;
    else if (a == "--show-trace") showTrace = true;
    else if (a == "-I" || a == "--include") includes.push_back(ap.value());
    else if (a == "--file" || a == "-f") files.push_back(ap.value());
    else if (a == "--arg" || a == "--argstr") {
      std::string name = ap.value();
      autoArgs.push_back({name, ap.value(), a == "--argstr"});
    } else if (!common.handle(ap)) ap.unknownFlag();
  }
  Settings settings = common.load(SettingsHost::real(), std::cerr);
  // Nix's repl is impure by default (forceImpureByDefault): --impure changes nothing.
  (void)impure;
  settings.pureEval = false;
  EvalSettings evalSettings;
  if (settings.experimentalFeatures.count("pipe-operators")) evalSettings.lexer.pipeOperators = true;
  evalSettings.experimentalFeatures.insert(settings.experimentalFeatures.begin(), settings.experimentalFeatures.end());
  evalSettings.showTrace = showTrace;
  evalSettings.home = getEnv("HOME");
  std::string cwd = currentDir();
  evalSettings.nixPath = makeNixPath(includes);
  growStackForEval();
  EvalSession session(std::move(settings), std::move(evalSettings));
  EvalState& state = session.state();
  bool tty = isatty(STDIN_FILENO);
  Repl repl(state, cwd, isatty(STDOUT_FILENO));
  activeRepl = &repl;

  std::cout << "Welcome to Nix " << nixCompatVersion << ". Type :? for help.\n\n";
  auto report = [&](auto&& body) {
    try {
      body();
    } catch (EvalError& e) {
      std::cout.flush();
      std::cerr << formatEvalError(e, showTrace) << std::endl;
      std::cout << "\n";  // the blank line after each answer, as on success
    } catch (Error& e) {
      std::cout.flush();
      std::cerr << "error: " << e.what() << std::endl;
      std::cout << "\n";
    }
  };
  try {
    Bindings* argsSet = makeAutoArgs(state, autoArgs, cwd);
    for (auto& f : files)
      report([&] {
        Value* v = state.allocValue();
        state.evalFile(canonPath(f.starts_with("/") ? f : cwd + "/" + f), *v);
        Value* vRes = state.allocValue();
        state.autoCallFunction(argsSet, *v, *vRes);
        repl.addAttrs(*vRes);
      });
  } catch (EvalError& e) {
    std::cerr << formatEvalError(e, showTrace) << "\n";
    return 1;
  }

  if (tty) {
    rl_readline_name = "nix-repl";
    rl_completion_entry_function = completionGenerator;
    rl_basic_word_break_characters = const_cast<char*>(" \t\n\"\\'`@$><=;|&{(");
  }
  std::string input;
  while (true) {
    const char* prompt = input.empty() ? "nix-repl> " : "          ";
    std::string line;
    if (tty) {
      std::cout.flush();
      char* l = readline(prompt);
      if (!l) {
        std::cout << "\n";
        break;
      }
      line = l;
      free(l);
      if (!trim(line).empty()) add_history(line.c_str());
    } else {
      std::cout << prompt;
      if (!std::getline(std::cin, line)) {
        std::cout << "\n";
        break;
      }
      std::cout << line << "\n";
    }
    input += line;
    bool quit = false, more = false;
    try {
      quit = !repl.processLine(input);
    } catch (ParseError& e) {
      if (isIncomplete(e) && !std::cin.eof()) more = true;
      else report([&] { throw; });
    } catch (Error&) {
      report([&] { throw; });
    }
    std::cout.flush();
    if (quit) break;
    if (more) input += "\n";
    else input.clear();
  }
  std::cout.flush();
  activeRepl = nullptr;
  return 0;
}

} // namespace nixpp
