// expr/builtins/fetch.cc: fetchurl, fetchTarball, fetchGit and fetchTree. These parse their
// arguments as Nix does and hand a FetchRequest to EvalIo::fetch (glue/fetch.h does the work);
// a fetch with a known hash whose store path is already valid does no I/O (checked there).
#include "expr/builtins.h"
#include "expr/eval.h"
#include "format/hash.h"
#include "format/store_path.h"

namespace nixpp {

FetchResult EvalIo::fetch(const FetchRequest& req) {
  throw Error("cannot fetch '" + req.url + "' without a store");
}

namespace {

std::string baseNameOf(std::string_view url) {
  while (url.size() > 1 && url.back() == '/') url.remove_suffix(1);
  auto slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

// A hash argument as Nix's newHashAllowEmpty: "" means "any" (an all-zero sha256, so the fetch
// fails with the real hash in the message). Returned as an SRI string for EvalIo.
std::string parseHashArg(EvalState& st, PosIdx pos, std::string_view s, std::optional<HashAlgo> algo) {
  if (s.empty()) return Hash(algo.value_or(HashAlgo::sha256)).to_string(HashFormat::sri, true);
  return withPos(st, pos, [&] { return Hash::parseAny(s, algo).to_string(HashFormat::sri, true); });
}

void checkName(EvalState& st, PosIdx pos, const std::string& name) {
  withPos(st, pos, [&] { (void)StorePath(Hash(HashAlgo::sha1), name); });
}

// builtins.fetchurl and builtins.fetchTarball (Nix's `fetch` helper): a URL or { url, sha256 |
// hash, name }; the result is the store path as a string.
void fetchFileOrTarball(EvalState& st, PosIdx pos, Value& arg, Value& v, std::string_view who, bool unpack) {
  FetchRequest req;
  req.type = unpack ? FetchRequest::Type::tarball : FetchRequest::Type::file;
  std::string ctxMsg = "while evaluating the argument passed to builtins." + std::string(who);
  st.forceValue(arg, pos);
  if (arg.type() == ValueType::Attrs) {
    bool haveUrl = false;
    for (auto& a : *arg.attrs()) {
      std::string_view n = st.name(a.name);
      if (n == "url") {
        req.url = st.forceStringNoCtx(*a.value, a.pos, "while evaluating the url we should fetch");
        haveUrl = true;
      } else if (n == "sha256")
        req.hash = parseHashArg(st, a.pos, st.forceStringNoCtx(*a.value, a.pos, "while evaluating the sha256 of the content we should fetch"), HashAlgo::sha256);
      else if (n == "hash" && !unpack)
        req.hash = parseHashArg(st, a.pos, st.forceStringNoCtx(*a.value, a.pos, "while evaluating the hash of the content we should fetch"), std::nullopt);
      else if (n == "name")
        req.name = st.forceStringNoCtx(*a.value, a.pos, "while evaluating the name of the content we should fetch");
      else
        throw EvalError("unsupported argument '" + std::string(n) + "' to '" + std::string(who) + "'", st.pos(a.pos));
    }
    if (!haveUrl) throw EvalError("'url' argument required", st.pos(pos));
  } else {
    req.url = st.forceStringNoCtx(arg, pos, "while evaluating the url we should fetch");
  }
  req.url = resolveUri(req.url);  // as Nix 2.8: channel:NAME
  withPos(st, pos, [&] { st.checkUri(req.url); });  // restrict-eval's allowed-uris
  bool nameGiven = !req.name.empty();
  if (req.name.empty()) req.name = unpack ? "source" : baseNameOf(req.url);
  try {
    (void)StorePath(Hash(HashAlgo::sha1), req.name);
  } catch (Error& e) {
    // Nix's words: what is wrong with the name, and how to give a valid one.
    std::string why = e.what();
    std::string prefix = "store path '" + std::string(32, '0') + "-" + req.name + "'";
    if (why.starts_with(prefix)) why = "name '" + req.name + "'" + why.substr(prefix.size());
    std::string how = arg.type() != ValueType::Attrs
                          ? "Please pass an attribute set with 'url' and 'name' attributes to '" + std::string(who) +
                                "',  so that it can create a valid store path."
                      : nameGiven ? "Please change the value for the 'name' attribute passed to '" + std::string(who) +
                                        "', so that it can create a valid store path."
                                  : "Please add a valid 'name' attribute to the argument for '" + std::string(who) +
                                        "', so that it can create a valid store path.";
    throw EvalError("invalid store path name when fetching URL '" + req.url + "': " + why + ". " + how, st.pos(pos));
  }
  if (st.settings.pureEval && !req.hash)
    throw EvalError("in pure evaluation mode, '" + std::string(who) + "' requires a 'sha256' argument", st.pos(pos));
  FetchResult r = withPos(st, pos, [&] { return st.io.fetch(req); });
  st.mkString(v, r.storePath, {r.storePath});
}

void primFetchurl(EvalState& st, PosIdx pos, Value** args, Value& v) {
  fetchFileOrTarball(st, pos, *args[0], v, "fetchurl", false);
}

void primFetchTarball(EvalState& st, PosIdx pos, Value** args, Value& v) {
  fetchFileOrTarball(st, pos, *args[0], v, "fetchTarball", true);
}

// The attribute set fetchTree and fetchGit return.
void emitTreeAttrs(EvalState& st, const FetchRequest& req, const FetchResult& r, Value& v) {
  Bindings* b = st.allocBindings(r.attrs.size() + 3);
  Value* out = st.allocValue();
  st.mkString(*out, r.storePath, {r.storePath});
  b->push(st.symbol("outPath"), out);
  Value* nh = st.allocValue();
  st.mkString(*nh, r.narHash);
  b->push(st.symbol("narHash"), nh);
  for (auto& a : r.attrs) {
    Value* x = st.allocValue();
    if (a.number) x->mkInt(*a.number);
    else st.mkString(*x, a.text);
    b->push(st.symbol(a.name), x);
  }
  if (req.type == FetchRequest::Type::git) {
    Value* sm = st.allocValue();
    sm->mkBool(req.submodules);
    b->push(st.symbol("submodules"), sm);
  }
  b->sort();
  v.mkAttrs(b);
}

// A git URL argument: a path or string; local paths become file:// URLs.
std::string gitUrl(EvalState& st, PosIdx pos, Value& val) {
  NixStringContext ctx;
  std::string url = st.coerceToString(pos, val, ctx, "while evaluating the url of the repository", false, false);
  return url;
}

// fetchTree and fetchGit: `type` given (fetchGit) or read from the attributes (fetchTree).
void fetchTree(EvalState& st, PosIdx pos, Value& arg, Value& v, std::optional<FetchRequest::Type> fixedType,
               std::string_view who) {
  FetchRequest req;
  st.forceValue(arg, pos);
  std::string typeName = "git";
  if (arg.type() == ValueType::Attrs) {
    Bindings* attrs = arg.attrs();
    if (!fixedType) {
      const Attr* t = attrs->get(st.symbol("type"));
      if (!t) throw EvalError("attribute 'type' is missing in call to 'fetchTree'", st.pos(pos));
      typeName = st.forceStringNoCtx(*t->value, t->pos, "while evaluating the `type` attribute passed to builtins.fetchTree");
      if (typeName == "file") req.type = FetchRequest::Type::file;
      else if (typeName == "tarball") req.type = FetchRequest::Type::tarball;
      else if (typeName == "git") req.type = FetchRequest::Type::git;
      else if (typeName == "path") req.type = FetchRequest::Type::path;
      else throw EvalError("input type '" + typeName + "' is not supported by nixpp", st.pos(pos));
    } else req.type = *fixedType;
    bool git = req.type == FetchRequest::Type::git;
    bool haveUrl = false;
    for (auto& a : *attrs) {
      std::string_view n = st.name(a.name);
      std::string ctx = "while evaluating the `" + std::string(n) + "` attribute passed to builtins." + std::string(who);
      if (n == "type" && !fixedType) continue;
      st.forceValue(*a.value, a.pos);
      if (a.value->type() == ValueType::Int && a.value->integer() < 0)
        throw EvalError("negative value given for '" + std::string(who) + "' argument '" + std::string(n) +
                            "': " + std::to_string(a.value->integer()),
                        Pos{});
      if (n == "url" || (n == "path" && req.type == FetchRequest::Type::path)) {
        req.url = git || req.type == FetchRequest::Type::path ? gitUrl(st, a.pos, *a.value)
                                                               : std::string(st.forceStringNoCtx(*a.value, a.pos, ctx));
        haveUrl = true;
      } else if (n == "name") req.name = st.forceStringNoCtx(*a.value, a.pos, ctx);
      else if (n == "narHash")
        req.narHash = parseHashArg(st, a.pos, st.forceStringNoCtx(*a.value, a.pos, ctx), HashAlgo::sha256);
      else if (git && n == "rev") req.rev = st.forceStringNoCtx(*a.value, a.pos, ctx);
      else if (git && n == "ref") req.ref = st.forceStringNoCtx(*a.value, a.pos, ctx);
      else if (git && n == "shallow") req.shallow = st.forceBool(*a.value, a.pos, ctx);
      else if (git && n == "submodules") req.submodules = st.forceBool(*a.value, a.pos, ctx);
      else if (git && n == "allRefs") req.allRefs = st.forceBool(*a.value, a.pos, ctx);
      else if (n == "lastModified" || (git && n == "revCount")) st.forceInt(*a.value, a.pos, ctx);
      else if (git)
        throw EvalError("unsupported Git input attribute '" + std::string(n) + "'", st.pos(a.pos));
      else
        throw EvalError("unsupported " + typeName + " input attribute '" + std::string(n) + "'", st.pos(a.pos));
    }
    if (!haveUrl)
      throw EvalError(std::string(fixedType ? "'url' argument required" : "attribute 'url' is missing in call to 'fetchTree'"), st.pos(pos));
  } else if (!fixedType) {
    // A URL-like reference ("file:///x.tar.gz", "git+file:///repo?ref=main", "path:/p"): fetched
    // as the attribute set it stands for.
    std::string url(st.forceStringNoCtx(arg, pos, "while evaluating the argument passed to builtins.fetchTree"));
    try {
      Value attrs;
      flakeRefAttrs(st, pos, url, attrs);
      auto attr = [&](std::string_view name) -> std::string {
        const Attr* a = attrs.attrs()->get(st.symbol(name));
        return a && a->value->type() == ValueType::String ? std::string(a->value->string_view()) : "";
      };
      std::string type = attr("type");
      if (type == "indirect")
        throw EvalError("cannot fetch input '" + url + "' because it uses an indirect flake reference", Pos{});
      if ((type == "tarball" || type == "file") && attr("url").starts_with("file:") && !attr("url").starts_with("file:/"))
        throw EvalError(type + " '" + url + "' must use an absolute path. The 'file' scheme does not support relative paths.",
                        Pos{});
      return fetchTree(st, pos, attrs, v, std::nullopt, who);
    } catch (EvalError& e) {
      e.addTrace(Pos{}, "while fetching the input '" + url + "'");
      throw;
    }
  } else {
    req.type = *fixedType;
    req.url = gitUrl(st, pos, arg);
  }
  if (req.type != FetchRequest::Type::path) withPos(st, pos, [&] { st.checkUri(req.url); });  // as Nix's fixURI
  if (req.type == FetchRequest::Type::git && req.url.starts_with("/")) req.url = "file://" + req.url;
  if (req.rev && (req.rev->size() != 40 || req.rev->find_first_not_of("0123456789abcdef") != std::string::npos))
    throw EvalError("hash '" + *req.rev + "' is not a valid Git revision", st.pos(pos));
  if (req.name.empty()) req.name = "source";
  checkName(st, pos, req.name);
  req.emptyRevFallback = fixedType.has_value();
  // Pure evaluation fetches only locked inputs: a Git revision or a NAR hash. Nix 2.8's words
  // (for fetchGit too), without the ", at POS" it ends with: nixpp's builtins get no position
  // (as in current Nix); the "while calling" frame says where.
  if (st.settings.pureEval && !req.rev && !req.narHash)
    throw EvalError("in pure evaluation mode, 'fetchTree' requires a locked input", Pos{});
  FetchResult r = withPos(st, pos, [&] { return st.io.fetch(req); });
  emitTreeAttrs(st, req, r, v);
}

void primFetchGit(EvalState& st, PosIdx pos, Value** args, Value& v) {
  fetchTree(st, pos, *args[0], v, FetchRequest::Type::git, "fetchGit");
}

void primFetchTree(EvalState& st, PosIdx pos, Value** args, Value& v) {
  fetchTree(st, pos, *args[0], v, std::nullopt, "fetchTree");
}

} // namespace

void registerFetchBuiltins(BuiltinTable& t) {
  t.add("fetchurl", 1, primFetchurl);
  t.add("fetchTarball", 1, primFetchTarball);
  t.add("fetchGit", 1, primFetchGit);
  t.add("fetchTree", 1, primFetchTree);
}

} // namespace nixpp
