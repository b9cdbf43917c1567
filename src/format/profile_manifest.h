// format/profile_manifest.h: `manifest.json`, the form of a user environment that `nix profile`
// writes (nix-env's is `manifest.nix`). Pure: text in, values out.
//
// Nix 2.8 writes version 2: {"elements":[{"active":true,"storePaths":["/nix/store/..."]},...],
// "version":2}, with "attrPath", "originalUrl" and "url" for elements installed from a flake.
// Version 1 (Nix 2.4) names the last two "originalUri" and "uri". Keys are written sorted,
// without spaces, as nlohmann::json::dump() does in Nix; store paths sorted. Other fields are
// ignored (and so dropped on rewriting), as Nix 2.8 does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace nixpp {

// Where a profile element came from: a flake reference and an attribute path in it.
struct ProfileElementSource {
  std::string originalUrl;  // as the user wrote it ("nixpkgs")
  std::string url;          // locked ("github:NixOS/nixpkgs/<rev>")
  std::string attrPath;     // "legacyPackages.x86_64-linux.hello"
};

// One element of a profile: a package (one or more store paths), perhaps from a flake.
struct ProfileElement {
  std::vector<std::string> storePaths;  // printed store paths, sorted, unique
  std::optional<ProfileElementSource> source;
  bool active = true;
};

struct ProfileManifest {
  std::vector<ProfileElement> elements;
};

// Parses a manifest.json of version 1 or 2. `what` names it in errors: Error "profile manifest
// '<what>' has unsupported version N", or "error parsing profile manifest '<what>': ..." for
// malformed JSON or fields of the wrong type.
ProfileManifest parseProfileManifest(std::string_view json, std::string_view what);

// Version 2, byte for byte as Nix 2.8 writes it.
std::string unparseProfileManifest(const ProfileManifest& manifest);

} // namespace nixpp
