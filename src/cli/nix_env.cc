// cli/nix_env.cc: `nix-env`, Nix 2.8's package manager front-end over profiles
// (store/profiles.h) and user environments (cli/user_env.h): --install, --uninstall,
// --upgrade, --set, --set-flag, --query, --rollback, --switch-generation, --list-generations,
// --delete-generations, --switch-profile. Messages and table layout as Nix 2.8's.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <iostream>
#include <regex>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/eval_cli.h"
#include "cli/get_drvs.h"
#include "cli/store_cli.h"
#include "cli/user_env.h"
#include "expr/eval.h"
#include "expr/names.h"
#include "expr/print.h"
#include "glue/store_eval_io.h"
#include "store/build/build.h"
#include "store/gc_roots.h"
#include "store/local_store.h"
#include "store/profiles.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/config.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/xml_writer.h"

namespace nixpp {

namespace {

const char* usage =
    "Usage: nix-env OPERATION [OPTIONS...] [ARGUMENTS...]\n"
    "\n"
    "Operations:\n"
    "  --install / -i, --uninstall / -e, --upgrade / -u, --set, --set-flag NAME VALUE,\n"
    "  --query / -q, --rollback, --switch-generation / -G N, --list-generations,\n"
    "  --delete-generations old|N...|Nd|+N, --switch-profile / -S PROFILE\n"
    "\n"
    "Options:\n"
    "  --file / -f FILE, --profile / -p PROFILE, --dry-run, --attr / -A, --from-profile PROFILE,\n"
    "  --from-expression / -E, --preserve-installed / -P, --remove-all / -r, --lt, --leq, --eq,\n"
    "  --always, --installed, --available / -a, --status / -s, --out-path, --drv-path,\n"
    "  --description, --meta, --json, --xml, --compare-versions / -c, --attr-path / -P, --system,\n"
    "  --prebuilt-only / -b,\n"
    "  --no-name, --arg NAME EXPR, --argstr NAME STRING, -I PATH, --show-trace\n";

enum class Op { none, install, uninstall, upgrade, set, setFlag, query, switchProfile, switchGeneration, rollback,
                listGenerations, deleteGenerations };

enum class SourceType { unknown, nixExprs, storePaths, profile, attrPath };

struct Globals {
  EvalState* state = nullptr;
  LocalStore* store = nullptr;
  const Settings* settings = nullptr;
  std::string profile;
  std::string nixExprPath;
  Bindings* autoArgs = nullptr;
  SourceType source = SourceType::unknown;
  std::string fromProfile;
  std::string systemFilter = "*";
  bool dryRun = false;
  bool preserveInstalled = false;
  bool removeAll = false;
  bool keepDerivations = false;  // keep-env-derivations
  bool prebuiltOnly = false;     // --prebuilt-only / -b
};

// A name selector: "hello", "hello-1.0", "*"; the name part is a POSIX extended regex.
struct Selector {
  DrvName name;
  std::optional<std::regex> re;
  int hits = 0;
  explicit Selector(const std::string& s) : name(s) {
    if (name.name != "*") {
      try {
        re.emplace(name.name, std::regex::extended);
      } catch (std::regex_error&) {
        throw Error("invalid regular expression '" + name.name + "'");
      }
    }
  }
  bool matches(const DrvName& n) const {
    if (re && !std::regex_match(n.name, *re)) return false;
    return name.version.empty() || name.version == n.version;
  }
};

std::vector<Selector> selectorsOf(const Strings& args) {
  std::vector<Selector> res;
  for (auto& a : args) res.emplace_back(a);
  return res;
}

bool isPath(const std::string& s) { return s.find('/') != std::string::npos; }

bool isNixExpr(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == -1) throw SysError(errno, "getting information about '" + path + "'");
  return !S_ISDIR(st.st_mode) || pathExists(path + "/default.nix");
}

// ~/.nix-defexpr style directories: every expression inside, by file name, in one set.
void getAllExprs(EvalState& st, const std::string& path, std::set<std::string>& seen, Bindings* attrs,
                 std::vector<std::pair<std::string, std::string>>& found) {
  for (auto& name : readDirectorySorted(path)) {
    // The manifest.nix of a profile (channels are profiles) is not an expression to offer.
    if (name.starts_with(".") || name == "manifest.nix") continue;
    std::string p = path + "/" + name;
    struct stat s;
    if (::stat(p.c_str(), &s) == -1) continue;  // dangling symlinks in ~/.nix-defexpr
    if (isNixExpr(p)) {
      std::string attrName = name;
      if (S_ISREG(s.st_mode)) {
        if (!name.ends_with(".nix")) continue;
        attrName = name.substr(0, name.size() - 4);
      }
      if (!seen.insert(attrName).second) {
        std::cerr << "warning: name collision in input Nix expressions, skipping '" << p << "'\n";
        continue;
      }
      found.emplace_back(attrName, p);
    } else {
      getAllExprs(st, p, seen, attrs, found);
    }
  }
}

void loadSourceExpr(EvalState& st, const std::string& path, Value& v) {
  if (isNixExpr(path)) {
    st.evalFile(path, v);
    return;
  }
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> found;
  getAllExprs(st, path, seen, nullptr, found);
  Bindings* b = st.allocBindings(found.size() + 1);
  Value* t = st.allocValue();
  st.mkList(*t, 0);  // as Nix: an empty list, so that walking it finds nothing
  b->push(st.symbol("_combineChannels"), t);
  for (auto& [name, file] : found) {
    Value* fv = st.allocValue();
    struct stat fs;
    bool dir = ::stat(file.c_str(), &fs) == 0 && S_ISDIR(fs.st_mode);
    st.evalFile(dir ? file + "/default.nix" : file, *fv);
    b->push(st.symbol(name), fv);
  }
  b->sort();
  v.mkAttrs(b);
}

void loadDerivations(Globals& g, const std::string& pathPrefix, DrvInfos& elems) {
  Value vRoot;
  loadSourceExpr(*g.state, g.nixExprPath, vRoot);
  Value& v = findAlongAttrPath(*g.state, pathPrefix, g.autoArgs, vRoot);
  DrvInfos all;
  getDerivations(*g.state, v, pathPrefix, g.autoArgs, all, true);
  for (auto& d : all)
    if (g.systemFilter == "*" || d.querySystem() == g.systemFilter) elems.push_back(std::move(d));
}

long priorityOf(DrvInfo& d) { return d.queryMetaInt("priority", 0); }
long comparePriorities(DrvInfo& a, DrvInfo& b) { return priorityOf(b) - priorityOf(a); }

bool keepFlag(DrvInfo& d) {
  Value* v = d.queryMeta("keep");
  if (!v) return false;
  if (v->type() == ValueType::Bool) return v->boolean();
  if (v->type() == ValueType::String) return v->string_view() == "true";
  return false;
}

DrvInfos filterBySelector(Globals& g, DrvInfos& all, const Strings& args, bool newestOnly) {
  auto selectors = selectorsOf(args);
  if (selectors.empty()) selectors.emplace_back("*");
  DrvInfos elems;
  std::set<size_t> done;
  for (auto& sel : selectors) {
    std::vector<size_t> matches;
    for (size_t n = 0; n < all.size(); ++n)
      if (sel.matches(DrvName(all[n].queryName()))) {
        sel.hits++;
        matches.push_back(n);
      }
    if (newestOnly) {
      std::map<std::string, size_t> newest;
      std::set<std::string> multiple;
      for (size_t j : matches) {
        DrvName dn(all[j].queryName());
        long d = 1;
        auto k = newest.find(dn.name);
        if (k != newest.end()) {
          DrvInfo& other = all[k->second];
          const std::string& thisSystem = g.settings->system;
          d = all[j].querySystem() == other.querySystem() ? 0
              : all[j].querySystem() == thisSystem        ? 1
              : other.querySystem() == thisSystem         ? -1
                                                          : 0;
          if (d == 0) d = comparePriorities(all[j], other);
          if (d == 0) d = compareVersions(dn.version, DrvName(other.queryName()).version);
        }
        if (d > 0) {
          newest[dn.name] = j;
          multiple.erase(all[j].queryName());
        } else if (d == 0) {
          multiple.insert(all[j].queryName());
        }
      }
      matches.clear();
      for (auto& [_, j] : newest) {
        if (multiple.count(all[j].queryName()))
          std::cerr << "warning: there are multiple derivations named '" << all[j].queryName()
                    << "'; using the first one\n";
        matches.push_back(j);
      }
    }
    for (size_t j : matches)
      if (done.insert(j).second) elems.push_back(all[j]);
    if (sel.hits == 0 && sel.name.fullName != "*")
      throw Error("selector '" + sel.name.fullName + "' matches no derivations");
  }
  return elems;
}

void queryInstSources(Globals& g, const Strings& args, DrvInfos& elems, bool newestOnly) {
  SourceType type = g.source;
  if (type == SourceType::unknown && !args.empty() && isPath(args.front())) type = SourceType::storePaths;
  EvalState& st = *g.state;
  switch (type) {
    case SourceType::unknown: {
      DrvInfos all;
      loadDerivations(g, "", all);
      elems = filterBySelector(g, all, args, newestOnly);
      break;
    }
    case SourceType::nixExprs: {
      Value vArg;
      loadSourceExpr(st, g.nixExprPath, vArg);
      for (auto& a : args) {
        Value vFun;
        st.eval(st.parseExprFromString(a, currentDir()), vFun);
        Value* vRes = st.allocValue();
        st.callFunction(vFun, vArg, *vRes, noPos);
        getDerivations(st, *vRes, "", g.autoArgs, elems, true);
      }
      break;
    }
    case SourceType::storePaths: {
      const StoreDir& dir = g.store->storeDir();
      for (auto& a : args) {
        StorePath p = followLinksToStorePath(*g.store, a);
        std::string name(p.name());
        if (name.ends_with(".drv")) {
          auto outs = g.store->queryDerivationOutputs(p);
          auto it = outs.find("out");
          if (it == outs.end()) throw Error("derivation '" + dir.printPath(p) + "' does not have an output named 'out'");
          elems.emplace_back(st, name, dir.printPath(p), dir.printPath(it->second),
                             DrvInfo::Outputs{{"out", dir.printPath(it->second)}});
        } else {
          elems.emplace_back(st, name, "", dir.printPath(p), DrvInfo::Outputs{{"out", dir.printPath(p)}});
        }
      }
      break;
    }
    case SourceType::profile: {
      DrvInfos installed = queryInstalled(st, g.fromProfile);
      elems = filterBySelector(g, installed, args, newestOnly);
      break;
    }
    case SourceType::attrPath: {
      Value vRoot;
      loadSourceExpr(st, g.nixExprPath, vRoot);
      for (auto& a : args) {
        Value& v = findAlongAttrPath(st, a, g.autoArgs, vRoot);
        getDerivations(st, v, "", g.autoArgs, elems, true);
      }
      break;
    }
  }
}

// Handles -E, --from-profile, -A, -b in an operation's flags; false if `f` is none of them.
bool parseInstallSourceOption(Globals& g, const std::string& f, Strings::iterator& i, const Strings& flags) {
  if (f == "--from-expression" || f == "-E") g.source = SourceType::nixExprs;
  else if (f == "--from-profile") {
    if (i == flags.end()) throw UsageError("'--from-profile' requires an argument");
    g.source = SourceType::profile;
    g.fromProfile = absPathIn(*i++, currentDir());
  } else if (f == "--attr" || f == "-A") g.source = SourceType::attrPath;
  else if (f == "--prebuilt-only" || f == "-b") g.prebuiltOnly = true;
  else return false;
  return true;
}

// Nix's isPrebuilt (--prebuilt-only): the output is valid or has a substitute. nixpp has no
// substituters yet, so: valid.
bool isPrebuilt(Globals& g, DrvInfo& e) {
  auto p = g.store->storeDir().parsePathOpt(e.queryOutPath());
  return p && g.store->isValidPath(*p);
}

void printMissingOf(Globals& g, DrvInfos& elems) { printMissingElems(*g.store, elems, std::cerr); }

bool createEnv(Globals& g, DrvInfos& elems, const std::string& token) {
  return createUserEnv(*g.state, *g.store, *g.settings, elems, g.profile, g.keepDerivations, token);
}

void opInstall(Globals& g, Strings flags, Strings args) {
  for (auto i = flags.begin(); i != flags.end();) {
    std::string f = *i++;
    if (parseInstallSourceOption(g, f, i, flags)) continue;
    if (f == "--preserve-installed" || f == "-P") g.preserveInstalled = true;
    else if (f == "--remove-all" || f == "-r") g.removeAll = true;
    else throw UsageError("unknown flag '" + f + "'");
  }
  DrvInfos newElems;
  queryInstSources(g, args, newElems, true);
  if (g.prebuiltOnly)  // as Nix: what would have to be built is left out, silently
    newElems.erase(std::remove_if(newElems.begin(), newElems.end(), [&](DrvInfo& e) { return !isPrebuilt(g, e); }),
                   newElems.end());
  std::set<std::string> newNames;
  for (auto& e : newElems) newNames.insert(DrvName(e.queryName()).name);
  while (true) {
    std::string token = optimisticLockProfile(g.profile);
    DrvInfos all(newElems);
    if (!g.removeAll) {
      DrvInfos installed = queryInstalled(*g.state, g.profile);
      for (auto& e : installed) {
        DrvName dn(e.queryName());
        if (!g.preserveInstalled && newNames.count(dn.name) && !keepFlag(e))
          std::cerr << "replacing old '" << e.queryName() << "'\n";
        else
          all.push_back(e);
      }
      for (auto& e : newElems) std::cerr << "installing '" << e.queryName() << "'\n";
    }
    if (g.dryRun) {  // else buildDerivations says what it builds
      printMissingOf(g, newElems);
      return;
    }
    if (createEnv(g, all, token)) break;
  }
}

void opUninstall(Globals& g, Strings flags, Strings args) {
  if (!flags.empty()) throw UsageError("unknown flag '" + flags.front() + "'");
  while (true) {
    std::string token = optimisticLockProfile(g.profile);
    DrvInfos working = queryInstalled(*g.state, g.profile);
    for (auto& sel : args) {
      DrvInfos::iterator split;
      if (isPath(sel)) {
        StorePath p = followLinksToStorePath(*g.store, sel);
        std::string printed = g.store->storeDir().printPath(p);
        split = std::partition(working.begin(), working.end(), [&](DrvInfo& e) { return e.queryOutPath() != printed; });
      } else {
        Selector s(sel);
        split = std::partition(working.begin(), working.end(),
                               [&](DrvInfo& e) { return !s.matches(DrvName(e.queryName())); });
      }
      if (split == working.end()) std::cerr << "warning: selector '" << sel << "' matched no installed derivations\n";
      for (auto it = split; it != working.end(); ++it) std::cerr << "uninstalling '" << it->queryName() << "'\n";
      working.erase(split, working.end());
    }
    if (g.dryRun) return;
    if (createEnv(g, working, token)) break;
  }
}

enum class UpgradeType { lt, leq, eq, always };

void opUpgrade(Globals& g, Strings flags, Strings args) {
  UpgradeType type = UpgradeType::lt;
  for (auto i = flags.begin(); i != flags.end();) {
    std::string f = *i++;
    if (parseInstallSourceOption(g, f, i, flags)) continue;
    if (f == "--lt") type = UpgradeType::lt;
    else if (f == "--leq") type = UpgradeType::leq;
    else if (f == "--eq") type = UpgradeType::eq;
    else if (f == "--always") type = UpgradeType::always;
    else throw UsageError("unknown flag '" + f + "'");
  }
  while (true) {
    std::string token = optimisticLockProfile(g.profile);
    DrvInfos installed = queryInstalled(*g.state, g.profile);
    DrvInfos avail;
    queryInstSources(g, args, avail, false);
    DrvInfos newElems;
    for (auto& i : installed) {
      DrvName dn(i.queryName());
      if (keepFlag(i)) {
        newElems.push_back(i);
        continue;
      }
      DrvInfo* best = nullptr;
      std::string bestVersion;
      for (auto& j : avail) {
        if (comparePriorities(i, j) > 0) continue;
        DrvName nn(j.queryName());
        if (nn.name != dn.name) continue;
        int d = compareVersions(dn.version, nn.version);
        if ((type == UpgradeType::lt && d < 0) || (type == UpgradeType::leq && d <= 0) ||
            (type == UpgradeType::eq && d == 0) || type == UpgradeType::always) {
          long d2 = -1;
          if (best) {
            d2 = comparePriorities(*best, j);
            if (d2 == 0) d2 = compareVersions(bestVersion, nn.version);
          }
          if (d2 < 0 && (!g.prebuiltOnly || isPrebuilt(g, j))) {
            best = &j;
            bestVersion = nn.version;
          }
        }
      }
      if (best && i.queryOutPath() != best->queryOutPath()) {
        const char* action = compareVersions(dn.version, bestVersion) <= 0 ? "upgrading" : "downgrading";
        std::cerr << action << " '" << i.queryName() << "' to '" << best->queryName() << "'\n";
        newElems.push_back(*best);
      } else {
        newElems.push_back(i);
      }
    }
    if (g.dryRun) {  // else buildDerivations says what it builds
      printMissingOf(g, newElems);
      return;
    }
    if (createEnv(g, newElems, token)) break;
  }
}

void opSetFlag(Globals& g, Strings flags, Strings args) {
  if (!flags.empty()) throw UsageError("unknown flag '" + flags.front() + "'");
  if (args.size() < 2) throw UsageError("not enough arguments to '--set-flag'");
  std::string name = args[0], value = args[1];
  while (true) {
    auto selectors = selectorsOf(Strings(args.begin() + 2, args.end()));
    std::string token = optimisticLockProfile(g.profile);
    DrvInfos installed = queryInstalled(*g.state, g.profile);
    for (auto& e : installed) {
      DrvName dn(e.queryName());
      for (auto& s : selectors)
        if (s.matches(dn)) {
          std::cerr << "setting flag on '" << e.queryName() << "'\n";
          s.hits++;
          e.setMeta(name, value);
          break;
        }
    }
    for (auto& s : selectors)
      if (s.hits == 0 && s.name.fullName != "*")
        throw Error("selector '" + s.name.fullName + "' matches no derivations");
    if (g.dryRun) return;
    if (createEnv(g, installed, token)) break;
  }
}

void opSet(Globals& g, Strings flags, Strings args) {
  for (auto i = flags.begin(); i != flags.end();) {
    std::string f = *i++;
    if (!parseInstallSourceOption(g, f, i, flags)) throw UsageError("unknown flag '" + f + "'");
  }
  DrvInfos elems;
  queryInstSources(g, args, elems, true);
  if (elems.size() != 1) throw Error("--set requires exactly one derivation");
  DrvInfo& d = elems.front();
  const StoreDir& dir = g.store->storeDir();
  if (g.dryRun) {
    printMissingOf(g, elems);
    return;
  }
  if (!d.queryDrvPath().empty()) buildDerivations(*g.store, *g.settings, {dir.parsePath(d.queryDrvPath())});
  StorePath out = dir.parsePath(d.queryOutPath());
  if (!g.store->isValidPath(out)) throw InvalidPath("path '" + d.queryOutPath() + "' is not valid");
  auto lock = lockProfile(g.profile);
  std::string gen = createGeneration(*g.store, g.profile, out);
  switchLink(g.profile, gen);
}

// Nix's printTable: columns padded to their widest cell plus two spaces, the last unpadded.
void printTable(const std::vector<Strings>& table) {
  if (table.empty()) return;
  size_t n = table.front().size();
  std::vector<size_t> widths(n, 0);
  for (auto& row : table)
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  std::string out;
  for (auto& row : table) {
    for (size_t c = 0; c < row.size(); ++c) {
      std::string s = row[c];
      std::replace(s.begin(), s.end(), '\n', ' ');
      out += s;
      if (c + 1 < n) out.append(widths[c] - s.size() + 2, ' ');
    }
    out += "\n";
  }
  std::cout << out;
}

// Nix's JSONWriter with indentation: values as printValueAsJSON writes them.
void jsonIndent(std::string& out, int depth) {
  out += "\n";
  out.append(size_t(depth) * 2, ' ');
}

void valueToJson(EvalState& st, Value& v, std::string& out, int depth) {
  st.forceValue(v, noPos);
  switch (v.type()) {
    case ValueType::Attrs: {
      if (v.attrs()->get(st.s.outPath)) {
        NixStringContext ctx;
        appendJsonString(out, st.coerceToString(noPos, v, ctx, "", false, false));
        return;
      }
      std::vector<const Attr*> sorted;
      for (auto& a : *v.attrs()) sorted.push_back(&a);
      std::sort(sorted.begin(), sorted.end(), [&](auto* x, auto* y) { return st.name(x->name) < st.name(y->name); });
      out += "{";
      bool first = true;
      for (auto* a : sorted) {
        if (!first) out += ",";
        first = false;
        jsonIndent(out, depth + 1);
        appendJsonString(out, st.name(a->name));
        out += ": ";
        valueToJson(st, *a->value, out, depth + 1);
      }
      if (!first) jsonIndent(out, depth);
      out += "}";
      return;
    }
    case ValueType::List: {
      out += "[";
      for (size_t i = 0; i < v.listSize(); ++i) {
        if (i) out += ",";
        jsonIndent(out, depth + 1);
        valueToJson(st, *v.listElems()[i], out, depth + 1);
      }
      if (v.listSize()) jsonIndent(out, depth);
      out += "]";
      return;
    }
    default: {
      NixStringContext ctx;
      out += printValueAsJson(st, v, noPos, true, ctx, false);
    }
  }
}

bool cmpElemByName(DrvInfo& a, DrvInfo& b) {
  const std::string &x = a.queryName(), &y = b.queryName();
  return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end(), [](char c1, char c2) {
    return std::tolower(static_cast<unsigned char>(c1)) < std::tolower(static_cast<unsigned char>(c2));
  });
}

