// format/nix_cache_info.h: the `nix-cache-info` file at the root of a binary cache, e.g.
//   StoreDir: /nix/store
//   WantMassQuery: 1
//   Priority: 40
// Parsed as Nix 2.8 reads it (lines without ':' and unknown keys are ignored, values trimmed).
// Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace nixpp {

struct NixCacheInfo {
  std::string storeDir;                // empty if the file does not say
  std::optional<bool> wantMassQuery;   // "1" is true, anything else false
  std::optional<int> priority;         // lower is preferred

  // Throws FormatError if Priority is not an integer.
  static NixCacheInfo parse(std::string_view text);
  // "StoreDir: <dir>\n", then WantMassQuery and Priority lines when set. Nix itself writes only
  // the StoreDir line when it creates a cache.
  std::string to_string() const;
  bool operator==(const NixCacheInfo&) const = default;
};

// Throws Error "binary cache '<uri>' is for Nix stores with prefix '<d>', not '<storeDir>'" when
// the cache names a different store directory than ours.
void checkCacheStoreDir(const NixCacheInfo& info, std::string_view uri, std::string_view storeDir);

} // namespace nixpp
