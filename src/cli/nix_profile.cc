// cli/nix_profile.cc: `nix profile install|remove|upgrade|list|rollback|history|wipe-history|
// diff-closures`, as Nix 2.8. A profile is the same chain of generations as nix-env's
// (store/profiles.h); each generation is a store path "profile" holding the merged trees of the
// elements (store/build/buildenv.h) and `manifest.json` (format/profile_manifest.h), added to
// the store by content (NAR, sha256) with the elements' paths as references — the same path
// Nix 2.8 makes for the same elements. A profile made by nix-env (manifest.nix) is read as
// elements of one store path each, and rewritten as manifest.json on the next change.
//
// Changes are computed from the profile's current elements and switched to under the profile
// lock, restarting when another process changed the profile meanwhile (nix-env's optimistic
// scheme), so concurrent installs and removals are never lost.
//
// Installables are those of `nix build` (cli/installables.h) and, with the `flakes` feature,
// local flakes without inputs (cli/nix_profile_flake.cc): an element from a flake records it
// (originalUrl, locked url, attrPath), and `upgrade` re-evaluates such elements; the others are
// store paths that, as in Nix 2.8, `upgrade` leaves alone.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <set>

#include "cli/args.h"
#include "cli/build_cli.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/eval_cli.h"
#include "cli/installables.h"
#include "cli/nix_profile.h"
#include "cli/user_env.h"
#include "expr/names.h"
#include "format/profile_manifest.h"
#include "store/build/build.h"
#include "store/build/buildenv.h"
#include "store/nar_fs.h"
#include "store/profiles.h"
#include "sys/file.h"
#include "util/config.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

const char* ansiBold = "\x1b[1m";
const char* ansiGreen = "\x1b[32;1m";
const char* ansiNormal = "\x1b[0m";

const char* usage =
    "Usage: nix profile SUBCOMMAND [option...] [args...]\n"
    "\n"
    "Manage Nix profiles. Subcommands:\n"
    "  install INSTALLABLES...   install packages into a profile\n"
    "  remove ELEMENTS...        remove packages from a profile\n"
    "  upgrade ELEMENTS...       upgrade packages using their most recent flake\n"
    "  list                      list installed packages\n"
    "  rollback [--to N]         roll back to the previous or a specified version\n"
    "  history                   show all versions of a profile\n"
    "  wipe-history [--older-than Nd]  delete non-current versions of a profile\n"
    "  diff-closures             show the closure difference between each version\n"
    "\n"
    "Elements are given by index (as 'list' shows), store path, or a regular expression\n"
    "matched against the attribute path of elements installed from a flake.\n"
    "Installables: attribute paths with -f/--file FILE or --expr EXPR; store paths; with\n"
    "'--extra-experimental-features flakes', local flakes without inputs (path:/dir#attr).\n"
    "\n"
    "Options: --profile PATH (default ~/.nix-profile), --dry-run, --store URL, --arg NAME EXPR,\n"
    "  --argstr NAME STR, -I PATH, --impure, --show-trace\n";

// What every subcommand shares: the settings, the evaluation session (made on first use; it
// opens the store) and the profile.
struct Context {
  Settings settings;
  std::unique_ptr<EvalSession> session;
  std::string profile;

  EvalSession& evalSession() {
    if (!session) {
      EvalSettings es;
      es.pureEval = false;  // reading a profile's manifest.nix
      es.home = getEnv("HOME");
      growStackForEval();
      session = std::make_unique<EvalSession>(settings, std::move(es), StoreWrites::allowed);
    }
    return *session;
  }
  LocalStore& store() { return requireLocalStore(*evalSession().store(), "'nix profile'"); }
  // Where flakes are evaluated: purely unless --impure (or pure-eval = false), as in Nix.
  bool impure = false;
  EvalState& flakeState() {
    return impure || !settings.pureEval ? evalSession().state() : evalSession().pureState();
  }
};

