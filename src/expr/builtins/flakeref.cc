// expr/builtins/flakeref.cc: builtins.parseFlakeRef and builtins.flakeRefToString, the
// conversions between a flake reference's URL form ("github:NixOS/nixpkgs/23.05?dir=lib") and
// its attribute set form ({ type = "github"; owner = "NixOS"; ... }). Pure string work: no
// fetching, no registry. Both need the experimental feature 'flakes', as in Nix.
//
// Types understood: indirect ("nixpkgs/ref", "flake:id"), github / gitlab / sourcehut, git+<url>,
// path ("path:/p" or an absolute path), tarball / file (http(s) URLs, "tarball+..." / "file+...").
#include <cctype>
#include <map>
#include <variant>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/parser.h"
#include "util/strings.h"

namespace nixpp {

namespace {

// A flake reference's attributes (Nix's fetchers::Attrs): strings, unsigned integers, Booleans.
using AttrValue = std::variant<std::string, uint64_t, bool>;
using FlakeAttrs = std::map<std::string, AttrValue>;

NIXPP_DECLARE_ERROR(BadFlakeRef, Error);

bool isHex40(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A git ref name as Nix accepts it (roughly git check-ref-format: no "..", no control or special
// characters, not starting with '-' or '.').
bool isValidRef(std::string_view s) {
  if (s.empty() || s[0] == '-' || s[0] == '.' || s.find("..") != std::string_view::npos || s.ends_with(".lock") ||
      s.ends_with("/") || s.ends_with("."))
    return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f || std::string_view(" ~^:?*[\\").find(char(c)) != std::string_view::npos) return false;
  return true;
}

bool isFlakeId(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  return true;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else out += s[i];
  }
  return out;
}

// Appends "?k=v&..." (percent-encoded) for `params` to `url`, nothing when there are none.
void appendQuery(std::string& url, const std::map<std::string, std::string>& params) {
  char sep = '?';
  for (auto& [k, v] : params) {
    url += sep + percentEncode(k) + "=" + percentEncode(v);
    sep = '&';
  }
}

// "a=1&b=2" -> {a: 1, b: 2}
std::map<std::string, std::string> parseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  for (auto& kv : splitString(q, '&')) {
    if (kv.empty()) continue;
    auto eq = kv.find('=');
    if (eq == std::string::npos) out[percentDecode(kv)] = "";
    else out[percentDecode(kv.substr(0, eq))] = percentDecode(kv.substr(eq + 1));
  }
  return out;
}

// Query parameters become attributes; the integer and Boolean ones get their types.
void addParams(FlakeAttrs& attrs, const std::map<std::string, std::string>& params, std::string_view url) {
  for (auto& [k, v] : params) {
    if (k == "lastModified" || k == "revCount") {
      try {
        size_t used = 0;
        uint64_t n = std::stoull(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
        attrs[k] = n;
      } catch (std::exception&) {
        throw BadFlakeRef("invalid value '" + v + "' of parameter '" + k + "' in flake reference '" + std::string(url) + "'");
      }
    } else if (k == "shallow" || k == "submodules" || k == "allRefs" || k == "exportIgnore" || k == "lfs" ||
               k == "verifyCommit") {
      attrs[k] = v == "1" || v == "true";
    } else attrs[k] = v;
  }
}

FlakeAttrs parseFlakeRef(const std::string& url) {
  std::string_view main = url, query;
  if (auto q = url.find('?'); q != std::string::npos) {
    main = std::string_view(url).substr(0, q);
    query = std::string_view(url).substr(q + 1);
  }
  if (main.find('#') != std::string_view::npos || query.find('#') != std::string_view::npos)
    throw BadFlakeRef("unexpected fragment in flake reference '" + url + "'");
  auto params = parseQuery(query);
  FlakeAttrs attrs;

  // Indirect: "nixpkgs", "nixpkgs/ref", "nixpkgs/ref/rev", "flake:nixpkgs...".
  std::string_view indirect = main;
  if (indirect.starts_with("flake:")) indirect.remove_prefix(6);
  if (!indirect.empty() && indirect.find(':') == std::string_view::npos && indirect[0] != '/' && indirect[0] != '.') {
    auto parts = splitString(indirect, '/');
    if (isFlakeId(parts[0]) && parts.size() <= 3) {
      attrs["type"] = std::string("indirect");
      attrs["id"] = parts[0];
      for (size_t i = 1; i < parts.size(); ++i) {
        if (isHex40(parts[i])) attrs["rev"] = parts[i];
        else if (i == 1 && isValidRef(parts[i])) attrs["ref"] = parts[i];
        else throw BadFlakeRef("in flake URL '" + url + "', '" + parts[i] + "' is not a valid Git reference or commit hash");
      }
      addParams(attrs, params, url);
      return attrs;
    }
  }

  // Absolute paths.
  if (main.starts_with("/")) {
    attrs["type"] = std::string("path");
    attrs["path"] = canonPath(percentDecode(main));
    addParams(attrs, params, url);
    return attrs;
  }

  auto colon = main.find(':');
  if (colon == std::string_view::npos) throw BadFlakeRef("'" + url + "' is not a valid flake reference");
  std::string scheme(main.substr(0, colon));
  std::string_view rest = main.substr(colon + 1);

  if (scheme == "github" || scheme == "gitlab" || scheme == "sourcehut") {
    auto parts = splitString(rest, '/');
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
      throw BadFlakeRef("'" + url + "' is not a valid URL");
    attrs["type"] = scheme;
    attrs["owner"] = percentDecode(parts[0]);
    attrs["repo"] = percentDecode(parts[1]);
    if (parts.size() == 3) {
      std::string r = percentDecode(parts[2]);
      if (isHex40(r)) attrs["rev"] = r;
      else if (isValidRef(r)) attrs["ref"] = r;
      else throw BadFlakeRef("in URL '" + url + "', '" + r + "' is not a commit hash or branch/tag name");
    }
    if ((params.count("ref") && attrs.count("ref")) || (params.count("rev") && attrs.count("rev")) ||
        (params.count("ref") && attrs.count("rev")) || (params.count("rev") && attrs.count("ref")))
      throw BadFlakeRef("URL '" + url + "' already contains a ref or rev");
    addParams(attrs, params, url);
    return attrs;
  }
  if (scheme == "path") {
    attrs["type"] = std::string("path");
    attrs["path"] = percentDecode(rest);
    addParams(attrs, params, url);
    return attrs;
  }
  if (scheme.starts_with("git+")) {
    attrs["type"] = std::string("git");
    std::string u = std::string(main.substr(4));
    // Parameters that are not the git input's own stay in the URL, as in Nix.
    static const char* own[] = {"ref", "rev", "shallow", "submodules", "allRefs", "lastModified", "revCount",
                                "narHash", "name", "dir", "exportIgnore", "lfs", "keytype", "publicKey",
                                "publicKeys", "verifyCommit"};
    std::map<std::string, std::string> kept, urlParams;
    for (auto& [k, v] : params) {
      bool isOwn = false;
      for (auto* o : own) isOwn = isOwn || k == o;
      (isOwn ? kept : urlParams)[k] = v;
    }
    appendQuery(u, urlParams);
    attrs["url"] = u;
    addParams(attrs, kept, url);
    return attrs;
  }
  std::string inner = scheme;
  std::string type;
  if (scheme.starts_with("tarball+")) type = "tarball", inner = scheme.substr(8);
  else if (scheme.starts_with("file+")) type = "file", inner = scheme.substr(5);
  else if (scheme == "http" || scheme == "https" || scheme == "file") {
    static const char* exts[] = {".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"};
    type = "file";
    for (auto* e : exts)
      if (main.ends_with(e)) type = "tarball";
  }
  if (type.empty()) throw BadFlakeRef("input '" + url + "' is unsupported");
  attrs["type"] = type;
  std::string u = inner + std::string(main.substr(colon));
  std::map<std::string, std::string> kept, urlParams;
  for (auto& [k, v] : params)
    ((k == "narHash" || k == "rev" || k == "revCount" || k == "lastModified" || k == "dir" || k == "name") ? kept : urlParams)[k] = v;
  appendQuery(u, urlParams);
  attrs["url"] = u;
  addParams(attrs, kept, url);
  return attrs;
}

std::string showParam(const AttrValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* n = std::get_if<uint64_t>(&v)) return std::to_string(*n);
  return std::get<bool>(v) ? "1" : "0";
}

std::string getString(const FlakeAttrs& attrs, const std::string& name, const std::string& type) {
  auto i = attrs.find(name);
  if (i == attrs.end()) throw BadFlakeRef("attribute '" + name + "' is missing in input of type '" + type + "'");
  if (auto* s = std::get_if<std::string>(&i->second)) return *s;
  throw BadFlakeRef("attribute '" + name + "' of input of type '" + type + "' must be a string");
}

// The URL form of a flake reference in attribute form (FlakeRef::fromAttrs(...).to_string()).
std::string flakeRefToString(FlakeAttrs attrs) {
  auto t = attrs.find("type");
  if (t == attrs.end() || !std::holds_alternative<std::string>(t->second))
    throw BadFlakeRef("attribute 'type' is missing in flake reference");
  std::string type = std::get<std::string>(t->second);
  attrs.erase("type");
  auto query = [&](std::initializer_list<const char*> skip) {
    std::string q;
    for (auto& [k, v] : attrs) {
      bool skipped = false;
      for (auto* s : skip) skipped = skipped || k == s;
      if (skipped) continue;
      q += (q.empty() ? "?" : "&") + percentEncode(k) + "=" + percentEncode(showParam(v), "/:@");
    }
    return q;
  };
  if (type == "github" || type == "gitlab" || type == "sourcehut") {
    std::string s = type + ":" + getString(attrs, "owner", type) + "/" + getString(attrs, "repo", type);
    bool hasRef = attrs.count("ref"), hasRev = attrs.count("rev");
    if (hasRef && hasRev) throw BadFlakeRef("cannot have both a ref and a rev in a " + type + " flake reference");
    if (hasRef) s += "/" + getString(attrs, "ref", type);
    if (hasRev) s += "/" + getString(attrs, "rev", type);
    return s + query({"owner", "repo", "ref", "rev"});
  }
  if (type == "indirect") {
    std::string s = "flake:" + getString(attrs, "id", type);
    if (attrs.count("ref")) s += "/" + getString(attrs, "ref", type);
    if (attrs.count("rev")) s += "/" + getString(attrs, "rev", type);
    return s + query({"id", "ref", "rev"});
  }
  if (type == "path") return "path:" + getString(attrs, "path", type) + query({"path"});
  if (type == "git") return "git+" + getString(attrs, "url", type) + query({"url"});
  if (type == "tarball" || type == "file") {
    std::string u = getString(attrs, "url", type);
    auto colon = u.find(':');
    std::string scheme = colon == std::string::npos ? "" : u.substr(0, colon);
    bool plain = scheme == "http" || scheme == "https" || scheme == "file";
    if (plain && type == "tarball") {
      bool ext = false;
      for (auto* e : {".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"}) ext = ext || u.ends_with(e);
      plain = ext;
    }
    return (plain ? "" : type + "+") + u + query({"url"});
  }
  throw BadFlakeRef("input type '" + type + "' is unsupported");
}

void primParseFlakeRef(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string s(st.forceStringNoCtx(*args[0], pos, "while evaluating the argument passed to builtins.parseFlakeRef"));
  flakeRefAttrs(st, pos, s, v);
}

} // namespace

