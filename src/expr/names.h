// expr/names.h: package names and versions as Nix compares them (builtins.compareVersions,
// builtins.parseDrvName, nix-env's selectors and upgrades).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nixpp {

// -1, 0 or 1 as v1 is older than, the same as or newer than v2 (Nix's component order: numbers
// numerically, "pre" before anything, a missing component before a number, text bytewise).
int compareVersions(std::string_view v1, std::string_view v2);

// The next version component of `s` from `p` (separators '.' and '-' skipped), "" at the end.
std::string_view nextVersionComponent(std::string_view s, size_t& p);

// "hello-1.0" -> name "hello", version "1.0": the version starts after the first '-' that is
// followed by something other than a letter.
struct DrvName {
  std::string fullName, name, version;
  explicit DrvName(std::string_view s);
};

} // namespace nixpp
