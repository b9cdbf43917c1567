#include "store/build/build_env.h"

#include <nlohmann/json.hpp>

#include "format/hash.h"
#include "store/store.h"
#include "util/strings.h"

namespace nixpp {

namespace {

std::vector<std::string> splitWords(const std::string& s) {
  std::vector<std::string> res;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!cur.empty()) res.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) res.push_back(std::move(cur));
  return res;
}

nlohmann::json parseJsonAttrs(const Derivation& drv) {
  try {
    return nlohmann::json::parse(drv.env.at("__json"));
  } catch (nlohmann::json::exception& e) {
    throw Error("cannot process __json attribute of '" + drv.name + "': " + e.what());
  }
}

// Nix's shell quoting for .attrs.sh: '...' with ' written as '\''.
std::string shellQuote(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

bool isShellName(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!(std::isalnum((unsigned char)c) || c == '_')) return false;
  return true;
}

std::optional<std::string> shellScalar(const nlohmann::json& v) {
  if (v.is_string()) return shellQuote(v.get<std::string>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) return shellQuote(v.dump());
  if (v.is_boolean()) return v.get<bool>() ? std::string("1") : std::string("");
  if (v.is_null()) return std::string("''");
  return std::nullopt;
}

// The .attrs.sh bash declarations (as Nix's writeStructuredAttrsShell).
std::string structuredAttrsShell(const nlohmann::json& json) {
  std::string out;
  for (auto& [key, v] : json.items()) {
    if (!isShellName(key)) continue;
    if (auto s = shellScalar(v)) {
      out += "declare " + key + "=" + *s + "\n";
    } else if (v.is_array()) {
      std::string a = "declare -a " + key + "=(";
      bool ok = true;
      for (auto& e : v) {
        auto s = shellScalar(e);
        if (!s) { ok = false; break; }
        a += *s + " ";
      }
      if (ok) out += a + ")\n";
    } else if (v.is_object()) {
      std::string a = "declare -A " + key + "=(";
      bool ok = true;
      for (auto& [k, e] : v.items()) {
        auto s = shellScalar(e);
        if (!s) { ok = false; break; }
        a += "[" + shellQuote(k) + "]=" + *s + " ";
      }
      if (ok) out += a + ")\n";
    }
  }
  return out;
}

// The closure of the paths named by an exportReferencesGraph list, checked against the inputs.
StorePathSet exportClosure(Store& store, const std::vector<std::string>& paths, const BuildEnvContext& ctx) {
  StorePathSet roots;
  for (auto& p : paths) {
    auto sp = store.storeDir().toStorePath(p).first;
    if (!ctx.inputClosure.count(sp))
      throw Error("exportReferencesGraph refers to '" + store.storeDir().printPath(sp) +
                  "', which is not an input of the derivation");
    roots.insert(sp);
  }
  return computeFSClosure(store, roots);
}

// Nix's makeValidityRegistration(paths, showDerivers = false, showHash = false).
std::string validityRegistration(Store& store, const StorePathSet& paths) {
  std::string s;
  for (auto& p : paths) {
    auto info = store.queryPathInfo(p);
    s += store.storeDir().printPath(p) + "\n\n" + std::to_string(info.references.size()) + "\n";
    for (auto& r : info.references) s += store.storeDir().printPath(r) + "\n";
  }
  return s;
}

nlohmann::json closureJson(Store& store, const StorePathSet& paths) {
  auto arr = nlohmann::json::array();
  for (auto& p : paths) {
    auto info = store.queryPathInfo(p);
    auto refs = nlohmann::json::array();
    for (auto& r : info.references) refs.push_back(store.storeDir().printPath(r));
    arr.push_back({{"path", store.storeDir().printPath(p)},
                   {"narHash", info.narHash.to_string(HashFormat::nix32, true)},
                   {"narSize", info.narSize},
                   {"references", refs}});
  }
  return arr;
}

} // namespace

bool hasStructuredAttrs(const Derivation& drv) { return drv.env.count("__json") > 0; }