// The store path's name without its hash part: "hello-1.0".
std::string pathName(const std::string& printed) {
  auto slash = printed.rfind('/');
  std::string base = printed.substr(slash == std::string::npos ? 0 : slash + 1);
  return base.size() > 33 ? base.substr(33) : base;
}

// Nix 2.8's describe(): "<originalUrl>#<attrPath>", or the package names of the store paths.
std::string describe(const ProfileElement& e) {
  if (e.source) return e.source->originalUrl + "#" + e.source->attrPath;
  std::set<std::string> names;
  for (auto& p : e.storePaths) names.insert(DrvName(pathName(p)).name);
  return concatStringsSep(", ", std::vector<std::string>(names.begin(), names.end()));
}

std::string versions(const ProfileElement& e) {
  std::set<std::string> vs;
  for (auto& p : e.storePaths) vs.insert(DrvName(pathName(p)).version);
  return showVersions(vs);
}

// The elements of the user environment at `userEnv` (a profile, a generation or a store path).
ProfileManifest readManifest(Context& cx, const std::string& userEnv) {
  std::string json = userEnv + "/manifest.json";
  if (pathExists(json)) return parseProfileManifest(readFile(json), json);
  ProfileManifest m;
  if (pathExists(userEnv + "/manifest.nix")) {
    // A nix-env profile: one element per package, its `out` path.
    cx.store();  // --store must be open before the evaluation reads the store
    DrvInfos elems = queryInstalled(cx.evalSession().state(), userEnv);
    for (auto& e : elems) {
      ProfileElement el;
      el.storePaths = {e.queryOutPath()};
      m.elements.push_back(std::move(el));
    }
  }
  return m;
}

// Builds the user environment of `m` and adds it to the store as Nix 2.8 does.
StorePath buildManifest(LocalStore& store, const ProfileManifest& m) {
  const StoreDir& dir = store.storeDir();
  std::vector<EnvPackage> pkgs;
  StorePathSet references;
  for (auto& e : m.elements)
    for (auto& p : e.storePaths) {
      StorePath sp = dir.parsePath(p);
      store.addTempRoot(sp);
      if (!store.isValidPath(sp)) throw InvalidPath("path '" + p + "' is not valid");
      if (e.active) pkgs.push_back(EnvPackage{p, true, 5});
      references.insert(sp);
    }
  TempDir tmp("nix-profile");
  std::string out = tmp.path() + "/profile";
  std::string storeDir = dir.to_string(), realStoreDir = store.config().realStoreDir;
  buildProfile(out, std::move(pkgs), [&](const std::string& p) {
    return p.starts_with(storeDir + "/") ? realStoreDir + p.substr(storeDir.size()) : p;
  }, std::cerr);
  writeFile(out + "/manifest.json", unparseProfileManifest(m));
  StringSink nar;
  dumpPath(out, nar);
  StringSource source(nar.s);
  return store.addToStoreFromDump(source, "profile", ContentAddressMethod::nar, HashAlgo::sha256, references,
                                  Repair::no);
}

// Applies `change` to the profile's elements and switches to a new generation with the result
// (unless the newest generation already has it, as Nix's updateProfile). If another process
// changes the profile meanwhile, starts again from its new state, as nix-env does (Nix 2.8's
// nix profile takes no lock and loses one of two concurrent changes).
void modifyProfile(Context& cx, LocalStore& store, const std::function<ProfileManifest(ProfileManifest)>& change) {
  for (;;) {
    std::string token = optimisticLockProfile(cx.profile);
    StorePath out = buildManifest(store, change(readManifest(cx, cx.profile)));
    auto lock = lockProfile(cx.profile);
    if (optimisticLockProfile(cx.profile) != token) {
      std::cerr << "profile '" << cx.profile << "' changed while we were busy; restarting\n";
      continue;
    }
    switchLink(cx.profile, createGeneration(store, cx.profile, out));
    return;
  }
}

