// cli/nix_profile.h: what `nix profile` shares with other commands: Nix's closure difference
// (`nix profile diff-closures`, `nix store diff-closures`) and its way of showing versions.
#pragma once

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

// `nix store diff-closures BEFORE AFTER` (store paths or links to them): printClosureDiff.
int nixStoreDiffClosuresCommand(std::vector<std::string> args);

} // namespace nixpp
