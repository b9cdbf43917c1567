#include "format/signature.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "format/narinfo.h"
#include "util/strings.h"

namespace nixpp {

namespace {

std::string readData(const std::string& rel) {
  std::string path = std::string(NIXPP_TEST_DATA) + "/" + rel;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Key files made by `nix-store --generate-binary-cache-key` (Nix 2.8).
const SecretKey testSk = SecretKey::parse(readData("signature/test-key-1.sec"));
const PublicKey testPk = PublicKey::parse(readData("signature/test-key-1.pub"));
const SecretKey otherSk = SecretKey::parse(readData("signature/other-key.sec"));
const PublicKey otherPk = PublicKey::parse(readData("signature/other-key.pub"));

std::vector<std::string> signedNarInfos() {
  std::vector<std::string> res;
  for (auto& e : std::filesystem::directory_iterator(std::string(NIXPP_TEST_DATA) + "/narinfo")) {
    auto n = e.path().filename().string();
    if (hasSuffix(n, ".signed.narinfo") || hasSuffix(n, ".twosigs.narinfo")) res.push_back("narinfo/" + n);
  }
  std::sort(res.begin(), res.end());
  return res;
}

} // namespace

TEST(Signature, KeyFilesRoundTrip) {
  EXPECT_EQ(testSk.name(), "test-key-1");
  EXPECT_EQ(testSk.to_string(), readData("signature/test-key-1.sec"));
  EXPECT_EQ(testPk.to_string(), readData("signature/test-key-1.pub"));
  EXPECT_EQ(testSk.toPublicKey(), testPk);
  EXPECT_EQ(otherSk.toPublicKey(), otherPk);
}

TEST(Signature, SignsNarInfoFingerprintsExactlyAsNix28) {
  auto files = signedNarInfos();
  ASSERT_EQ(files.size(), 6u);
  PublicKeys keys = parsePublicKeys({testPk.to_string(), otherPk.to_string()});
  for (auto& f : files) {
    SCOPED_TRACE(f);
    auto info = NarInfo::parse(readData(f), "x");
    std::string fp = info.fingerprint();
    // Our signature of our fingerprint is byte-identical to the one Nix put in the file.
    std::set<std::string> ours{testSk.signDetached(fp)};
    if (info.sigs.size() == 2) ours.insert(otherSk.signDetached(fp));
    EXPECT_EQ(ours, info.sigs);
    for (auto& sig : info.sigs) EXPECT_TRUE(verifyDetached(fp, sig, keys)) << sig;
  }
}

TEST(Signature, FingerprintShape) {
  auto info = NarInfo::parse(readData("narinfo/t2.twosigs.narinfo"), "x");
  EXPECT_EQ(info.fingerprint(),
            "1;/nix/store/6zbmwm7v82zgms1wjnich7nsnypd3nw3-t2;"
            "sha256:1lgr2rhm1h6094lglxrla00gchyhmff1fn6ngpv9fj14a6qv3yd0;264;"
            "/nix/store/h55nfjjlrl0yq48fs4aj5svjs9mnlfkj-t1,"
            "/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt,"
            "/nix/store/s465i4v97j42xfmcw2ybqshxhx30vnq8-dir");
  EXPECT_THROW(pathFingerprint("/nix/store/x", info.narHash, 0, {}), Error);
}

TEST(Signature, VerificationRejectsTampering) {
  auto info = NarInfo::parse(readData("narinfo/registered.signed.narinfo"), "x");
  std::string fp = info.fingerprint();
  std::string sig = *info.sigs.begin();
  PublicKeys keys = parsePublicKeys({testPk.to_string()});
  ASSERT_TRUE(verifyDetached(fp, sig, keys));

  // Another NAR size, another reference set, another hash: all rejected.
  EXPECT_FALSE(verifyDetached(pathFingerprint(info.storePath, info.narHash, info.narSize + 1, {}), sig, keys));
  auto noRefs = info;
  noRefs.references.clear();
  EXPECT_FALSE(verifyDetached(noRefs.fingerprint(), sig, keys));
  EXPECT_FALSE(verifyDetached(pathFingerprint(info.storePath, hashString(HashAlgo::sha256, ""), info.narSize, {}), sig, keys));
  // A flipped bit in the signature.
  std::string raw = base64Decode(sig.substr(sig.find(':') + 1));
  raw[10] ^= 1;
  EXPECT_FALSE(verifyDetached(fp, "test-key-1:" + base64Encode(raw), keys));
  // The right signature under a key name we do not trust, or the other key under the right name.
  EXPECT_FALSE(verifyDetached(fp, sig, parsePublicKeys({otherPk.to_string()})));
  PublicKeys impostor = parsePublicKeys({"test-key-1:" + base64Encode(otherPk.bytes())});
  EXPECT_FALSE(verifyDetached(fp, sig, impostor));
  // Signatures without a name or a body.
  EXPECT_FALSE(verifyDetached(fp, "no-colon", keys));
  EXPECT_FALSE(verifyDetached(fp, ":abc", keys));
  EXPECT_FALSE(verifyDetached(fp, "test-key-1:", keys));
  EXPECT_THROW(verifyDetached(fp, "test-key-1:" + base64Encode("short"), keys), BadKey);
}

TEST(Signature, GeneratedKeysSignAndVerify) {
  auto sk = SecretKey::generate("fresh-1");
  auto sk2 = SecretKey::parse(sk.to_string());
  EXPECT_EQ(sk2.toPublicKey(), sk.toPublicKey());
  std::string sig = sk.signDetached("message");
  EXPECT_EQ(sig, sk2.signDetached("message"));  // deterministic
  PublicKeys keys = parsePublicKeys({sk.toPublicKey().to_string()});
  EXPECT_TRUE(verifyDetached("message", sig, keys));
  EXPECT_FALSE(verifyDetached("messagf", sig, keys));
  EXPECT_NE(SecretKey::generate("fresh-1").to_string(), sk.to_string());
}

TEST(Signature, MalformedKeys) {
  auto err = [](auto f) {
    try {
      f();
    } catch (Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(err([] { SecretKey::parse("nokey"); }), "secret key is corrupt");
  EXPECT_EQ(err([] { SecretKey::parse(":" + base64Encode(std::string(64, 'a'))); }), "secret key is corrupt");
  EXPECT_EQ(err([] { SecretKey::parse("name:"); }), "secret key is corrupt");
  EXPECT_EQ(err([] { SecretKey::parse("name:" + base64Encode(std::string(32, 'a'))); }), "secret key is not valid");
  EXPECT_EQ(err([] { PublicKey::parse("name"); }), "public key is corrupt");
  EXPECT_EQ(err([] { PublicKey::parse(testSk.to_string()); }), "public key is not valid");
  EXPECT_THROW(PublicKey::parse("name:!!!!"), FormatError);
}

} // namespace nixpp