// Element selectors of `remove` and `upgrade`: an index, a store path, or a regular expression
// (POSIX extended, case-insensitive) matched against a flake element's attribute path.
struct Matcher {
  enum class Kind { index, path, regex } kind;
  std::string text;
  size_t index = 0;
  std::regex re;
};

std::vector<Matcher> parseMatchers(const Strings& args, const StoreDir& dir) {
  std::vector<Matcher> res;
  for (auto& s : args) {
    Matcher m;
    m.text = s;
    if (!s.empty() && s.size() < 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      m.kind = Matcher::Kind::index;
      m.index = std::stoull(s);
    } else if (dir.isStorePath(s)) {
      m.kind = Matcher::Kind::path;
    } else {
      m.kind = Matcher::Kind::regex;
      try {
        m.re = std::regex(s, std::regex::extended | std::regex::icase);
      } catch (std::regex_error& e) {
        throw Error(e.what());
      }
    }
    res.push_back(std::move(m));
  }
  return res;
}

bool matches(const ProfileElement& e, size_t pos, const std::vector<Matcher>& matchers) {
  for (auto& m : matchers) {
    switch (m.kind) {
      case Matcher::Kind::index:
        if (m.index == pos) return true;
        break;
      case Matcher::Kind::path:
        if (std::find(e.storePaths.begin(), e.storePaths.end(), m.text) != e.storePaths.end()) return true;
        break;
      case Matcher::Kind::regex:
        if (e.source && std::regex_match(e.source->attrPath, m.re)) return true;
        break;
    }
  }
  return false;
}

void warnUnmatched(const std::vector<Matcher>& matchers) {
  for (auto& m : matchers) {
    switch (m.kind) {
      case Matcher::Kind::index: std::cerr << "warning: '" << m.index << "' is not a valid index\n"; break;
      case Matcher::Kind::path: std::cerr << "warning: '" << m.text << "' does not match any paths\n"; break;
      case Matcher::Kind::regex: std::cerr << "warning: '" << m.text << "' does not match any packages\n"; break;
    }
  }
  std::cerr << "warning: Use 'nix profile list' to see the current profile.\n";
}

const char* flakesDisabled =
    "experimental Nix feature 'flakes' is disabled; use '--extra-experimental-features flakes' to override";

// The output path `outputName` of the derivation `drvPath`.
std::string outputPathOf(LocalStore& store, const std::string& drvPath, const std::string& outputName) {
  auto all = derivationOutputPaths(store, store.storeDir().parsePath(drvPath));
  auto i = all.find(outputName);
  if (i == all.end()) throw Error("derivation '" + drvPath + "' does not have an output named '" + outputName + "'");
  return store.storeDir().printPath(i->second);
}

