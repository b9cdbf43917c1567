// cli/nix_profile_flake.cc: the one kind of flake `nix profile` supports without a flake
// implementation: a local directory ("path:/dir", "/dir", "./dir") whose flake.nix has no
// inputs, as Nix 2.8 fetches and locks it: the directory is copied to the store as "source",
// locked as "path:/dir?lastModified=<newest mtime>&narHash=<SRI, percent-encoded>", and its
// `outputs` function is called with `self` (outputs // sourceInfo // {inputs, outputs,
// sourceInfo, _type = "flake"}). An attribute "A" is looked up as packages.<system>.A,
// legacyPackages.<system>.A, then A; none means packages.<system>.default or
// defaultPackage.<system>.
#include <sys/stat.h>

#include <algorithm>
#include <ctime>

#include "cli/eval_cli.h"
#include "cli/instantiate.h"
#include "cli/nix_profile.h"
#include "store/local_store.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/config.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

// Nix 2.8's percentEncode for URL query values: lower-case hex, RFC 3986 sub-delimiters kept.
std::string encodeQuery(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view("-._~!$&'()*+,;=:@").find(char(c)) != std::string_view::npos) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The newest mtime in the tree at `path` (symlinks not followed).
time_t newestMtime(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == -1) throw SysError(errno, "getting status of '" + path + "'");
  time_t t = st.st_mtime;
  if (S_ISDIR(st.st_mode))
    for (auto& name : readDirectorySorted(path)) t = std::max(t, newestMtime(path + "/" + name));
  return t;
}

std::string quote(std::string_view s) {
  std::string out;
  appendJsonString(out, s);  // a Nix string literal: no "${" in store paths or hashes
  return out;
}

} // namespace

std::optional<std::string> localFlakeDir(const std::string& ref) {
  std::string dir;
  if (ref.starts_with("path:")) dir = ref.substr(5);
  else if (ref.starts_with("/") || ref.starts_with(".")) dir = ref;
  else return std::nullopt;
  if (dir.find('?') != std::string::npos) return std::nullopt;
  dir = absPathIn(dir, currentDir());
  // Nix makes a directory inside a git repository a git+file flake: not supported here.
  for (std::string d = dir; !d.empty() && d != "/"; d = d.substr(0, d.rfind('/')))
    if (pathExists(d + "/.git")) return std::nullopt;
  return dir;
}

FlakeTarget resolveLocalFlake(EvalState& state, LocalStore& store, const std::string& system, const std::string& dir,
                              const std::string& attr, bool exactAttr) {
  if (!pathExists(dir + "/flake.nix"))
    throw Error("path '" + dir + "' does not contain a 'flake.nix'");
  FlakeTarget t;
  t.originalUrl = "path:" + dir;
  time_t lastModified = newestMtime(dir);
  StorePath src = store.addPathToStore(dir, "source", ContentAddressMethod::nar, HashAlgo::sha256, Repair::no);
  store.addTempRoot(src);
  std::string narHash = store.queryPathInfo(src).narHash.to_string(HashFormat::sri, true);
  t.lockedUrl = t.originalUrl + "?lastModified=" + std::to_string(lastModified) + "&narHash=" + encodeQuery(narHash);
  char date[32];
  struct tm tm;
  ::gmtime_r(&lastModified, &tm);
  ::strftime(date, sizeof date, "%Y%m%d%H%M%S", &tm);

  std::string srcPath = store.storeDir().printPath(src);
  // The source by its hash (builtins.path of a valid path: no copy), which pure evaluation
  // allows and then lets the evaluation read, as Nix's fetched flake sources.
  std::string expr = "let src = builtins.path { path = " + quote(srcPath) + "; name = \"source\"; sha256 = " +
                     quote(narHash) + "; };\n  flake = import (src + \"/flake.nix\");\n"
                     "  sourceInfo = { outPath = src; narHash = " + quote(narHash) + "; lastModified = " +
                     std::to_string(lastModified) + "; lastModifiedDate = \"" + date + "\"; };\n"
                     "  inputs = if flake ? inputs && flake.inputs != {} then throw \"flake '" + t.originalUrl +
                     "' has inputs, which nixpp does not support\" else {};\n"
                     "  outputs = flake.outputs ({ self = result; } // inputs);\n"
                     "  result = outputs // sourceInfo // { inherit inputs outputs sourceInfo; _type = \"flake\"; };\n"
                     "in outputs";
  Value vOutputs;
  state.eval(state.parseExprFromString(expr, srcPath), vOutputs);

  std::vector<std::string> candidates;
  if (exactAttr) candidates = {attr};
  else if (attr.empty()) candidates = {"packages." + system + ".default", "defaultPackage." + system};
  else candidates = {"packages." + system + "." + attr, "legacyPackages." + system + "." + attr, attr};
  for (auto& c : candidates) {
    Value* v = &vOutputs;
    bool found = true;
    for (auto& part : tokenizeString(c, ".")) {
      state.forceValue(*v, noPos);
      const Attr* a = v->type() == ValueType::Attrs ? v->attrs()->get(state.symbol(part)) : nullptr;
      if (!a) {
        found = false;
        break;
      }
      v = a->value;
    }
    if (!found) continue;
    auto drvs = getDerivations(state, *v, state.allocBindings(0));
    if (drvs.size() != 1) throw Error("flake output attribute '" + c + "' is not a derivation");
    t.attrPath = c;
    t.drvPath = drvs[0].drvPath;
    t.outputName = drvs[0].outputName;
    return t;
  }
  std::string list;
  for (size_t i = 0; i < candidates.size(); ++i)
    list += (i == 0 ? "" : i + 1 == candidates.size() ? " or " : ", ") + ("'" + candidates[i] + "'");
  throw Error("flake '" + t.originalUrl + "' does not provide attribute " + list);
}

} // namespace nixpp