// Nix's compareVersionAgainstSet, as the character of -q -c: '<' if `others` has a newer
// version of the package, else '=' if the same, else '>' if only older ones, '-' if none;
// `version` is the one compared with ("?" if none).
char versionDiff(DrvInfo& e, DrvInfos& others, std::string& version) {
  DrvName dn(e.queryName());
  char diff = '-';
  version = "?";
  for (auto& o : others) {
    DrvName on(o.queryName());
    if (on.name != dn.name) continue;
    int d = compareVersions(dn.version, on.version);
    if (d < 0) {
      diff = '<';
      version = on.version;
    } else if (diff != '<' && d == 0) {
      diff = '=';
      version = on.version;
    } else if (diff != '<' && diff != '=' && d > 0) {
      diff = '>';
      if (version.empty() || compareVersions(version, on.version) < 0) version = on.version;
    }
  }
  return diff;
}

// A meta attribute as Nix 2.8's `nix-env -q --xml --meta` writes it.
void writeXmlMeta(EvalState& st, XmlWriter& xml, const std::string& name, Value& v) {
  XmlWriter::Attrs a{{"name", name}};
  switch (v.type()) {
    case ValueType::String:
      a.insert(a.end(), {{"type", "string"}, {"value", std::string(v.string_view())}});
      break;
    case ValueType::Int:
      a.insert(a.end(), {{"type", "int"}, {"value", std::to_string(v.integer())}});
      break;
    case ValueType::Float: {
      std::ostringstream f;  // boost::format's "%1%"
      f << v.fpoint();
      a.insert(a.end(), {{"type", "float"}, {"value", f.str()}});
      break;
    }
    case ValueType::Bool:
      a.insert(a.end(), {{"type", "bool"}, {"value", v.boolean() ? "true" : "false"}});
      break;
    case ValueType::List:
      a.emplace_back("type", "strings");
      xml.open("meta", a);
      for (size_t i = 0; i < v.listSize(); ++i) {
        Value& e = *v.listElems()[i];
        if (e.type() == ValueType::String) xml.empty("string", {{"value", std::string(e.string_view())}});
      }
      xml.close("meta");
      return;
    case ValueType::Attrs: {
      a.emplace_back("type", "strings");
      xml.open("meta", a);
      std::vector<const Attr*> sorted;
      for (auto& at : *v.attrs())
        if (at.value->type() == ValueType::String) sorted.push_back(&at);
      std::sort(sorted.begin(), sorted.end(), [&](auto* x, auto* y) { return st.name(x->name) < st.name(y->name); });
      for (auto* at : sorted)
        xml.empty("string", {{"type", std::string(st.name(at->name))}, {"value", std::string(at->value->string_view())}});
      xml.close("meta");
      return;
    }
    default:
      return;  // queryMeta returns nothing else
  }
  xml.empty("meta", a);
}