int cmdInstall(Context& cx, ArgParser& ap, InstallableArgs ia) {
  // Flake installables ("REF#ATTR", or a directory with a flake.nix): local path flakes only.
  std::vector<std::pair<std::string, std::string>> flakes;  // directory, attribute
  if (!ia.file && !ia.expr && cx.settings.experimentalFeatures.count("flakes")) {
    Strings plain;
    for (auto& i : ia.installables) {
      auto hash = i.find('#');
      std::string ref = i.substr(0, hash), attr = hash == std::string::npos ? "" : i.substr(hash + 1);
      bool isDir = (i.starts_with("/") || i.starts_with(".")) && pathExists(absPathIn(i, currentDir()) + "/flake.nix");
      if (hash == std::string::npos && !isDir && (i.starts_with("/") || i.starts_with("."))) {
        plain.push_back(i);
        continue;
      }
      auto dir = localFlakeDir(ref);
      if (!dir)
        throw Error("cannot use flake reference '" + ref +
                    "': nixpp supports only local flakes ('path:/dir', '/dir', './dir') without inputs");
      flakes.emplace_back(*dir, attr);
    }
    ia.installables = plain;
  } else if (!ia.file && !ia.expr) {
    for (auto& i : ia.installables)  // a flake directory: Nix 2.8 takes it for a flake
      if ((i.starts_with("/") || i.starts_with(".")) && pathExists(absPathIn(i, currentDir()) + "/flake.nix"))
        throw Error(flakesDisabled);
  }
  std::vector<Target> targets;
  if ((!ia.installables.empty() || ia.file || ia.expr || flakes.empty()) &&
      !resolveInstallables(ia, ap, cx.settings, cx.session, targets))
    return 1;
  LocalStore& store = cx.store();
  const StoreDir& dir = store.storeDir();
  std::vector<StorePath> drvs;
  std::vector<ProfileElement> added;
  for (auto& t : targets) {
    ProfileElement e;
    if (t.path) {
      store.addTempRoot(*t.path);
      if (!store.isValidPath(*t.path))
        throw InvalidPath("path '" + dir.printPath(*t.path) + "' is required, but there is no substituter that can build it");
      e.storePaths.push_back(dir.printPath(*t.path));
    } else {
      auto all = derivationOutputPaths(store, *t.drvPath);
      if (t.outputs)
        for (auto& o : *t.outputs)
          if (!all.count(o))
            throw Error("derivation '" + dir.printPath(*t.drvPath) + "' does not have an output named '" + o + "'");
      for (auto& [name, p] : all)
        if (!t.outputs || t.outputs->count(name)) e.storePaths.push_back(dir.printPath(p));
      std::sort(e.storePaths.begin(), e.storePaths.end());
      drvs.push_back(*t.drvPath);
    }
    added.push_back(std::move(e));
  }
  for (auto& [flakeDir, attr] : flakes) {
    bool exact = attr.starts_with(".");
    FlakeTarget t = resolveLocalFlake(cx.flakeState(), store, cx.settings.system, flakeDir,
                                      exact ? attr.substr(1) : attr, exact);
    ProfileElement e;
    e.source = ProfileElementSource{t.originalUrl, t.lockedUrl, t.attrPath};
    e.storePaths.push_back(outputPathOf(store, t.drvPath, t.outputName));
    drvs.push_back(dir.parsePath(t.drvPath));
    added.push_back(std::move(e));
  }
  if (!drvs.empty()) buildDerivations(store, cx.settings, drvs);
  modifyProfile(cx, store, [&](ProfileManifest m) {
    for (auto& e : added) m.elements.push_back(e);
    return m;
  });
  return 0;
}

int cmdRemove(Context& cx, const Strings& args) {
  LocalStore& store = cx.store();
  auto matchers = parseMatchers(args, store.storeDir());
  modifyProfile(cx, store, [&](ProfileManifest old) {
    ProfileManifest kept;
    for (size_t i = 0; i < old.elements.size(); ++i) {
      if (matches(old.elements[i], i, matchers)) std::cerr << "removing '" << describe(old.elements[i]) << "'\n";
      else kept.elements.push_back(old.elements[i]);
    }
    size_t removed = old.elements.size() - kept.elements.size();
    std::cerr << "removed " << removed << " packages, kept " << kept.elements.size() << " packages\n";
    if (removed == 0) warnUnmatched(matchers);
    return kept;
  });
  return 0;
}

