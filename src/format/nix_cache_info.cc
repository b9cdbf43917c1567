#include "format/nix_cache_info.h"

#include "util/strings.h"

namespace nixpp {

NixCacheInfo NixCacheInfo::parse(std::string_view text) {
  NixCacheInfo info;
  for (auto& line : tokenizeString(text, "\n")) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string_view name = std::string_view(line).substr(0, colon);
    std::string_view value = trim(std::string_view(line).substr(colon + 1));
    if (name == "StoreDir") {
      info.storeDir = value;
    } else if (name == "WantMassQuery") {
      info.wantMassQuery = value == "1";
    } else if (name == "Priority") {
      auto n = parseInt(value);
      if (!n || *n < INT32_MIN || *n > INT32_MAX)
        throw FormatError("invalid Priority " + quoted(value) + " in nix-cache-info");
      info.priority = int(*n);
    }
  }
  return info;
}

std::string NixCacheInfo::to_string() const {
  std::string res = "StoreDir: " + storeDir + "\n";
  if (wantMassQuery) res += std::string("WantMassQuery: ") + (*wantMassQuery ? "1" : "0") + "\n";
  if (priority) res += "Priority: " + std::to_string(*priority) + "\n";
  return res;
}

void checkCacheStoreDir(const NixCacheInfo& info, std::string_view uri, std::string_view storeDir) {
  if (!info.storeDir.empty() && info.storeDir != storeDir)
    throw Error("binary cache " + quoted(uri) + " is for Nix stores with prefix " + quoted(info.storeDir) +
                ", not " + quoted(storeDir));
}

} // namespace nixpp