void opQuery(Globals& g, Strings flags, Strings args) {
  bool installedSource = true, printStatus = false, printName = true, printAttrPath = false, printSystem = false,
       printDrvPath = false, printOutPath = false, printDescription = false, printMeta = false, json = false,
       compare = false, xmlOutput = false;
  std::string attrPath;
  for (auto i = flags.begin(); i != flags.end();) {
    std::string f = *i++;
    if (f == "--installed") installedSource = true;
    else if (f == "--available" || f == "-a") installedSource = false;
    else if (f == "--status" || f == "-s") printStatus = true;
    else if (f == "--no-name") printName = false;
    else if (f == "--system") printSystem = true;
    else if (f == "--description") printDescription = true;
    else if (f == "--compare-versions" || f == "-c") compare = true;
    else if (f == "--drv-path") printDrvPath = true;
    else if (f == "--out-path") printOutPath = true;
    else if (f == "--meta") printMeta = true;
    else if (f == "--json") json = true;
    else if (f == "--attr-path" || f == "-P") printAttrPath = true;
    else if (f == "--attr" || f == "-A") {
      if (i == flags.end()) throw UsageError("'" + f + "' requires an argument");
      attrPath = *i++;
    } else if (f == "--xml") xmlOutput = true;
    else if (!parseInstallSourceOption(g, f, i, flags)) throw UsageError("unknown flag '" + f + "'");
  }
  if (printAttrPath && installedSource)
    throw UsageError("--attr-path(-P) only works with --available");
  DrvInfos avail, installed;
  if (installedSource || compare || printStatus) installed = queryInstalled(*g.state, g.profile);
  if (!installedSource || compare) loadDerivations(g, attrPath, avail);
  DrvInfos elems = filterBySelector(g, installedSource ? installed : avail, args, false);
  DrvInfos& other = installedSource ? avail : installed;
  std::sort(elems.begin(), elems.end(), cmpElemByName);
  const StoreDir& dir = g.store->storeDir();
  std::set<std::string> installedPaths;
  if (printStatus)
    for (auto& e : installed) installedPaths.insert(e.queryOutPath());
  if (g.prebuiltOnly)
    elems.erase(std::remove_if(elems.begin(), elems.end(), [&](DrvInfo& e) { return !isPrebuilt(g, e); }), elems.end());
  auto isValid = [&](const std::string& out) {
    auto sp = dir.parsePathOpt(out);
    return sp && g.store->isValidPath(*sp);
  };

  if (json) {
    std::string out = "{";
    bool first = true;
    for (auto& e : elems) {
      if (!first) out += ",";
      first = false;
      jsonIndent(out, 1);
      appendJsonString(out, e.attrPath());
      out += ": {";
      DrvName dn(e.queryName());
      auto field = [&](const char* k, const std::string& v) {
        jsonIndent(out, 2);
        appendJsonString(out, k);
        out += ": ";
        appendJsonString(out, v);
        out += ",";
      };
      field("name", dn.fullName);
      field("pname", dn.name);
      field("version", dn.version);
      field("system", e.querySystem());
      field("outputName", e.queryOutputName());
      jsonIndent(out, 2);
      out += "\"outputs\": {";
      bool firstOut = true;
      for (auto& [name, path] : e.queryOutputs(printOutPath)) {
        if (!firstOut) out += ",";
        firstOut = false;
        jsonIndent(out, 3);
        appendJsonString(out, name);
        out += ": ";
        if (path) appendJsonString(out, *path);
        else out += "null";
      }
      if (!firstOut) jsonIndent(out, 2);
      out += "}";
      if (printDrvPath && !e.queryDrvPath().empty()) {
        out += ",";
        jsonIndent(out, 2);
        out += "\"drvPath\": ";
        appendJsonString(out, e.queryDrvPath());
      }
      if (printMeta) {
        out += ",";
        jsonIndent(out, 2);
        out += "\"meta\": {";
        bool firstMeta = true;
        for (auto& m : e.queryMetaNames()) {
          if (!firstMeta) out += ",";
          firstMeta = false;
          jsonIndent(out, 3);
          appendJsonString(out, m);
          out += ": ";
          if (Value* v = e.queryMeta(m)) valueToJson(*g.state, *v, out, 3);
          else {
            std::cerr << "error: derivation '" << e.queryName() << "' has invalid meta attribute '" << m << "'\n";
            out += "null";
          }
        }
        if (!firstMeta) jsonIndent(out, 2);
        out += "}";
      }
      jsonIndent(out, 1);
      out += "}";
    }
    if (!first) jsonIndent(out, 0);
    out += "}\n";
    std::cout << out;
    return;
  }

  if (xmlOutput) {
    std::string out = "<?xml version='1.0' encoding='utf-8'?>\n";
    XmlWriter xml{out};
    xml.open("items");
    for (auto& e : elems) {
      size_t mark = out.size();
      try {
        std::map<std::string, std::string> attrs;  // in name order, as Nix's XMLAttrs
        if (printStatus) {
          const std::string& outPath = e.queryOutPath();
          attrs["installed"] = installedPaths.count(outPath) ? "1" : "0";
          attrs["valid"] = isValid(outPath) ? "1" : "0";
          attrs["substitutable"] = "0";  // no substituters yet
        }
        attrs["attrPath"] = e.attrPath();
        DrvName dn(e.queryName());
        attrs["name"] = dn.fullName;
        attrs["pname"] = dn.name;
        attrs["version"] = dn.version;
        if (compare) {
          std::string version;
          char diff = versionDiff(e, other, version);
          if (diff != '-') {
            attrs["versionDiff"] = std::string(1, diff);
            attrs["maxComparedVersion"] = version;
          }
        }
        if (!e.querySystem().empty()) attrs["system"] = e.querySystem();
        if (printDrvPath && !e.queryDrvPath().empty()) attrs["drvPath"] = e.queryDrvPath();
        attrs["outputName"] = e.queryOutputName();
        if (printDescription) {
          std::string descr = e.queryMetaString("description");
          if (!descr.empty()) attrs["description"] = descr;
        }
        xml.open("item", XmlWriter::Attrs(attrs.begin(), attrs.end()));
        for (auto& [name, path] : e.queryOutputs(printOutPath)) {
          XmlWriter::Attrs oa{{"name", name}};
          if (path) oa.emplace_back("path", *path);
          xml.empty("output", oa);
        }
        if (printMeta)
          for (auto& m : e.queryMetaNames()) {
            if (Value* v = e.queryMeta(m)) writeXmlMeta(*g.state, xml, m, *v);
            else std::cerr << "derivation '" << e.queryName() << "' has invalid meta attribute '" << m << "'\n";
          }
        xml.close("item");
      } catch (AssertionError&) {
        out.resize(mark);  // skipped, as Nix does (at -v only it says so)
        xml.depth = 1;
      }
    }
    xml.close("items");
    std::cout << out;
    return;
  }

  std::vector<Strings> table;
  for (auto& e : elems) {
    try {
      Strings cols;
      if (printStatus) {
        const std::string& out = e.queryOutPath();
        cols.push_back(std::string(installedPaths.count(out) ? "I" : "-") + (isValid(out) ? "P" : "-") + "-");
      }
      if (printAttrPath) cols.push_back(e.attrPath());
      if (printName) cols.push_back(e.queryName());
      if (compare) {
        std::string version;
        char diff = versionDiff(e, other, version);
        cols.push_back(std::string(1, diff) + " " + version);
      }
      if (printSystem) cols.push_back(e.querySystem());
      if (printDrvPath) cols.push_back(e.queryDrvPath().empty() ? "-" : e.queryDrvPath());
      if (printOutPath) {
        std::string s;
        for (auto& [name, path] : e.queryOutputs(true)) {
          if (!s.empty()) s += ';';
          if (name != "out") s += name + "=";
          s += path.value_or("");
        }
        cols.push_back(s);
      }
      if (printDescription) cols.push_back(e.queryMetaString("description"));
      table.push_back(std::move(cols));
    } catch (AssertionError&) {
      // skipped, as Nix does (at -v only it says so)
    }
  }
  printTable(table);
}