void flakeRefAttrs(EvalState& st, PosIdx pos, const std::string& url, Value& v) {
  FlakeAttrs attrs = withPos(st, pos, [&] { return parseFlakeRef(url); });
  Bindings* b = st.allocBindings(attrs.size());
  for (auto& [k, val] : attrs) {
    Value* e = st.allocValue();
    if (auto* str = std::get_if<std::string>(&val)) st.mkString(*e, *str);
    else if (auto* n = std::get_if<uint64_t>(&val)) e->mkInt(int64_t(*n));
    else e->mkBool(std::get<bool>(val));
    b->push(st.symbol(k), e);
  }
  b->sort();
  v.mkAttrs(b);
}

namespace {

void primFlakeRefToString(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* b = st.forceAttrs(*args[0], noPos, "while evaluating the argument passed to builtins.flakeRefToString");
  FlakeAttrs attrs;
  for (auto& a : *b) {
    st.forceValue(*a.value, a.pos);
    std::string name(st.name(a.name));
    switch (a.value->type()) {
    case ValueType::Int:
      if (a.value->integer() < 0)
        throw EvalError("negative value given for flake ref attr " + name + ": " + std::to_string(a.value->integer()), st.pos(pos));
      attrs[name] = uint64_t(a.value->integer());
      break;
    case ValueType::Bool: attrs[name] = a.value->boolean(); break;
    case ValueType::String: attrs[name] = std::string(a.value->string_view()); break;
    default:
      throw EvalError("flake reference attribute sets may only contain integers, Booleans, and strings, but attribute '" +
                          name + "' is " + st.showType(*a.value),
                      st.pos(pos));
    }
  }
  st.mkString(v, withPos(st, pos, [&] { return flakeRefToString(std::move(attrs)); }));
}

} // namespace

void registerFlakeRefBuiltins(BuiltinTable& t) {
  t.add("parseFlakeRef", 1, primParseFlakeRef, "flakes");
  t.add("flakeRefToString", 1, primFlakeRefToString, "flakes");
}

} // namespace nixpp
