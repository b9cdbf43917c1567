// store/settings.h: nixpp's configuration, loaded once per command and passed down as a value
// (there are no global settings). Loading follows Nix 2.8's order, each source overriding the
// previous ones:
//   1. built-in defaults (some from the environment: NIX_REMOTE, NIX_PATH, the number of cores);
//   2. $NIX_CONF_DIR/nix.conf (NIX_CONF_DIR defaults to /etc/nix);
//   3. the user files: the ':'-separated $NIX_USER_CONF_FILES, else $XDG_CONFIG_DIRS/nix/nix.conf
//      (default /etc/xdg) and $XDG_CONFIG_HOME/nix/nix.conf (default ~/.config); earlier files in
//      those lists win, XDG_CONFIG_HOME wins over XDG_CONFIG_DIRS;
//   4. the contents of $NIX_CONFIG;
//   5. the command line (--option NAME VALUE, --NAME VALUE, --extra-NAME VALUE), via
//      Settings::set after load().
// `extra-NAME = V` appends V to a list setting NAME. Unknown names are not errors: they are
// collected as warnings ("unknown setting 'foo'") for the front-end to print.
// All access to the environment and the file system goes through SettingsHost, so tests can
// load settings without reading /etc/nix or the real environment.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/config.h"
#include "util/error.h"

namespace nixpp {

// What loading settings may ask of the outside world.
struct SettingsHost {
  // An environment variable, or nullopt if unset.
  std::function<std::optional<std::string>(const std::string&)> getEnv;
  // A file's contents, or nullopt if it does not exist or cannot be read.
  ConfigFileReader readFile;
  // The number of CPU cores (the default of `cores`).
  unsigned hardwareCores = 1;

  // The real process environment and file system.
  static SettingsHost real();
};

enum class SandboxMode { disabled, enabled, relaxed };

using StringList = std::vector<std::string>;
using StringSet = std::set<std::string>;

// The configuration of one nixpp command. Typed fields for the settings nixpp uses; every other
// setting Nix 2.8 knows is kept as text in `other` (still validated against its type), so that
// none of them is "unknown" and `nix config show` prints them all.
struct Settings {
  // --- Locations, from the environment only (not settings) ---
  std::string storeDir = "/nix/store";       // NIX_STORE_DIR
  std::string stateDir = "/nix/var/nix";     // NIX_STATE_DIR
  std::string logDir = "/nix/var/log/nix";   // NIX_LOG_DIR
  std::string confDir = "/etc/nix";          // NIX_CONF_DIR

  // --- Settings ---
  std::string store = "auto";               // store: URL of the store to use (default $NIX_REMOTE)
  SandboxMode sandbox = SandboxMode::enabled;
  StringSet sandboxPaths;                   // sandbox-paths
  bool sandboxFallback = true;
  std::string sandboxBuildDir = "/build";
  uint64_t maxJobs = 1;                     // max-jobs ("auto" = number of cores)
  uint64_t cores = 1;                       // 0 = all cores
  std::string buildUsersGroup;
  StringList substituters = {"https://cache.nixos.org/"};
  StringList trustedSubstituters;
  StringList trustedPublicKeys = {"cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="};
  StringList secretKeyFiles;
  bool requireSigs = true;
  bool substitute = true;
  bool keepOutputs = false;
  bool keepDerivations = true;
  bool keepGoing = false;
  bool keepFailed = false;
  bool autoOptimiseStore = false;
  // fsync-store-paths (a setting of later Nix versions): fsync the contents of every store path
  // before registering it. Off, as in Nix: only the database is synced; a path's contents are
  // complete on disk (in the page cache) before it is registered, which survives a killed
  // process but not a power failure.
  bool fsyncStorePaths = false;
  StringSet experimentalFeatures;
  std::string system = "x86_64-linux";
  StringSet extraPlatforms;
  StringSet systemFeatures = {"benchmark", "big-parallel", "nixos-test"};
  std::string buildDir;                     // build-dir (empty: $TMPDIR)
  uint64_t connectTimeout = 0;
  bool fallback = false;
  StringList hashedMirrors;
  uint64_t narinfoCacheNegativeTtl = 3600;
  uint64_t narinfoCachePositiveTtl = 30 * 24 * 3600;
  uint64_t minFree = 0;
  uint64_t maxFree = UINT64_MAX;
  StringList allowedUsers = {"*"};
  StringList trustedUsers = {"root"};
  bool showTrace = false;
  bool pureEval = false;
  bool restrictEval = false;
  StringList allowedUris;
  StringList nixPath;                       // default: $NIX_PATH split on ':'
  bool warnDirty = true;
  uint64_t maxSilentTime = 0;
  uint64_t timeout = 0;

  // Cores of this machine: what max-jobs = auto means.
  unsigned hostCores = 1;

  // Every other setting Nix 2.8 knows, by name, as the text `nix show-config` prints.
  std::map<std::string, std::string> other;

  // Unknown names met while loading (sorted, as Nix prints its "warning: unknown setting" lines).
  std::set<std::string> unknown;

  // The defaults for this host (reads NIX_*_DIR, NIX_REMOTE, NIX_PATH; no files).
  static Settings defaults(const SettingsHost& host);

  // Defaults, then the configuration files and NIX_CONFIG as described above. Throws UsageError
  // for a malformed line or an invalid value ("setting 'cores' has invalid value 'x'", "Boolean
  // setting 'x' has invalid value 'y'"), Error for a missing `include`.
  static Settings load(const SettingsHost& host);
  // As above, starting from `base` (normally defaults(host), adjusted by the front-end: the `nix`
  // command defaults pure-eval to true).
  static Settings load(const SettingsHost& host, Settings base);

  // Sets NAME (or an alias of it) to VALUE; "extra-NAME" appends to a list setting. Returns false,
  // changing nothing, if the name is unknown (or extra- of a non-list). Throws UsageError for an
  // invalid value.
  bool set(std::string_view name, std::string_view value);
  // As set(), but an unknown name is remembered in `unknown`.
  void apply(const std::vector<ConfigAssignment>& assignments);

  // The value of a setting as `nix show-config` prints it, or nullopt for an unknown name.
  std::optional<std::string> get(std::string_view name) const;
  // Every setting, sorted by name, with its printed value.
  std::map<std::string, std::string> all() const;

  // Whether `name` is a known boolean setting (which take no argument on the `nix` command line:
  // --NAME / --no-NAME), or a list setting (which has an --extra-NAME form).
  static bool isBoolSetting(std::string_view name);
  static bool isKnownSetting(std::string_view name);
  static bool isListSetting(std::string_view name);
};

} // namespace nixpp
