#include "store/refs.h"

#include "format/hash.h"

namespace nixpp {

namespace {
constexpr size_t refLen = 32;
}

RefScanSink::RefScanSink(std::set<std::string> hashParts) : hashes_(std::move(hashParts)) {}

// Finds every window of refLen nix32 characters of `s` that is one of the hashes. Skips ahead
// past any non-nix32 character, so the scan is about linear in practice.
void RefScanSink::scan(std::string_view s) {
  if (s.size() < refLen) return;
  for (size_t i = 0; i + refLen <= s.size();) {
    size_t j = refLen;
    bool ok = true;
    while (j-- > 0) {
      if (!isNix32Char(s[i + j])) {
        i += j + 1;
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    auto it = hashes_.find(std::string(s.substr(i, refLen)));
    if (it != hashes_.end()) found_.insert(*it);
    ++i;
  }
}

void RefScanSink::operator()(std::string_view data) {
  if (data.empty() || hashes_.empty()) return;
  // Matches that straddle the previous write and this one: tail + the first 31 bytes.
  std::string joined = tail_;
  joined.append(data.substr(0, std::min(data.size(), refLen - 1)));
  scan(joined);
  scan(data);
  // Keep the last refLen-1 bytes of everything seen so far.
  if (data.size() >= refLen - 1) {
    tail_.assign(data.substr(data.size() - (refLen - 1)));
  } else {
    tail_.append(data);
    if (tail_.size() > refLen - 1) tail_.erase(0, tail_.size() - (refLen - 1));
  }
}

} // namespace nixpp
