#include "cli/eval_cli.h"

#include <sys/resource.h>

#include <cstdlib>

#include "expr/parser.h"
#include "format/store_path.h"
#include "sys/file.h"
#include "util/strings.h"

namespace nixpp {

EvalSession::EvalSession(Settings settings, EvalSettings evalSettings, StoreWrites writes)
    : store_(settings), io_([this]() -> Store& { return *store_; }, settings.storeDir, writes, FileTransferSettings::from(settings)) {
  state_ = std::make_unique<EvalState>(io_, std::move(evalSettings));
}

void growStackForEval() {
  struct rlimit rl;
  const rlim_t want = rlim_t(64) << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
    setrlimit(RLIMIT_STACK, &rl);
  }
}

std::vector<std::string> makeNixPath(const std::vector<std::string>& includes, const std::string& cwd) {
  std::vector<std::string> raw = includes;
  if (!::getenv("NIX_PATH")) {
    // Nix 2.8's default nix-path: the user's channels, then root's, where they exist.
    std::string state = getEnv("NIX_STATE_DIR", "/nix/var/nix"), home = getEnv("HOME");
    auto add = [&](const std::string& path, const std::string& prefix) {
      if (pathExists(path)) raw.push_back(prefix.empty() ? path : prefix + "=" + path);
    };
    if (!home.empty()) add(home + "/.nix-defexpr/channels", "");
    add(state + "/profiles/per-user/root/channels/nixpkgs", "nixpkgs");
    add(state + "/profiles/per-user/root/channels", "");
  }
  std::string env = getEnv("NIX_PATH");
  // Entries are separated by ':', except inside URLs ("https://...").
  std::string cur;
  for (size_t i = 0; i <= env.size(); ++i) {
    if (i == env.size() || (env[i] == ':' && env.compare(i, 3, "://") != 0)) {
      if (!cur.empty()) raw.push_back(cur);
      cur.clear();
    } else cur += env[i];
  }
  std::vector<std::string> out;
  for (auto& e : raw) {
    auto eq = e.find('=');
    std::string prefix = eq == std::string::npos ? "" : e.substr(0, eq + 1);
    std::string path = eq == std::string::npos ? e : e.substr(eq + 1);
    if (!path.empty() && path[0] != '/' && path.find("://") == std::string::npos) path = canonPath(cwd + "/" + path);
    out.push_back(prefix + path);
  }
  return out;
}

Bindings* makeAutoArgs(EvalState& state, const std::vector<AutoArg>& args, const std::string& cwd) {
  Bindings* b = state.allocBindings(args.size());
  for (auto& a : args) {
    Value* v = state.allocValue();
    if (a.isString) state.mkString(*v, a.value);
    else v->mkThunk(&state.baseEnv(), state.parseExprFromString(a.value, cwd));
    Symbol name = state.symbol(a.name);
    bool replaced = false;
    for (auto& x : *b)
      if (x.name == name) {
        x.value = v;
        replaced = true;
      }
    if (!replaced) b->push(name, v);
  }
  b->sort();
  return b;
}

Value& findAlongAttrPath(EvalState& state, const std::string& attrPath, Bindings* autoArgs, Value& vIn) {
  Value* v = &vIn;
  if (attrPath.empty()) return *v;
  // Split on '.', honouring "quoted" components.
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (char c : attrPath) {
    if (c == '"') quoted = !quoted;
    else if (c == '.' && !quoted) {
      parts.push_back(cur);
      cur.clear();
    } else cur += c;
  }
  parts.push_back(cur);
  for (auto& part : parts) {
    if (part.empty()) throw Error("empty attribute name in selection path '" + attrPath + "'");
    Value* vNew = state.allocValue();
    state.autoCallFunction(autoArgs, *v, *vNew);
    v = vNew;
    state.forceValue(*v, noPos);
    bool isIndex = std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (isIndex) {
      if (v->type() != ValueType::List)
        throw TypeError("the expression selected by the selection path '" + attrPath + "' should be a list but is " +
                            state.showType(*v),
                        Pos{});
      size_t n = std::stoul(part);
      if (n >= v->listSize()) throw Error("list index " + part + " in selection path '" + attrPath + "' is out of range");
      v = v->listElems()[n];
    } else {
      if (v->type() != ValueType::Attrs)
        throw TypeError("the expression selected by the selection path '" + attrPath + "' should be a set but is " +
                            state.showType(*v),
                        Pos{});
      auto* a = v->attrs()->get(state.symbol(part));
      if (!a) throw Error("attribute '" + part + "' in selection path '" + attrPath + "' not found");
      v = a->value;
    }
  }
  return *v;
}

std::string formatEvalError(const EvalError& e, bool showTrace) {
  std::string body = e.render(showTrace);
  if (body.starts_with("\n")) return "error:" + body;
  return "error: " + body;
}

} // namespace nixpp