int cmdUpgrade(Context& cx, const Strings& args) {
  LocalStore& store = cx.store();
  auto matchers = parseMatchers(args, store.storeDir());
  modifyProfile(cx, store, [&](ProfileManifest m) {
    size_t upgraded = 0;
    for (size_t i = 0; i < m.elements.size(); ++i) {
      auto& e = m.elements[i];
      // Only elements from an unlocked flake can be upgraded (re-evaluated from their source);
      // the others are store paths, as in Nix 2.8.
      if (!e.source || e.source->originalUrl.find("narHash=") != std::string::npos || !matches(e, i, matchers))
        continue;
      ++upgraded;
      auto flakeDir = localFlakeDir(e.source->originalUrl);
      if (!flakeDir)
        throw Error("cannot upgrade '" + describe(e) + "': nixpp supports only local flakes without inputs");
      if (!cx.settings.experimentalFeatures.count("flakes")) throw Error(flakesDisabled);
      FlakeTarget t =
          resolveLocalFlake(cx.flakeState(), store, cx.settings.system, *flakeDir, e.source->attrPath, true);
      if (t.lockedUrl == e.source->url) continue;
      std::cerr << "upgrading '" << e.source->attrPath << "' from flake '" << e.source->url << "' to '"
                << t.lockedUrl << "'\n";
      buildDerivations(store, cx.settings, {store.storeDir().parsePath(t.drvPath)});
      e.storePaths = {outputPathOf(store, t.drvPath, t.outputName)};
      e.source->url = t.lockedUrl;
      e.source->attrPath = t.attrPath;
    }
    if (upgraded == 0) warnUnmatched(matchers);
    return m;
  });
  return 0;
}

int cmdList(Context& cx) {
  ProfileManifest manifest = readManifest(cx, cx.profile);
  for (size_t i = 0; i < manifest.elements.size(); ++i) {
    auto& e = manifest.elements[i];
    std::cout << i << " " << (e.source ? e.source->originalUrl + "#" + e.source->attrPath : "-") << " "
              << (e.source ? e.source->url + "#" + e.source->attrPath : "-") << " " << concatStringsSep(" ", e.storePaths)
              << "\n";
  }
  return 0;
}

// Nix 2.8's ProfileManifest::printDiff: per element (by description), what was added, removed
// or changed version.
void printManifestDiff(const ProfileManifest& prev, const ProfileManifest& cur, const std::string& indent) {
  auto key = [](const ProfileElement& e) { return std::make_pair(describe(e), e.storePaths); };
  auto sorted = [&](std::vector<ProfileElement> v) {
    std::sort(v.begin(), v.end(), [&](auto& a, auto& b) { return key(a) < key(b); });
    return v;
  };
  auto a = sorted(prev.elements), b = sorted(cur.elements);
  auto i = a.begin();
  auto j = b.begin();
  bool changes = false;
  while (i != a.end() || j != b.end()) {
    if (j != b.end() && (i == a.end() || describe(*i) > describe(*j))) {
      std::cout << indent << describe(*j) << ": \u2205 -> " << versions(*j) << "\n";
      changes = true;
      ++j;
    } else if (i != a.end() && (j == b.end() || describe(*i) < describe(*j))) {
      std::cout << indent << describe(*i) << ": " << versions(*i) << " -> \u2205\n";
      changes = true;
      ++i;
    } else {
      auto v1 = versions(*i), v2 = versions(*j);
      if (v1 != v2) {
        std::cout << indent << describe(*i) << ": " << v1 << " -> " << v2 << "\n";
        changes = true;
      }
      ++i;
      ++j;
    }
  }
  if (!changes) std::cout << indent << "No changes.\n";
}

int cmdHistory(Context& cx) {
  auto gens = findGenerations(cx.profile);
  std::optional<std::pair<GenerationNumber, ProfileManifest>> prev;
  bool first = true;
  for (auto& gen : gens.gens) {
    ProfileManifest m = readManifest(cx, gen.path);
    if (!first) std::cout << "\n";
    first = false;
    char date[32];
    struct tm tm;
    time_t t = gen.creationTime;
    ::gmtime_r(&t, &tm);
    ::strftime(date, sizeof date, "%Y-%m-%d", &tm);
    std::cout << "Version " << (gens.current == gen.number ? ansiGreen : ansiBold) << gen.number << ansiNormal << " ("
              << date << ")" << (prev ? " <- " + std::to_string(prev->first) : "") << ":\n";
    printManifestDiff(prev ? prev->second : ProfileManifest{}, m, "  ");
    prev = std::make_pair(gen.number, std::move(m));
  }
  return 0;
}

