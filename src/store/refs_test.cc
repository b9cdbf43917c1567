#include "store/refs.h"

#include <gtest/gtest.h>

namespace nixpp {
namespace {

const std::string h1 = "xp0dpr9yz5h0fk5c5lpj7zzqjbdh3w8c", h2 = "ikjhpswd95xikmwq6hm15bdw3f4qwkp2",
                  h3 = "00000000000000000000000000000000";

TEST(RefScan, FindsHashesAnywhere) {
  RefScanSink s({h1, h2, h3});
  s("#!/bin/sh\nexec /nix/store/" + h1 + "-f/bin/x\n");
  EXPECT_EQ(s.found(), (std::set<std::string>{h1}));
}

TEST(RefScan, FindsHashesSplitAcrossWrites) {
  std::string data = "....../nix/store/" + h2 + "-d...." + h1 + "---";
  for (size_t chunk = 1; chunk < 40; ++chunk) {
    RefScanSink s({h1, h2, h3});
    for (size_t i = 0; i < data.size(); i += chunk) s(std::string_view(data).substr(i, chunk));
    EXPECT_EQ(s.found(), (std::set<std::string>{h1, h2})) << "chunk " << chunk;
  }
}

TEST(RefScan, IgnoresNearMisses) {
  RefScanSink s({h1});
  s(h1.substr(0, 31) + "-" + h1.substr(1));  // never 32 matching characters
  s("e" + h1.substr(1));                      // 'e' is not a nix32 character
  EXPECT_TRUE(s.found().empty());
}

} // namespace
} // namespace nixpp
