#include "store/settings.h"

#include <cerrno>
#include <cstdlib>
#include <thread>

#include <unistd.h>

#include "sys/file.h"
#include "util/strings.h"

namespace nixpp {

namespace {

enum class Kind { boolean, uint, string, list, set, sandbox, maxJobs };

// One known setting: how its text is parsed and printed, and where the value lives (a typed
// field of Settings, or Settings::other).
struct SettingDesc {
  std::string_view name;
  Kind kind;
  // Typed access; null for settings kept as text in Settings::other.
  std::function<void(Settings&, std::string_view value, bool append)> set;
  std::function<std::string(const Settings&)> get;
  std::string_view def = {};  // default text, for `other` settings
};

[[noreturn]] void invalid(std::string_view name, std::string_view value) {
  throw UsageError("setting " + quoted(name) + " has invalid value " + quoted(value));
}

bool parseBool(std::string_view name, std::string_view v) {
  if (v == "true" || v == "yes" || v == "1") return true;
  if (v == "false" || v == "no" || v == "0") return false;
  throw UsageError("Boolean setting " + quoted(name) + " has invalid value " + quoted(v));
}

uint64_t parseU64(std::string_view name, std::string_view v) {
  auto n = parseUInt(v);
  if (!n) invalid(name, v);
  return *n;
}

std::string showSandbox(SandboxMode m) {
  return m == SandboxMode::enabled ? "true" : m == SandboxMode::disabled ? "false" : "relaxed";
}

// Typed-field descriptors.
SettingDesc boolField(std::string_view name, bool Settings::*f) {
  return {name, Kind::boolean, [=](Settings& s, std::string_view v, bool) { s.*f = parseBool(name, v); },
          [=](const Settings& s) { return std::string(s.*f ? "true" : "false"); }};
}
SettingDesc uintField(std::string_view name, uint64_t Settings::*f) {
  return {name, Kind::uint, [=](Settings& s, std::string_view v, bool) { s.*f = parseU64(name, v); },
          [=](const Settings& s) { return std::to_string(s.*f); }};
}
SettingDesc stringField(std::string_view name, std::string Settings::*f) {
  return {name, Kind::string, [=](Settings& s, std::string_view v, bool) { s.*f = v; },
          [=](const Settings& s) { return s.*f; }};
}
SettingDesc listField(std::string_view name, StringList Settings::*f) {
  return {name, Kind::list,
          [=](Settings& s, std::string_view v, bool append) {
            if (!append) (s.*f).clear();
            for (auto& t : tokenizeString(v)) (s.*f).push_back(t);
          },
          [=](const Settings& s) { return concatStringsSep(" ", s.*f); }};
}
SettingDesc setField(std::string_view name, StringSet Settings::*f) {
  return {name, Kind::set,
          [=](Settings& s, std::string_view v, bool append) {
            if (!append) (s.*f).clear();
            for (auto& t : tokenizeString(v)) (s.*f).insert(t);
          },
          [=](const Settings& s) { return concatStringsSep(" ", {(s.*f).begin(), (s.*f).end()}); }};
}
// A setting nixpp does not use yet, kept as normalised text in Settings::other.
SettingDesc otherField(std::string_view name, Kind kind, std::string_view def) {
  return {name, kind, nullptr, nullptr, def};
}

// Every setting Nix 2.8 knows (on Linux), sorted by name.
const std::vector<SettingDesc>& table() {
  using S = Settings;
  static const std::vector<SettingDesc> t = [] {
    std::vector<SettingDesc> v = {
        otherField("accept-flake-config", Kind::boolean, "false"),
        otherField("access-tokens", Kind::set, ""),
        otherField("allow-dirty", Kind::boolean, "true"),
        otherField("allow-import-from-derivation", Kind::boolean, "true"),
        otherField("allow-new-privileges", Kind::boolean, "false"),
        otherField("allow-symlinked-store", Kind::boolean, "false"),
        otherField("allow-unsafe-native-code-during-evaluation", Kind::boolean, "false"),
        otherField("allowed-impure-host-deps", Kind::set, ""),
        listField("allowed-uris", &S::allowedUris),
        listField("allowed-users", &S::allowedUsers),
        boolField("auto-optimise-store", &S::autoOptimiseStore),
        otherField("bash-prompt", Kind::string, ""),
        otherField("bash-prompt-suffix", Kind::string, ""),
        stringField("build-dir", &S::buildDir),
        otherField("build-hook", Kind::string, ""),
        otherField("build-poll-interval", Kind::uint, "5"),
        stringField("build-users-group", &S::buildUsersGroup),
        otherField("builders", Kind::string, ""),  // default set from confDir
        otherField("builders-use-substitutes", Kind::boolean, "false"),
        otherField("commit-lockfile-summary", Kind::string, ""),
        otherField("compress-build-log", Kind::boolean, "true"),
        uintField("connect-timeout", &S::connectTimeout),
        uintField("cores", &S::cores),
        otherField("diff-hook", Kind::string, ""),
        otherField("download-attempts", Kind::uint, "5"),
        otherField("enforce-determinism", Kind::boolean, "true"),
        otherField("eval-cache", Kind::boolean, "true"),
        setField("experimental-features", &S::experimentalFeatures),
        setField("extra-platforms", &S::extraPlatforms),
        boolField("fallback", &S::fallback),
        otherField("filter-syscalls", Kind::boolean, "true"),
        otherField("flake-registry", Kind::string, "https://github.com/NixOS/flake-registry/raw/master/flake-registry.json"),
        otherField("fsync-metadata", Kind::boolean, "true"),
        boolField("fsync-store-paths", &S::fsyncStorePaths),  // not in Nix 2.8: from later Nix
        otherField("gc-reserved-space", Kind::uint, "8388608"),
        listField("hashed-mirrors", &S::hashedMirrors),
        otherField("http-connections", Kind::uint, "25"),
        otherField("http2", Kind::boolean, "true"),
        otherField("ignored-acls", Kind::set, "security.selinux system.nfs4_acl"),
        otherField("impersonate-linux-26", Kind::boolean, "false"),
        otherField("keep-build-log", Kind::boolean, "true"),
        boolField("keep-derivations", &S::keepDerivations),
        otherField("keep-env-derivations", Kind::boolean, "false"),
        boolField("keep-failed", &S::keepFailed),
        boolField("keep-going", &S::keepGoing),
        boolField("keep-outputs", &S::keepOutputs),
        otherField("log-lines", Kind::uint, "10"),
        otherField("max-build-log-size", Kind::uint, "0"),
        uintField("max-free", &S::maxFree),
        {"max-jobs", Kind::maxJobs,
         [](Settings& s, std::string_view v, bool) {
           if (v == "auto") {
             s.maxJobs = s.hostCores;
           } else {
             auto n = parseUInt(v);
             if (!n) throw UsageError("configuration setting 'max-jobs' should be 'auto' or an integer");
             s.maxJobs = *n;
           }
         },
         [](const Settings& s) { return std::to_string(s.maxJobs); }},
        uintField("max-silent-time", &S::maxSilentTime),
        uintField("min-free", &S::minFree),
        otherField("min-free-check-interval", Kind::uint, "5"),
        otherField("nar-buffer-size", Kind::uint, "33554432"),
        uintField("narinfo-cache-negative-ttl", &S::narinfoCacheNegativeTtl),
        uintField("narinfo-cache-positive-ttl", &S::narinfoCachePositiveTtl),
        otherField("netrc-file", Kind::string, ""),  // default set from confDir
        listField("nix-path", &S::nixPath),
        otherField("plugin-files", Kind::list, ""),
        otherField("post-build-hook", Kind::string, ""),
        otherField("pre-build-hook", Kind::string, ""),
        otherField("preallocate-contents", Kind::boolean, "false"),
        otherField("print-missing", Kind::boolean, "true"),
        boolField("pure-eval", &S::pureEval),
        otherField("repeat", Kind::uint, "0"),
        boolField("require-sigs", &S::requireSigs),
        boolField("restrict-eval", &S::restrictEval),
        otherField("run-diff-hook", Kind::boolean, "false"),
        {"sandbox", Kind::sandbox,
         [](Settings& s, std::string_view v, bool) {
           if (v == "true") s.sandbox = SandboxMode::enabled;
           else if (v == "false") s.sandbox = SandboxMode::disabled;
           else if (v == "relaxed") s.sandbox = SandboxMode::relaxed;
           else throw UsageError("option 'sandbox' has invalid value " + quoted(v));
         },
         [](const Settings& s) { return showSandbox(s.sandbox); }},
        stringField("sandbox-build-dir", &S::sandboxBuildDir),
        otherField("sandbox-dev-shm-size", Kind::string, "50%"),
        boolField("sandbox-fallback", &S::sandboxFallback),
        setField("sandbox-paths", &S::sandboxPaths),
        listField("secret-key-files", &S::secretKeyFiles),
        boolField("show-trace", &S::showTrace),
        otherField("stalled-download-timeout", Kind::uint, "300"),
        stringField("store", &S::store),
        boolField("substitute", &S::substitute),
        listField("substituters", &S::substituters),
        otherField("sync-before-registering", Kind::boolean, "false"),
        stringField("system", &S::system),
        setField("system-features", &S::systemFeatures),
        otherField("tarball-ttl", Kind::uint, "3600"),
        uintField("timeout", &S::timeout),
        otherField("trace-function-calls", Kind::boolean, "false"),
        listField("trusted-public-keys", &S::trustedPublicKeys),
        listField("trusted-substituters", &S::trustedSubstituters),
        listField("trusted-users", &S::trustedUsers),
        otherField("use-case-hack", Kind::boolean, "false"),
        otherField("use-registries", Kind::boolean, "true"),
        otherField("use-sqlite-wal", Kind::boolean, "true"),
        otherField("user-agent-suffix", Kind::string, ""),
        boolField("warn-dirty", &S::warnDirty),
    };
    return v;
  }();
  return t;
}

// Old names Nix 2.8 still accepts.
const std::map<std::string_view, std::string_view>& aliases() {
  static const std::map<std::string_view, std::string_view> a = {
      {"binary-cache-public-keys", "trusted-public-keys"},
      {"binary-caches", "substituters"},
      {"build-chroot-dirs", "sandbox-paths"},
      {"build-compress-log", "compress-build-log"},
      {"build-cores", "cores"},
      {"build-extra-chroot-dirs", "extra-sandbox-paths"},
      {"build-extra-sandbox-paths", "extra-sandbox-paths"},
      {"build-fallback", "fallback"},
      {"build-impersonate-linux-26", "impersonate-linux-26"},
      {"build-keep-log", "keep-build-log"},
      {"build-max-jobs", "max-jobs"},
      {"build-max-log-size", "max-build-log-size"},
      {"build-max-silent-time", "max-silent-time"},
      {"build-repeat", "repeat"},
      {"build-sandbox-paths", "sandbox-paths"},
      {"build-timeout", "timeout"},
      {"build-use-chroot", "sandbox"},
      {"build-use-sandbox", "sandbox"},
      {"build-use-substitutes", "substitute"},
      {"env-keep-derivations", "keep-env-derivations"},
      {"gc-keep-derivations", "keep-derivations"},
      {"gc-keep-outputs", "keep-outputs"},
      {"trusted-binary-caches", "trusted-substituters"},
  };
  return a;
}

const SettingDesc* find(std::string_view name) {
  auto& t = table();
  auto it = std::lower_bound(t.begin(), t.end(), name, [](const SettingDesc& d, std::string_view n) { return d.name < n; });
  return it != t.end() && it->name == name ? &*it : nullptr;
}

bool isList(Kind k) { return k == Kind::list || k == Kind::set; }

// Normalised text of an `other` setting after setting (or appending) `v`.
std::string otherValue(const SettingDesc& d, const std::string& old, std::string_view v, bool append) {
  switch (d.kind) {
    case Kind::boolean: return parseBool(d.name, v) ? "true" : "false";
    case Kind::uint: return std::to_string(parseU64(d.name, v));
    case Kind::list: {
      auto items = append ? tokenizeString(old) : std::vector<std::string>{};
      for (auto& t : tokenizeString(v)) items.push_back(t);
      return concatStringsSep(" ", items);
    }
    case Kind::set: {
      std::set<std::string> items;
      if (append)
        for (auto& t : tokenizeString(old)) items.insert(t);
      for (auto& t : tokenizeString(v)) items.insert(t);
      return concatStringsSep(" ", {items.begin(), items.end()});
    }
    default: return std::string(v);
  }
}

} // namespace

SettingsHost SettingsHost::real() {
  SettingsHost h;
  h.getEnv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  h.readFile = [](const std::string& path) -> std::optional<std::string> {
    // Nix ignores configuration files it cannot read (applyConfigFile catches SysError).
    // Missing ones (the usual case) are skipped without an exception: unwinding costs every
    // process start-up time and resident pages of unwind tables.
    if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return std::nullopt;
    try {
      return nixpp::readFile(path);
    } catch (SysError&) {
      return std::nullopt;
    }
  };
  h.hardwareCores = std::max(1u, std::thread::hardware_concurrency());
  return h;
}

Settings Settings::defaults(const SettingsHost& host) {
  Settings s;
  auto env = [&](const char* name) { return host.getEnv ? host.getEnv(name) : std::nullopt; };
  if (auto v = env("NIX_STORE_DIR")) s.storeDir = *v;
  if (auto v = env("NIX_STATE_DIR")) s.stateDir = *v;
  if (auto v = env("NIX_LOG_DIR")) s.logDir = *v;
  if (auto v = env("NIX_CONF_DIR")) s.confDir = *v;
  if (auto v = env("NIX_REMOTE"); v && !v->empty()) s.store = *v;
  if (auto v = env("NIX_PATH")) s.nixPath = tokenizeString(*v, ":");
  s.hostCores = std::max(1u, host.hardwareCores);
  s.cores = s.hostCores;
  if (s.system == "x86_64-linux") s.extraPlatforms = {"i686-linux"};
  for (auto& d : table())
    if (!d.set) s.other[std::string(d.name)] = std::string(d.def);
  s.other["builders"] = "@" + s.confDir + "/machines";
  s.other["netrc-file"] = s.confDir + "/netrc";
  return s;
}

Settings Settings::load(const SettingsHost& host) { return load(host, defaults(host)); }

Settings Settings::load(const SettingsHost& host, Settings s) {
  auto env = [&](const char* name) { return host.getEnv ? host.getEnv(name) : std::nullopt; };

  std::vector<ConfigAssignment> as;
  parseConfigFile(s.confDir + "/nix.conf", host.readFile, as);
  s.apply(as);

  // User files, applied last-first so that the first listed wins.
  std::vector<std::string> files;
  if (auto v = env("NIX_USER_CONF_FILES")) {
    files = tokenizeString(*v, ":");
  } else {
    auto home = env("HOME").value_or("/");
    files.push_back(env("XDG_CONFIG_HOME").value_or(home + "/.config") + "/nix/nix.conf");
    for (auto& d : tokenizeString(env("XDG_CONFIG_DIRS").value_or("/etc/xdg"), ":")) files.push_back(d + "/nix/nix.conf");
  }
  for (auto f = files.rbegin(); f != files.rend(); ++f) {
    as.clear();
    parseConfigFile(*f, host.readFile, as);
    s.apply(as);
  }

  if (auto v = env("NIX_CONFIG")) {
    as.clear();
    parseConfig(*v, "NIX_CONFIG", host.readFile, as);
    s.apply(as);
  }
  return s;
}

bool Settings::set(std::string_view name, std::string_view value) {
  bool append = false;
  std::string_view real = name;
  if (auto a = aliases().find(real); a != aliases().end()) real = a->second;
  const SettingDesc* d = find(real);
  if (!d && hasPrefix(real, "extra-")) {
    real = real.substr(6);
    if (auto a = aliases().find(real); a != aliases().end()) real = a->second;
    d = find(real);
    if (!d || !isList(d->kind)) return false;
    append = true;
  }
  if (!d) return false;
  if (d->set) {
    d->set(*this, value, append);
  } else {
    auto& slot = other[std::string(d->name)];
    slot = otherValue(*d, slot, value, append);
  }
  return true;
}

void Settings::apply(const std::vector<ConfigAssignment>& assignments) {
  for (auto& a : assignments)
    if (!set(a.name, a.value)) unknown.insert(a.name);
}

std::optional<std::string> Settings::get(std::string_view name) const {
  const SettingDesc* d = find(name);
  if (!d) return std::nullopt;
  if (d->get) return d->get(*this);
  auto it = other.find(std::string(name));
  return it == other.end() ? std::string(d->def) : it->second;
}

std::map<std::string, std::string> Settings::all() const {
  std::map<std::string, std::string> res;
  for (auto& d : table()) res.emplace(d.name, *get(d.name));
  return res;
}

bool Settings::isBoolSetting(std::string_view name) {
  const SettingDesc* d = find(name);
  return d && (d->kind == Kind::boolean || d->kind == Kind::sandbox);
}

bool Settings::isKnownSetting(std::string_view name) { return find(name) != nullptr; }

bool Settings::isListSetting(std::string_view name) {
  const SettingDesc* d = find(name);
  return d && isList(d->kind);
}

} // namespace nixpp
