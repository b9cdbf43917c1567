// store/path_info.h: what a store knows about a valid store path (Nix's ValidPathInfo): the row
// of the database's ValidPaths table, with its references. A plain value.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <set>
#include <string>

#include "format/content_address.h"
#include "format/hash.h"
#include "format/store_path.h"

namespace nixpp {

struct ValidPathInfo {
  StorePath path;
  std::optional<StorePath> deriver;
  Hash narHash{HashAlgo::sha256};  // sha256 of the NAR serialisation
  StorePathSet references;         // may include `path` itself
  time_t registrationTime = 0;     // 0: "now", when registering
  uint64_t narSize = 0;            // 0 = unknown
  bool ultimate = false;           // built or added locally (trusted without signatures)
  std::set<std::string> sigs;      // "<key name>:<base64 signature>"
  std::optional<ContentAddress> ca;

  explicit ValidPathInfo(StorePath p) : path(std::move(p)) {}
};

} // namespace nixpp
