// store/refs.h: reference scanning. A store path's references are the other store paths whose
// 32-character hash part occurs anywhere in its contents (file data, symlink targets, names):
// the build scans outputs' NARs for the hash parts of its inputs. Pure and streaming.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "util/serialise.h"

namespace nixpp {

// A Sink that looks for a set of 32-character hash parts in everything written to it, including
// occurrences split across writes. Memory use is the set plus 31 bytes. Not thread-safe.
class RefScanSink : public Sink {
public:
  explicit RefScanSink(std::set<std::string> hashParts);
  void operator()(std::string_view data) override;
  // The hash parts seen so far.
  const std::set<std::string>& found() const { return found_; }

private:
  void scan(std::string_view s);
  std::set<std::string> hashes_;
  std::set<std::string> found_;
  std::string tail_;  // the last (up to 31) bytes of the previous write
};

} // namespace nixpp
