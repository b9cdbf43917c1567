// cli/common_flags.h: the flags every Nix front-end shares, and the one place a command's
// Settings are loaded. A front-end calls CommonFlags::handle() in its argument loop for each
// flag it does not know itself, then load() once to get its Settings:
//   --option NAME VALUE, --store URL, -v/--verbose, --quiet, --debug, --show-trace,
//   -j/--max-jobs N, --cores N, and, for every known setting, --NAME VALUE (--NAME / --no-NAME
//   for booleans) and --extra-NAME VALUE (list settings). Legacy tools also take -k (keep-going)
//   and -K (keep-failed).
// Flag values are applied after the configuration files and NIX_CONFIG, in command-line order.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/args.h"
#include "store/settings.h"

namespace nixpp {

enum class Frontend {
  nixCommand,  // `nix ...`: pure-eval defaults to true; unknown --option names are silently kept
  legacy,      // nix-store, nix-build, ...: unknown --option names are warned about
};

class CommonFlags {
public:
  explicit CommonFlags(Frontend frontend) : frontend_(frontend) {}

  // If p.arg() is a shared flag, consumes it and its value(s) and returns true; false leaves the
  // argument to the caller (who will usually call p.unknownFlag()). Throws UsageError for a
  // missing value.
  bool handle(ArgParser& p);

  // Loads the Settings: defaults, files and NIX_CONFIG (Settings::load), then the flags seen.
  // Prints "warning: unknown setting 'NAME'" lines to `warnings`. Throws as Settings::load, and
  // UsageError for an invalid flag value.
  Settings load(const SettingsHost& host, std::ostream& warnings) const;

  // Nix's verbosity level: 3 (info) by default, +1 per -v, 0 (error) with --quiet.
  int verbosity() const { return verbosity_; }

private:
  Frontend frontend_;
  int verbosity_ = 3;
  // (name, value, fromOption): settings to apply after the files, in order.
  struct Override {
    std::string name, value;
    bool viaOption;
  };
  std::vector<Override> overrides_;
};

} // namespace nixpp