int cmdDiffClosures(Context& cx) {
  LocalStore& store = cx.store();
  auto gens = findGenerations(cx.profile);
  bool first = true;
  for (size_t i = 1; i < gens.gens.size(); ++i) {
    auto& a = gens.gens[i - 1];
    auto& b = gens.gens[i];
    if (!first) std::cout << "\n";
    first = false;
    std::cout << "Version " << a.number << " -> " << b.number << ":\n";
    printClosureDiff(store, followLinksToStorePath(store, a.path), followLinksToStorePath(store, b.path), "  ",
                     std::cout);
  }
  return 0;
}

} // namespace

std::string showVersions(const std::set<std::string>& versions) {
  if (versions.empty()) return "\u2205";
  std::set<std::string> shown;
  for (auto& v : versions) shown.insert(v.empty() ? "\u03b5" : v);
  return concatStringsSep(", ", std::vector<std::string>(shown.begin(), shown.end()));
}

void printClosureDiff(Store& store, const StorePath& before, const StorePath& after, const std::string& indent,
                      std::ostream& out) {
  // name -> version -> paths; an output name ("-man", "-lib64") is stripped from the name first.
  using Grouped = std::map<std::string, std::map<std::string, StorePathSet>>;
  auto group = [&](const StorePath& top) {
    static const std::regex outputSuffix("(.*)-([a-z]+|lib32|lib64)");
    Grouped g;
    for (auto& p : computeFSClosure(store, {top})) {
      std::string name(p.name());
      std::smatch m;
      if (std::regex_match(name, m, outputSuffix)) name = m[1];
      DrvName dn(name);
      g[dn.name][dn.version].insert(p);
    }
    return g;
  };
  Grouped a = group(before), b = group(after);
  std::set<std::string> names;
  for (auto& [n, _] : a) names.insert(n);
  for (auto& [n, _] : b) names.insert(n);
  auto totalSize = [&](const std::map<std::string, StorePathSet>& vs) {
    uint64_t sum = 0;
    for (auto& [_, paths] : vs)
      for (auto& p : paths) sum += store.queryPathInfo(p).narSize;
    return sum;
  };
  for (auto& name : names) {
    auto& va = a[name];
    auto& vb = b[name];
    int64_t delta = int64_t(totalSize(vb)) - int64_t(totalSize(va));
    bool showDelta = std::abs(delta) >= 8 * 1024;
    std::set<std::string> removed, added;
    for (auto& [v, _] : va)
      if (!vb.count(v)) removed.insert(v);
    for (auto& [v, _] : vb)
      if (!va.count(v)) added.insert(v);
    if (!showDelta && removed.empty() && added.empty()) continue;
    std::vector<std::string> items;
    if (!removed.empty() || !added.empty()) items.push_back(showVersions(removed) + " \u2192 " + showVersions(added));
    if (showDelta) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s%+.1f KiB%s", delta > 0 ? "\x1b[31;1m" : "\x1b[32;1m", double(delta) / 1024.0,
                    "\x1b[0m");
      items.push_back(buf);
    }
    out << indent << name << ": " << concatStringsSep(", ", items) << "\n";
  }
}

int nixStoreDiffClosuresCommand(Strings args) {
  ArgParser ap("nix store diff-closures", std::move(args));
  CommonFlags common(Frontend::nixCommand);
  Strings positional;
  while (ap.next()) {
    if (!ap.isFlag()) positional.push_back(ap.arg());
    else if (ap.arg() == "--help") {
      std::cout << "Usage: nix store diff-closures [option...] before after\n\n"
                   "Show what packages and versions were added and removed between two closures\n"
                   "(store paths, or links to them such as profiles and ./result).\n";
      return 0;
    } else if (!common.handle(ap)) ap.unknownFlag();
  }
  if (positional.size() < 2) ap.fail("not enough arguments; expected 'before' and 'after'");
  if (positional.size() > 2) ap.fail("unexpected argument '" + positional[2] + "'");
  Settings settings = common.load(SettingsHost::real(), std::cerr);
  StoreRef store(settings);
  StorePath before = followLinksToStorePath(*store, positional[0]);
  StorePath after = followLinksToStorePath(*store, positional[1]);
  printClosureDiff(*store, before, after, "", std::cout);
  return 0;
}

