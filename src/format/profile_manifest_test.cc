#include "format/profile_manifest.h"

#include <gtest/gtest.h>

namespace nixpp {

namespace {

// Written by Nix 2.8's `nix profile install -f pkgs.nix hello world` and `... world.drv` (all
// outputs) on a store in /tmp/po/store.
const std::string nix28 =
    R"({"elements":[{"active":true,"storePaths":["/tmp/po/store/2nyn63h64mxsbz8351n0kqddjj2vhqal-hello-1.0"]},)"
    R"({"active":true,"storePaths":["/tmp/po/store/4y1908ql19w85bqnwlk44s18ddx24zbj-world-2.1",)"
    R"("/tmp/po/store/iqvkq0sr4s47nqnfjj4yxrp01qn403w7-world-2.1-man"]}],"version":2})";

TEST(ProfileManifest, RoundTripsNix28Bytes) {
  ProfileManifest m = parseProfileManifest(nix28, "m.json");
  ASSERT_EQ(m.elements.size(), 2u);
  EXPECT_TRUE(m.elements[0].active);
  EXPECT_FALSE(m.elements[0].source);
  ASSERT_EQ(m.elements[1].storePaths.size(), 2u);
  EXPECT_EQ(m.elements[1].storePaths[1], "/tmp/po/store/iqvkq0sr4s47nqnfjj4yxrp01qn403w7-world-2.1-man");
  EXPECT_EQ(unparseProfileManifest(m), nix28);
}

TEST(ProfileManifest, ReadsVersion1AndWritesVersion2) {
  std::string v1 =
      R"({"version":1,"elements":[{"active":false,"attrPath":"packages.x86_64-linux.hello",)"
      R"("originalUri":"flake:nixpkgs","uri":"github:NixOS/nixpkgs/abc","storePaths":["/s/b-x","/s/a-y"]}]})";
  ProfileManifest m = parseProfileManifest(v1, "m.json");
  ASSERT_EQ(m.elements.size(), 1u);
  ASSERT_TRUE(m.elements[0].source);
  EXPECT_EQ(m.elements[0].source->originalUrl, "flake:nixpkgs");
  EXPECT_EQ(m.elements[0].source->url, "github:NixOS/nixpkgs/abc");
  EXPECT_FALSE(m.elements[0].active);
  EXPECT_EQ(unparseProfileManifest(m),
            R"({"elements":[{"active":false,"attrPath":"packages.x86_64-linux.hello","originalUrl":"flake:nixpkgs",)"
            R"("storePaths":["/s/a-y","/s/b-x"],"url":"github:NixOS/nixpkgs/abc"}],"version":2})");
}

TEST(ProfileManifest, Empty) {
  EXPECT_EQ(unparseProfileManifest({}), R"({"elements":[],"version":2})");
  EXPECT_TRUE(parseProfileManifest(R"({"version":2})", "m").elements.empty());
}

TEST(ProfileManifest, BadInput) {
  EXPECT_THROW(parseProfileManifest("{", "m"), Error);
  EXPECT_THROW(parseProfileManifest("[]", "m"), Error);
  EXPECT_THROW(parseProfileManifest(R"({"version":2,"elements":[{"active":true}]})", "m"), Error);
  EXPECT_THROW(parseProfileManifest(R"({"version":2,"elements":[{"active":1,"storePaths":[]}]})", "m"), Error);
  try {
    parseProfileManifest(R"({"version":3,"elements":{}})", "/p/manifest.json");
    FAIL();
  } catch (Error& e) {
    EXPECT_STREQ(e.what(), "profile manifest '/p/manifest.json' has unsupported version 3");
  }
}

} // namespace

} // namespace nixpp
