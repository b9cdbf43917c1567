#include "format/narinfo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "format/nix_cache_info.h"

namespace nixpp {

namespace {

const std::string dataDir = std::string(NIXPP_TEST_DATA) + "/narinfo";

std::string readData(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> narinfoFiles() {
  std::vector<std::string> res;
  for (auto& e : std::filesystem::directory_iterator(dataDir))
    if (e.path().extension() == ".narinfo") res.push_back(e.path().string());
  std::sort(res.begin(), res.end());
  return res;
}

// The .narinfo of a path copied to an xz-compressed cache by Nix 2.8.
const std::string t1 = readData(dataDir + "/t1.xz.narinfo");

std::string withLine(const std::string& text, const std::string& key, const std::string& line) {
  // Replaces the line starting with "key: " by `line` (or drops it if `line` is empty).
  std::string out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind(key + ": ", 0) == 0) {
      if (!line.empty()) out += line + "\n";
    } else {
      out += l + "\n";
    }
  }
  return out;
}

} // namespace

TEST(NarInfo, EveryNix28VectorRoundTripsByteForByte) {
  auto files = narinfoFiles();
  ASSERT_GE(files.size(), 16u);
  for (auto& f : files) {
    SCOPED_TRACE(f);
    std::string text = readData(f);
    auto info = NarInfo::parse(text, "x.narinfo");
    EXPECT_EQ(info.to_string(), text);
    EXPECT_EQ(NarInfo::parse(info.to_string(), "x.narinfo"), info);
  }
}

TEST(NarInfo, FieldsOfAnXzCompressedPath) {
  auto info = NarInfo::parse(t1, "h55nfjjlrl0yq48fs4aj5svjs9mnlfkj.narinfo");
  EXPECT_EQ(info.storePath, "/nix/store/h55nfjjlrl0yq48fs4aj5svjs9mnlfkj-t1");
  EXPECT_EQ(info.url, "nar/1d8is69qd024phv6h9hq1qq8ilswjs94yjwj4rnclyhbninzd0p8.nar.xz");
  EXPECT_EQ(info.compression, "xz");
  ASSERT_TRUE(info.fileHash);
  EXPECT_EQ(info.fileHash->to_string(HashFormat::nix32, false), "1d8is69qd024phv6h9hq1qq8ilswjs94yjwj4rnclyhbninzd0p8");
  EXPECT_EQ(info.fileSize, 180u);
  EXPECT_EQ(info.narHash.algo(), HashAlgo::sha256);
  EXPECT_EQ(info.narSize, 176u);
  EXPECT_EQ(info.references, std::set<std::string>{"i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt"});
  EXPECT_EQ(info.deriver, "");
  EXPECT_TRUE(info.sigs.empty());
  EXPECT_EQ(info.ca, "text:sha256:16wy8iazzh89zlil4y4gfr1q8i9aw0r5r869lmpmvsv8p84cnvnp");
}

TEST(NarInfo, DeriverSelfReferenceAndSignature) {
  auto info = NarInfo::parse(readData(dataDir + "/registered.signed.narinfo"), "x");
  EXPECT_EQ(info.deriver, "a5lzl0mx0mqqyiblzb52jgqvxjsjdqsb-thing.drv");
  EXPECT_EQ(info.references.size(), 2u);
  EXPECT_TRUE(info.references.count("4y2fl2rqgy5gnibq4qg2xqw8z5nl6n8f-registered"));
  ASSERT_EQ(info.sigs.size(), 1u);
  EXPECT_EQ(info.sigs.begin()->substr(0, 11), "test-key-1:");
}

TEST(NarInfo, SigsAndReferencesArePrintedSorted) {
  auto info = NarInfo::parse(readData(dataDir + "/t2.twosigs.narinfo"), "x");
  ASSERT_EQ(info.sigs.size(), 2u);
  EXPECT_EQ(info.sigs.begin()->substr(0, 10), "other-key:");
  // Reverse the input order: the printed form is the same.
  std::string text = info.to_string();
  auto a = text.find("Sig: other"), b = text.find("Sig: test");
  std::string swapped = text.substr(0, a) + text.substr(b, text.find('\n', b) + 1 - b) +
                        text.substr(a, b - a) + text.substr(text.find('\n', b) + 1);
  ASSERT_NE(swapped, text);
  EXPECT_EQ(NarInfo::parse(swapped, "x").to_string(), text);
}

TEST(NarInfo, DefaultsAndTolerances) {
  // No Compression means bzip2; unknown keys are ignored; a repeated URL overwrites; a Deriver
  // of "unknown-deriver" means none; an empty References line may be followed by another.
  std::string text = withLine(t1, "Compression", "") + "Foo: bar\nURL: other\nDeriver: unknown-deriver\n";
  text = withLine(text, "References", "References: ") + "References: i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt\n";
  auto info = NarInfo::parse(text, "x");
  EXPECT_EQ(info.compression, "bzip2");
  EXPECT_EQ(info.url, "other");
  EXPECT_EQ(info.deriver, "");
  EXPECT_EQ(info.references.size(), 1u);
  // SRI and base16 hashes are accepted; output is always sha256:nix32.
  auto sri = withLine(t1, "NarHash", "NarHash: " + info.narHash.to_string(HashFormat::sri, true));
  EXPECT_EQ(NarInfo::parse(sri, "x").to_string(), t1);
  auto b16 = withLine(t1, "NarHash", "NarHash: " + info.narHash.to_string(HashFormat::base16, true));
  EXPECT_EQ(NarInfo::parse(b16, "x").to_string(), t1);
}

