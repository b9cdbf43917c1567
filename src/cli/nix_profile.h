// cli/nix_profile.h: what `nix profile` shares with other commands: Nix's closure difference
// (`nix profile diff-closures`, `nix store diff-closures`) and its way of showing versions.
#pragma once

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "format/store_path.h"

namespace nixpp {

class Store;

// Versions as Nix shows them: "∅" for none, "ε" for the empty version, else sorted, ", "-joined.
std::string showVersions(const std::set<std::string>& versions);

// Nix's printClosureDiff: for each package name (output suffixes such as "-man" stripped) in
// the closure of `before` or `after`, the versions removed and added ("1.0 → 1.1") and the
// change of its total NAR size when at least 8 KiB ("+12.3 KiB", in colour), one line each
// after `indent`. Throws InvalidPath.
void printClosureDiff(Store& store, const StorePath& before, const StorePath& after, const std::string& indent,
                      std::ostream& out);

class EvalState;
class LocalStore;

// A package from a local flake (cli/nix_profile_flake.cc).
struct FlakeTarget {
  std::string originalUrl;  // "path:/dir"
  std::string lockedUrl;    // "path:/dir?lastModified=N&narHash=sha256-..."
  std::string attrPath;     // the attribute found: "packages.x86_64-linux.hello"
  std::string drvPath, outputName;
};

// The directory of a local flake reference ("path:/dir", "/dir", "./dir"), made absolute;
// nullopt for any other kind (registry names, github:, git+..., a directory in a git
// repository, query parameters), which nixpp does not support.
std::optional<std::string> localFlakeDir(const std::string& ref);

// Fetches, locks and evaluates the flake in `dir` as Nix 2.8 does, and finds `attr` in its
// outputs (exactly, or with Nix's default prefixes for `system`). Throws Error (no flake.nix,
// inputs, attribute not provided), EvalError.
FlakeTarget resolveLocalFlake(EvalState& state, LocalStore& store, const std::string& system, const std::string& dir,
                              const std::string& attr, bool exactAttr);

// `nix store diff-closures BEFORE AFTER` (store paths or links to them): printClosureDiff.
int nixStoreDiffClosuresCommand(std::vector<std::string> args);

} // namespace nixpp