int nixProfileCommand(Strings args) {
  if (args.empty() || args[0].starts_with("-")) {
    if (!args.empty() && args[0] == "--help") {
      std::cout << usage;
      return 0;
    }
    throw UsageError("'nix profile' requires a sub-command.\nTry 'nix --help' for more information.");
  }
  std::string sub = args[0];
  static const std::set<std::string> subs = {"install", "remove",  "upgrade",      "list",
                                             "rollback", "history", "wipe-history", "diff-closures"};
  if (!subs.count(sub)) throw UsageError("'" + sub + "' is not a recognised command\nTry 'nix --help' for more information.");
  ArgParser ap("nix profile " + sub, Strings(args.begin() + 1, args.end()));
  CommonFlags common(Frontend::nixCommand);
  InstallableArgs ia;
  Strings positional;
  std::optional<std::string> profile, olderThan;
  std::optional<GenerationNumber> to;
  bool dryRun = false;
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) positional.push_back(a);
    else if (a == "--help") {
      std::cout << usage;
      return 0;
    } else if (a == "--profile") profile = ap.value();
    else if (a == "--dry-run" && (sub == "rollback" || sub == "wipe-history")) dryRun = true;
    else if (a == "--to" && sub == "rollback") {
      std::string v = ap.value();
      if (v.empty() || v.size() > 19 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
        ap.fail("'--to' requires a version number, not '" + v + "'");
      to = std::stoull(v);
    } else if (a == "--older-than" && sub == "wipe-history") olderThan = ap.value();
    else if ((sub == "install" || sub == "upgrade") && ia.handle(ap)) {
    } else if (!common.handle(ap)) ap.unknownFlag();
  }
  if (sub == "install") ia.installables = positional;
  else if (sub != "remove" && sub != "upgrade" && !positional.empty())
    ap.fail("unexpected argument '" + positional[0] + "'");

  Context cx;
  cx.settings = common.load(SettingsHost::real(), std::cerr);
  cx.impure = ia.impure;
  cx.profile = profile ? absPathIn(*profile, currentDir()) : defaultProfile(cx.settings);
  std::time_t olderThanTime = 0;
  if (olderThan) {
    // Nix 2.8's words: a malformed spec is explained; "0d" is merely invalid.
    static const std::regex daysSpec("[0-9]+d");
    try {
      if (!std::regex_match(*olderThan, daysSpec))
        throw UsageError("invalid number of days specifier '" + *olderThan + "', expected something like '14d'");
      olderThanTime = parseOlderThanTimeSpec(*olderThan);
    } catch (UsageError& e) {
      throw UsageError(std::string(e.what()) + "\nTry 'nix --help' for more information.");
    }
  }
  try {
    if (sub == "install") return cmdInstall(cx, ap, ia);
    if (sub == "remove") return cmdRemove(cx, positional);
    if (sub == "upgrade") return cmdUpgrade(cx, positional);
    if (sub == "list") return cmdList(cx);
    if (sub == "history") return cmdHistory(cx);
    if (sub == "diff-closures") return cmdDiffClosures(cx);
    if (sub == "rollback") {
      switchGeneration(cx.profile, to, dryRun, std::cerr);
      return 0;
    }
    if (olderThan) deleteGenerationsOlderThan(cx.profile, olderThanTime, dryRun, std::cerr);
    else deleteOldGenerations(cx.profile, dryRun, std::cerr);
  } catch (EvalError& e) {
    std::cout.flush();
    std::cerr << formatEvalError(e, ia.showTrace, "nix") << std::endl;
    return 1;
  }
  return 0;
}

} // namespace nixpp
