#include "format/store_path.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "format/content_address.h"
#include "util/strings.h"

using namespace nixpp;

namespace {

const std::string hashPart = "ffdrlgaq9qwmhg92cqydynaq0vxmh52l";

// tests/data/store-path/vectors.tsv, made by generate.sh with Nix 2.8.
struct Vector {
  std::string kind, method, hash, name;
  StorePathSet refs;
  std::string expected;
};

std::vector<Vector> readVectors() {
  std::ifstream in(std::string(NIXPP_TEST_DATA) + "/store-path/vectors.tsv");
  EXPECT_TRUE(in.good());
  std::vector<Vector> vs;
  std::string line;
  StoreDir sd;
  while (std::getline(in, line)) {
    auto f = splitString(line, '\t');
    EXPECT_EQ(f.size(), 6u) << line;
    Vector v{f[0], f[1], f[2], f[3], {}, f[5]};
    for (auto& r : tokenizeString(f[4], ",")) v.refs.insert(sd.parsePath(r));
    vs.push_back(std::move(v));
  }
  return vs;
}

} // namespace

TEST(StorePath, ParsesValidBaseNames) {
  auto p = StorePath::parse(hashPart + "-dir");
  EXPECT_EQ(p.hashPart(), hashPart);
  EXPECT_EQ(p.name(), "dir");
  EXPECT_EQ(p.to_string(), hashPart + "-dir");
  EXPECT_FALSE(p.isDerivation());
  EXPECT_TRUE(StorePath::parse(hashPart + "-x.drv").isDerivation());
  // Names Nix 2.8 accepts (it made these with builtins.toFile).
  for (std::string n : std::vector<std::string>{".foo", "..foo", "a.", "A-Z_a+b?c=d.e", std::string(211, 'a')})
    EXPECT_EQ(StorePath::parse(hashPart + "-" + n).name(), n);
}

TEST(StorePath, RejectsMalformedBaseNames) {
  struct Case {
    std::string in, msg;
  } cases[] = {
      {"", "'' is too short to be a valid store path"},
      {hashPart, "'" + hashPart + "' is too short to be a valid store path"},
      {hashPart + "-", "store path '" + hashPart + "-' has an empty name"},
      {"ffdrlgaq9qwmhg92cqydynaq0vxmh52e-x",
       "store path 'ffdrlgaq9qwmhg92cqydynaq0vxmh52e-x' contains illegal base-32 character 'e'"},
      {"Ffdrlgaq9qwmhg92cqydynaq0vxmh52l-x",
       "store path 'Ffdrlgaq9qwmhg92cqydynaq0vxmh52l-x' contains illegal base-32 character 'F'"},
      {hashPart + "_x", "store path '" + hashPart + "_x' lacks a '-' after the hash part"},
      {hashPart + "-a b", "store path '" + hashPart + "-a b' contains illegal character ' '"},
      {hashPart + "-a/b", "store path '" + hashPart + "-a/b' contains illegal character '/'"},
      {hashPart + "-" + std::string(212, 'a'),
       "store path '" + hashPart + "-" + std::string(212, 'a') + "' has a name longer than 211 characters"},
      {hashPart + "-.", "store path '" + hashPart + "-.' has invalid name '.'"},
      {hashPart + "-..", "store path '" + hashPart + "-..' has invalid name '..'"},
      {hashPart + "-.-x", "store path '" + hashPart + "-.-x' has invalid name '.-x'"},
      {hashPart + "-..-x", "store path '" + hashPart + "-..-x' has invalid name '..-x'"},
  };
  for (auto& c : cases) {
    try {
      StorePath::parse(c.in);
      ADD_FAILURE() << "accepted " << c.in;
    } catch (BadStorePath& e) {
      EXPECT_EQ(e.what(), c.msg);
    }
  }
}