std::optional<std::vector<std::string>> derivationStringsAttr(const Derivation& drv, const std::string& name) {
  if (hasStructuredAttrs(drv)) {
    auto json = parseJsonAttrs(drv);
    auto it = json.find(name);
    if (it == json.end() || it->is_null()) return std::nullopt;
    if (!it->is_array()) throw Error("attribute '" + name + "' of derivation '" + drv.name + "' must be a list of strings");
    std::vector<std::string> res;
    for (auto& e : *it) {
      if (!e.is_string())
        throw Error("attribute '" + name + "' of derivation '" + drv.name + "' must be a list of strings");
      res.push_back(e.get<std::string>());
    }
    return res;
  }
  auto it = drv.env.find(name);
  if (it == drv.env.end()) return std::nullopt;
  return splitWords(it->second);
}

BuilderEnv makeBuilderEnv(Store& store, const Derivation& drv, const BuildEnvContext& ctx) {
  BuilderEnv res;
  auto& env = res.vars;
  const StoreDir& dir = store.storeDir();
  // Nix sets these first so that the derivation may override them.
  env["PATH"] = "/path-not-set";
  env["HOME"] = "/homeless-shelter";
  env["NIX_STORE"] = dir.to_string();
  env["NIX_BUILD_CORES"] = std::to_string(ctx.cores);

  bool structured = hasStructuredAttrs(drv);
  if (!structured) {
    StringSet passAsFile;
    if (auto it = drv.env.find("passAsFile"); it != drv.env.end())
      for (auto& w : splitWords(it->second)) passAsFile.insert(w);
    for (auto& [k, v] : drv.env) {
      if (!passAsFile.count(k)) {
        env[k] = v;
      } else {
        std::string fn = ".attr-" + hashString(HashAlgo::sha256, k).to_string(HashFormat::nix32, false);
        res.files[fn] = v;
        env[k + "Path"] = ctx.buildDirInBuilder + "/" + fn;
      }
    }
    // exportReferencesGraph = "name1 path1 name2 path2 ...": a registration file per name.
    if (auto it = drv.env.find("exportReferencesGraph"); it != drv.env.end()) {
      auto words = splitWords(it->second);
      if (words.size() % 2)
        throw Error("odd number of tokens in 'exportReferencesGraph': '" + it->second + "'");
      for (size_t i = 0; i < words.size(); i += 2) {
        const std::string& name = words[i];
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
          throw Error("invalid file name '" + name + "' in 'exportReferencesGraph'");
        res.files[name] = validityRegistration(store, exportClosure(store, {words[i + 1]}, ctx));
      }
    }
  }

  env["NIX_BUILD_TOP"] = ctx.buildDirInBuilder;
  env["TMPDIR"] = env["TEMPDIR"] = env["TMP"] = env["TEMP"] = ctx.buildDirInBuilder;
  env["PWD"] = ctx.buildDirInBuilder;

  if (drv.type() == DerivationType::fixed) {
    if (auto vars = derivationStringsAttr(drv, "impureEnvVars"))
      for (auto& v : *vars) env[v] = ctx.getEnv ? ctx.getEnv(v).value_or("") : "";
  }
  env["NIX_LOG_FD"] = "2";
  env["TERM"] = "xterm-256color";

  if (structured) {
    auto json = parseJsonAttrs(drv);
    auto outs = nlohmann::json::object();
    for (auto& [name, path] : ctx.outputs) outs[name] = dir.printPath(path);
    json["outputs"] = outs;
    if (auto it = json.find("exportReferencesGraph"); it != json.end() && it->is_object()) {
      auto graphs = nlohmann::json::object();
      for (auto& [name, paths] : it->items()) {
        std::vector<std::string> ps;
        if (paths.is_string()) ps.push_back(paths.get<std::string>());
        else if (paths.is_array())
          for (auto& p : paths)
            if (p.is_string()) ps.push_back(p.get<std::string>());
        graphs[name] = closureJson(store, exportClosure(store, ps, ctx));
      }
      for (auto& [name, v] : graphs.items()) json[name] = v;
    }
    res.files[".attrs.json"] = json.dump();
    res.files[".attrs.sh"] = structuredAttrsShell(json);
    env["NIX_ATTRS_JSON_FILE"] = ctx.buildDirInBuilder + "/.attrs.json";
    env["NIX_ATTRS_SH_FILE"] = ctx.buildDirInBuilder + "/.attrs.sh";
  }
  return res;
}

} // namespace nixpp