void opSwitchProfile(Globals& g, Strings flags, Strings args) {
  if (!flags.empty()) throw UsageError("unknown flag '" + flags.front() + "'");
  if (args.size() != 1) throw UsageError("exactly one argument expected");
  std::string home = getEnv("HOME");
  if (home.empty()) throw Error("HOME environment variable not set");
  switchLink(home + "/.nix-profile", absPathIn(args.front(), currentDir()));
  (void)g;
}

void opSwitchGeneration(Globals& g, Strings flags, Strings args) {
  if (!flags.empty()) throw UsageError("unknown flag '" + flags.front() + "'");
  if (args.size() != 1) throw UsageError("exactly one argument expected");
  GenerationNumber n;
  const std::string& a = args.front();
  auto [p, ec] = std::from_chars(a.data(), a.data() + a.size(), n);
  if (a.empty() || ec != std::errc() || p != a.data() + a.size()) throw UsageError("invalid number '" + a + "'");
  switchGeneration(g.profile, n, g.dryRun, std::cerr);
}

void opRollback(Globals& g, Strings flags, Strings args) {
  if (!flags.empty()) throw UsageError("unknown flag '" + flags.front() + "'");
  if (!args.empty()) throw UsageError("no arguments expected");
  switchGeneration(g.profile, std::nullopt, g.dryRun, std::cerr);
}