TEST(NarInfo, MalformedInputIsRejectedAsNix28Does) {
  struct Case {
    std::string name, text, reason;
  };
  // Each of these was checked against Nix 2.8 (nix path-info on a file:// cache): all "corrupt".
  std::vector<Case> cases = {
      {"missing NarSize", withLine(t1, "NarSize", ""), "NarSize missing or zero"},
      {"zero NarSize", withLine(t1, "NarSize", "NarSize: 0"), "NarSize missing or zero"},
      {"bad NarSize", withLine(t1, "NarSize", "NarSize: x"), "invalid NarSize at line 7"},
      {"negative FileSize", withLine(t1, "FileSize", "FileSize: -1"), "invalid FileSize at line 5"},
      {"missing StorePath", withLine(t1, "StorePath", ""), "StorePath missing"},
      {"missing URL", withLine(t1, "URL", ""), "URL missing"},
      {"missing NarHash", withLine(t1, "NarHash", ""), "NarHash missing"},
      {"bad NarHash", withLine(t1, "NarHash", "NarHash: sha256:mq4v4pbp7amfpvk8w3z9rryx8f3qlcsn5cb3mfaq47ilhbngng5"),
       "bad hash at line 6"},
      {"unprefixed NarHash", withLine(t1, "NarHash", "NarHash: 0mq4v4pbp7amfpvk8w3z9rryx8f3qlcsn5cb3mfaq47ilhbngng5"),
       "bad hash at line 6"},
      {"bad FileHash", withLine(t1, "FileHash", "FileHash: md5:zz"), "bad hash at line 4"},
      {"garbage line", t1 + "garbage\n", "expecting ':' at line 10"},
      {"no final newline", t1 + "Foo: bar", "expecting '\\n' at line 10"},
      {"second References", t1 + "References: i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt\n", "extra References at line 10"},
      {"second CA", t1 + "CA: text:sha256:16wy8iazzh89zlil4y4gfr1q8i9aw0r5r869lmpmvsv8p84cnvnp\n", "extra CA at line 10"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    try {
      NarInfo::parse(c.text, "h55nfjjlrl0yq48fs4aj5svjs9mnlfkj.narinfo");
      ADD_FAILURE() << "accepted";
    } catch (BadNarInfo& e) {
      EXPECT_STREQ(e.what(), "NAR info file 'h55nfjjlrl0yq48fs4aj5svjs9mnlfkj.narinfo' is corrupt");
      EXPECT_EQ(e.reason(), c.reason);
    }
  }
}

TEST(NarInfo, BadStorePathsUseNixsWords) {
  auto reg = readData(dataDir + "/registered.none.narinfo");
  auto msg = [](const std::string& text) {
    try {
      NarInfo::parse(text, "x");
    } catch (BadStorePathInNarInfo& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // Messages as printed by Nix 2.8 for the same edits.
  EXPECT_EQ(msg(withLine(reg, "References", "References: bogus")), "'bogus' is too short to be a valid store path");
  EXPECT_EQ(msg(withLine(reg, "StorePath", "StorePath: /nix/store/foo")), "'foo' is too short to be a valid store path");
  EXPECT_EQ(msg(withLine(reg, "StorePath", "StorePath: /tmp/4y2fl2rqgy5gnibq4qg2xqw8z5nl6n8f-registered")),
            "path '/tmp/4y2fl2rqgy5gnibq4qg2xqw8z5nl6n8f-registered' is not in the Nix store");
  EXPECT_EQ(msg(withLine(reg, "Deriver", "Deriver: eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-x.drv")),
            "store path 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-x.drv' contains illegal base-32 character 'e'");
  EXPECT_EQ(msg(withLine(reg, "Deriver", "Deriver: a5lzl0mx0mqqyiblzb52jgqvxjsjdqsb-th!ng.drv")),
            "store path 'a5lzl0mx0mqqyiblzb52jgqvxjsjdqsb-th!ng.drv' contains illegal character '!'");
  // Another store directory.
  auto other = NarInfo::parse(withLine(reg, "StorePath", "StorePath: /opt/store/4y2fl2rqgy5gnibq4qg2xqw8z5nl6n8f-registered"),
                              "x", "/opt/store");
  EXPECT_EQ(other.storePath, "/opt/store/4y2fl2rqgy5gnibq4qg2xqw8z5nl6n8f-registered");
}

TEST(NixCacheInfo, ParsesWhatNixWritesAndCacheNixosOrg) {
  std::string written = readData(dataDir + "/nix-cache-info");
  auto info = NixCacheInfo::parse(written);
  EXPECT_EQ(info.storeDir, "/nix/store");
  EXPECT_FALSE(info.wantMassQuery);
  EXPECT_FALSE(info.priority);
  EXPECT_EQ(info.to_string(), written);

  std::string upstream = readData(dataDir + "/cache.nixos.org.nix-cache-info");
  auto up = NixCacheInfo::parse(upstream);
  EXPECT_EQ(up.wantMassQuery, true);
  EXPECT_EQ(up.priority, 40);
  EXPECT_EQ(up.to_string(), upstream);
}

TEST(NixCacheInfo, ToleratesJunkAndRejectsBadPriority) {
  auto info = NixCacheInfo::parse("junk\n\nStoreDir:   /x/store  \nWantMassQuery: yes\nOther: 1\n");
  EXPECT_EQ(info.storeDir, "/x/store");
  EXPECT_EQ(info.wantMassQuery, false);
  EXPECT_THROW(NixCacheInfo::parse("Priority: high\n"), FormatError);
  EXPECT_NO_THROW(checkCacheStoreDir(info, "file:///c", "/x/store"));
  try {
    checkCacheStoreDir(info, "file:///c", "/nix/store");
    ADD_FAILURE();
  } catch (Error& e) {
    EXPECT_STREQ(e.what(), "binary cache 'file:///c' is for Nix stores with prefix '/x/store', not '/nix/store'");
  }
}

} // namespace nixpp
