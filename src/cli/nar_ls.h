// cli/nar_ls.h: the listing printer `nix nar ls` and `nix store ls` share (Nix 2.8's formats:
// names, "-l" long lines, "-R" recursion, "-d" a directory itself, --json).
#pragma once

#include <string>

#include "format/nar_listing.h"

namespace nixpp {

struct LsOptions {
  bool json = false, recursive = false, longFormat = false, directory = false;
};

// Prints the entry at `path` ("" or "/" = the root; else absolute within the NAR) of `root` on
// stdout. Throws Error "path '...' does not exist" (text) / "... does not exist in NAR" (JSON),
// UsageError for --directory with --json.
void printNarListing(const NarEntry& root, std::string path, const LsOptions& opts);

} // namespace nixpp