void opListGenerations(Globals& g, Strings flags, Strings args) {
  if (!flags.empty()) throw UsageError("unknown flag '" + flags.front() + "'");
  if (!args.empty()) throw UsageError("no arguments expected");
  auto lock = lockProfile(g.profile);
  auto gens = findGenerations(g.profile);
  std::string out;
  for (auto& gen : gens.gens) {
    struct tm t;
    if (!::localtime_r(&gen.creationTime, &t)) throw Error("cannot convert time");
    char buf[128];
    std::snprintf(buf, sizeof buf, "%4llu   %04d-%02d-%02d %02d:%02d:%02d   %s\n", (unsigned long long)gen.number,
                  t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                  gen.number == gens.current ? "(current)" : "");
    out += buf;
  }
  std::cout << out;
}

void opDeleteGenerations(Globals& g, Strings flags, Strings args) {
  if (!flags.empty()) throw UsageError("unknown flag '" + flags.front() + "'");
  if (args.size() == 1 && args.front() == "old") {
    deleteOldGenerations(g.profile, g.dryRun, std::cerr);
  } else if (args.size() == 1 && args.front().find('d') != std::string::npos) {
    deleteGenerationsOlderThan(g.profile, parseOlderThanTimeSpec(args.front()), g.dryRun, std::cerr);
  } else if (args.size() == 1 && args.front().find('+') != std::string::npos) {
    const std::string& a = args.front();
    if (a.size() < 2) throw Error("invalid number of generations '" + a + "'");
    GenerationNumber max = 0;
    auto [p, ec] = std::from_chars(a.data() + 1, a.data() + a.size(), max);
    if (ec != std::errc() || p != a.data() + a.size() || max == 0)
      throw Error("invalid number of generations to keep '" + a + "'");
    deleteGenerationsGreaterThan(g.profile, max, g.dryRun, std::cerr);
  } else {
    std::set<GenerationNumber> gens;
    for (auto& a : args) {
      GenerationNumber n;
      auto [p, ec] = std::from_chars(a.data(), a.data() + a.size(), n);
      if (a.empty() || ec != std::errc() || p != a.data() + a.size())
        throw UsageError("invalid generation number '" + a + "'");
      gens.insert(n);
    }
    deleteGenerations(g.profile, gens, g.dryRun, std::cerr);
  }
}