TEST(StoreDir, ParsesAndPrintsFullPaths) {
  StoreDir sd;
  auto p = sd.parsePath("/nix/store/" + hashPart + "-dir");
  EXPECT_EQ(sd.printPath(p), "/nix/store/" + hashPart + "-dir");
  EXPECT_EQ(sd.parsePath("/nix//store/./" + hashPart + "-dir/"), p);
  EXPECT_TRUE(sd.isStorePath("/nix/store/" + hashPart + "-dir"));
  EXPECT_FALSE(sd.isStorePath("/nix/store/" + hashPart + "-dir/bin"));
  EXPECT_TRUE(sd.isInStore("/nix/store/" + hashPart + "-dir/bin"));
  EXPECT_FALSE(sd.isInStore("/nix/store"));
  EXPECT_FALSE(sd.isInStore("/nix/storex/a"));
  auto [sp, rest] = sd.toStorePath("/nix/store/" + hashPart + "-dir/bin/sh");
  EXPECT_EQ(sp, p);
  EXPECT_EQ(rest, "/bin/sh");
  EXPECT_THROW(sd.parsePath("/tmp/" + hashPart + "-dir"), BadStorePath);
  EXPECT_THROW(sd.parsePath("/nix/store"), BadStorePath);
  EXPECT_THROW(sd.parsePath("relative"), BadStorePath);
  EXPECT_THROW(sd.parsePath("/nix/store/" + hashPart + "-dir/bin"), BadStorePath);
  try {
    sd.parsePath("/tmp/x");
    ADD_FAILURE();
  } catch (BadStorePath& e) {
    EXPECT_STREQ(e.what(), "path '/tmp/x' is not in the Nix store");
  }
  // Short or dotted base names take the canonicalising path and keep its message.
  for (const char* bad : {"/nix/store/.", "/nix/store/..", "/nix/store/x"}) {
    try {
      sd.parsePath(bad);
      ADD_FAILURE() << bad;
    } catch (BadStorePath& e) {
      EXPECT_NE(std::string(e.what()).find(std::string_view(bad) == "/nix/store/x" ? "too short" : "is not in the Nix store"),
                std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(sd.parsePath("/nix/store/" + hashPart.substr(1) + "!-dir"), BadStorePath);
  StoreDir other("/gnu/store");
  EXPECT_EQ(other.printPath(p), "/gnu/store/" + hashPart + "-dir");
  EXPECT_FALSE(other.isStorePath("/nix/store/" + hashPart + "-dir"));
}

TEST(StoreDir, SetsAreOrderedByBaseName) {
  StorePathSet s{StorePath::parse("pxvcv8a2q21xkd9l7zrzb2xlqzah47md-b"),
                 StorePath::parse("kmmkrxlfw7rbwdnaj9js21xg9m42q8kw-a")};
  EXPECT_EQ(s.begin()->name(), "a");
}

// Every path Nix 2.8 computed for nix-store --add, --add-fixed and builtins.toFile.
TEST(StoreDir, ComputesPathsAsNix) {
  StoreDir sd;
  auto vs = readVectors();
  ASSERT_GE(vs.size(), 20u);
  for (auto& v : vs) {
    auto h = Hash::parseAny(v.hash);
    std::optional<StorePath> p;
    if (v.kind == "source") p = sd.makeSourcePath(h, v.name, v.refs);
    else if (v.kind == "fixed")
      p = sd.makeFixedOutputPath(v.method == "nar" ? FileIngestionMethod::recursive : FileIngestionMethod::flat,
                                 h, v.name, v.refs);
    else if (v.kind == "text") p = sd.makeTextPath(v.name, h, v.refs);
    ASSERT_TRUE(p) << v.kind;
    EXPECT_EQ(sd.printPath(*p), v.expected) << v.kind << " " << v.hash << " " << v.name;
    // The same path through the content address.
    auto ca = ContentAddress{v.kind == "text"   ? ContentAddressMethod::text
                             : v.method == "nar" ? ContentAddressMethod::nar
                                                 : ContentAddressMethod::flat,
                             h};
    EXPECT_EQ(sd.printPath(ca.storePath(sd, v.name, v.refs)), v.expected);
    EXPECT_EQ(ContentAddress::parse(ca.to_string()), ca);
  }
}

TEST(StoreDir, TextPathOfContents) {
  StoreDir sd;
  EXPECT_EQ(sd.printPath(sd.computeStorePathForText("plain", "plain text\n")),
            "/nix/store/bfsz680pi6sznxm53dx92kxbb975hx5p-plain");
}

TEST(StoreDir, RejectsImpossibleCombinations) {
  StoreDir sd;
  StorePathSet refs{StorePath::dummy()};
  EXPECT_THROW(sd.makeFixedOutputPath(FileIngestionMethod::flat, hashString(HashAlgo::sha256, ""), "x", refs),
               BadStorePath);
  EXPECT_THROW(sd.makeTextPath("x", hashString(HashAlgo::sha1, "")), BadStorePath);
  EXPECT_THROW(sd.makeTextPath("bad name", hashString(HashAlgo::sha256, "")), BadStorePath);
}

TEST(StoreDir, OutputPathNames) {
  EXPECT_EQ(outputPathName("hello", "out"), "hello");
  EXPECT_EQ(outputPathName("hello", "dev"), "hello-dev");
}
