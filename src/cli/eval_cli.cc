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
  applyRestrictEval(evalSettings, settings);
  state_ = std::make_unique<EvalState>(io_, std::move(evalSettings));
}

EvalState& EvalSession::pureState() {
  if (state_->settings.pureEval) return *state_;
  if (!pureState_) {
    EvalSettings es = state_->settings;
    es.pureEval = true;
    pureState_ = std::make_unique<EvalState>(io_, std::move(es));
  }
  return *pureState_;
}

void applyRestrictEval(EvalSettings& evalSettings, const Settings& settings) {
  evalSettings.restrictEval = settings.restrictEval;
  evalSettings.allowedUris = settings.allowedUris;
}

void growStackForEval() {
  struct rlimit rl;
  const rlim_t want = rlim_t(64) << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
    setrlimit(RLIMIT_STACK, &rl);
  }
}

std::vector<std::string> makeNixPath(const std::vector<std::string>& includes) {
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
  // Entries are separated by ':'. As Nix 2.8's parseNixPath: where what follows the entry's '='
  // is a URL ("https://...", "channel:..."), its first ':' does not end the entry (a second one,
  // as in a port, still does, in Nix too).
  std::string env = getEnv("NIX_PATH");
  auto isUri = [](std::string_view s) {
    if (s.starts_with("channel:")) return true;
    auto pos = s.find("://");
    if (pos == std::string_view::npos) return false;
    auto scheme = s.substr(0, pos);
    return scheme == "http" || scheme == "https" || scheme == "file" || scheme == "channel" || scheme == "git" ||
           scheme == "s3" || scheme == "ssh";
  };
  for (size_t p = 0; p < env.size();) {
    size_t start = p, start2 = p;
    while (p < env.size() && env[p] != ':') {
      if (env[p] == '=') start2 = p + 1;
      ++p;
    }
    if (p == env.size()) {
      if (p != start) raw.push_back(env.substr(start));
      break;
    }
    if (isUri(std::string_view(env).substr(start2))) {
      ++p;
      while (p < env.size() && env[p] != ':') ++p;
    }
    if (p > start) raw.push_back(env.substr(start, p - start));
    ++p;
  }
  return raw;
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

std::string formatEvalError(const EvalError& e, bool showTrace, std::string_view program) {
  std::string body = e.render(showTrace);
  std::string out = body.starts_with("\n") ? "error:" + body : "error: " + body;
  // As Nix, whose usage errors end so wherever they are met.
  if (dynamic_cast<const EvalUsageError*>(&e) && !program.empty())
    out += "\nTry '" + std::string(program) + " --help' for more information.";
  return out;
}

} // namespace nixpp