// The first run makes ~/.nix-defexpr with a link to the user's channels, as Nix 2.8.
void makeDefExpr(const std::string& path, const Settings& settings) {
  if (pathExists(path)) return;
  try {
    if (::mkdir(path.c_str(), 0755) == -1) return;
    std::string user = getEnv("USER", ::geteuid() == 0 ? "root" : "");
    replaceSymlink(settings.stateDir + "/profiles/per-user/" + user + "/channels", path + "/channels");
    if (::geteuid() != 0) replaceSymlink(settings.stateDir + "/profiles/per-user/root/channels", path + "/channels_root");
  } catch (Error&) {
  }
}

} // namespace

int nixEnvMain(Strings argv) {
  ArgParser ap("nix-env", std::move(argv));
  CommonFlags common(Frontend::legacy);
  Op op = Op::none;
  Strings opFlags, opArgs, includes;
  std::string file, profile;
  std::vector<AutoArg> autoArgs;
  bool dryRun = false, showTrace = false;
  std::string systemFilter = "*";
  auto setOp = [&](Op o) {
    if (op != Op::none && op != o) throw UsageError("only one operation may be specified");
    op = o;
  };
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) {
      opArgs.push_back(a);
      continue;
    }
    if (a == "--help") {
      std::cout << usage;
      return 0;
    } else if (a == "--version") {
      printVersion("nix-env");
      return 0;
    } else if (a == "--install" || a == "-i") setOp(Op::install);
    else if (a == "--uninstall" || a == "-e") setOp(Op::uninstall);
    else if (a == "--upgrade" || a == "-u") setOp(Op::upgrade);
    else if (a == "--set-flag") setOp(Op::setFlag);
    else if (a == "--set") setOp(Op::set);
    else if (a == "--query" || a == "-q") setOp(Op::query);
    else if (a == "--switch-profile" || a == "-S") setOp(Op::switchProfile);
    else if (a == "--switch-generation" || a == "-G") setOp(Op::switchGeneration);
    else if (a == "--rollback") setOp(Op::rollback);
    else if (a == "--list-generations") setOp(Op::listGenerations);
    else if (a == "--delete-generations") setOp(Op::deleteGenerations);
    else if (a == "--file" || a == "-f") file = ap.value();
    else if (a == "--profile" || a == "-p") profile = absPathIn(ap.value(), currentDir());
    else if (a == "--dry-run") {
      std::cerr << "(dry run; not doing anything)\n";
      dryRun = true;
    } else if (a == "--system-filter") systemFilter = ap.value();
    else if (a == "--show-trace") showTrace = true;
    else if (a == "--repair") {
    } else if (a == "-I" || a == "--include") includes.push_back(ap.value());
    else if (a == "--arg" || a == "--argstr") {
      std::string name = ap.value();
      autoArgs.push_back({name, ap.value(), a == "--argstr"});
    } else if (a != "--system" && common.handle(ap)) {  // --system: nix-env -q's flag, not the setting
    } else {
      opFlags.push_back(a);
      if (a == "--from-profile" || (op == Op::query && (a == "--attr" || a == "-A"))) opFlags.push_back(ap.value());
    }
  }
  if (op == Op::none) throw UsageError("no operation specified\nTry 'nix-env --help' for more information.");

  Settings settings = common.load(SettingsHost::real(), std::cerr);
  growStackForEval();
  std::string cwd = currentDir();
  EvalSettings evalSettings;
  evalSettings.home = getEnv("HOME");
  evalSettings.nixPath = makeNixPath(includes);
  evalSettings.showTrace = showTrace;
  evalSettings.pureEval = settings.pureEval;
  applyRestrictEval(evalSettings, settings);
  StoreRef store(settings);
  StoreEvalIo io([&]() -> Store& { return *store; }, settings.storeDir, StoreWrites::allowed,
                 FileTransferSettings::from(settings));
  EvalState state(io, evalSettings);

  Globals g;
  g.state = &state;
  g.settings = &settings;
  g.dryRun = dryRun;
  g.systemFilter = systemFilter;
  g.keepDerivations = false;
  g.store = dynamic_cast<LocalStore*>(&*store);
  if (!g.store) throw Error("nix-env needs a local store, not '" + store->url() + "'");
  std::string home = getEnv("HOME");
  g.nixExprPath = home + "/.nix-defexpr";
  if (!home.empty()) makeDefExpr(g.nixExprPath, settings);
  try {
    if (!file.empty()) {
      if (file.starts_with("<") && file.ends_with(">")) g.nixExprPath = state.findFile(file.substr(1, file.size() - 2), noPos);
      else g.nixExprPath = absPathIn(file, cwd);
    }
    g.autoArgs = makeAutoArgs(state, autoArgs, cwd);
    g.profile = profile.empty() ? getEnv("NIX_PROFILE") : profile;
    if (g.profile.empty()) g.profile = defaultProfile(settings);

    switch (op) {
      case Op::install: opInstall(g, opFlags, opArgs); break;
      case Op::uninstall: opUninstall(g, opFlags, opArgs); break;
      case Op::upgrade: opUpgrade(g, opFlags, opArgs); break;
      case Op::set: opSet(g, opFlags, opArgs); break;
      case Op::setFlag: opSetFlag(g, opFlags, opArgs); break;
      case Op::query: opQuery(g, opFlags, opArgs); break;
      case Op::switchProfile: opSwitchProfile(g, opFlags, opArgs); break;
      case Op::switchGeneration: opSwitchGeneration(g, opFlags, opArgs); break;
      case Op::rollback: opRollback(g, opFlags, opArgs); break;
      case Op::listGenerations: opListGenerations(g, opFlags, opArgs); break;
      case Op::deleteGenerations: opDeleteGenerations(g, opFlags, opArgs); break;
      case Op::none: break;
    }
  } catch (EvalError& e) {
    std::cout.flush();
    std::cerr << formatEvalError(e, showTrace, "nix-env") << std::endl;
    return 1;
  } catch (UsageError& e) {
    throw UsageError(std::string(e.what()) + "\nTry 'nix-env --help' for more information.");
  }
  return 0;
}

} // namespace nixpp
