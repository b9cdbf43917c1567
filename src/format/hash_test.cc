// Tests of format/hash against vectors made with Nix 2.8 (tests/data/hash/generate.sh):
// every algorithm and encoding, round trips, compressHash, and Nix's parser on a table of good
// and malformed hash strings, error messages included.
#include "format/hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <tuple>
#include <vector>

#include "util/strings.h"

namespace nixpp {
namespace {

std::vector<std::vector<std::string>> readTsv(const std::string& name) {
  std::ifstream in(std::string(NIXPP_TEST_DATA) + "/hash/" + name);
  EXPECT_TRUE(in) << name;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) rows.push_back(splitString(line, '\t'));
  return rows;
}

std::string unhex(const std::string& s) { return base16Decode(s); }

// One row of encodings.tsv: algo, input (hex), base16, nix32, base64, SRI.
struct EncodingRow {
  HashAlgo algo;
  std::string input, b16, b32, b64, sri;
};

std::vector<EncodingRow> encodingRows() {
  std::vector<EncodingRow> rows;
  for (auto& r : readTsv("encodings.tsv")) {
    EXPECT_EQ(r.size(), 6u);
    rows.push_back({parseHashAlgo(r[0]), unhex(r[1]), r[2], r[3], r[4], r[5]});
  }
  return rows;
}

TEST(Hash, VectorsCoverEveryAlgorithm) {
  auto rows = encodingRows();
  EXPECT_EQ(rows.size(), 40u);
  for (auto algo : {HashAlgo::md5, HashAlgo::sha1, HashAlgo::sha256, HashAlgo::sha512})
    EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [&](auto& r) { return r.algo == algo; }), 10);
}

TEST(Hash, EncodesLikeNix) {
  for (auto& r : encodingRows()) {
    SCOPED_TRACE(std::string(printHashAlgo(r.algo)) + " of " + base16Encode(r.input));
    Hash h = hashString(r.algo, r.input);
    EXPECT_EQ(h.size(), hashSize(r.algo));
    EXPECT_EQ(h.to_string(HashFormat::base16, false), r.b16);
    EXPECT_EQ(h.to_string(HashFormat::nix32, false), r.b32);
    EXPECT_EQ(h.to_string(HashFormat::base64, false), r.b64);
    EXPECT_EQ(h.to_string(HashFormat::sri, false), r.sri);
    EXPECT_EQ(h.to_string(HashFormat::sri, true), r.sri);
    std::string prefix = std::string(printHashAlgo(r.algo)) + ":";
    EXPECT_EQ(h.to_string(HashFormat::base16, true), prefix + r.b16);
    EXPECT_EQ(h.to_string(HashFormat::nix32, true), prefix + r.b32);
    EXPECT_EQ(h.to_string(HashFormat::base64, true), prefix + r.b64);
    EXPECT_EQ(r.b32.size(), nix32Len(h.size()));
    EXPECT_EQ(r.b64.size(), base64Len(h.size()));
  }
}

TEST(Hash, EveryEncodingRoundTrips) {
  for (auto& r : encodingRows()) {
    SCOPED_TRACE(r.sri);
    Hash h = hashString(r.algo, r.input);
    std::string prefix = std::string(printHashAlgo(r.algo)) + ":";
    for (auto& text : {r.b16, r.b32, r.b64}) {
      EXPECT_EQ(Hash::parseAny(prefix + text), h) << text;
      EXPECT_EQ(Hash::parseAny(prefix + text, r.algo), h) << text;
      EXPECT_EQ(Hash::parseAny(text, r.algo), h) << text;
      EXPECT_EQ(Hash::parseAnyPrefixed(prefix + text), h) << text;
      EXPECT_EQ(Hash::parseNonSRIUnprefixed(text, r.algo), h) << text;
    }
    EXPECT_EQ(Hash::parseAny(r.sri), h);
    EXPECT_EQ(Hash::parseAny(r.sri, r.algo), h);
    EXPECT_EQ(Hash::parseSRI(r.sri), h);
    EXPECT_EQ(Hash::parseAnyPrefixed(r.sri), h);
    // The encoders and decoders on their own.
    EXPECT_EQ(base16Decode(r.b16), h.bytes());
    EXPECT_EQ(nix32Decode(r.b32, h.size()), h.bytes());
    EXPECT_EQ(base64Decode(r.b64), h.bytes());
    EXPECT_EQ(nix32Encode(h.bytes()), r.b32);
    EXPECT_EQ(base64Encode(h.bytes()), r.b64);
  }
}

TEST(Hash, SinkHashesInPiecesAndCountsBytes) {
  for (auto& r : encodingRows()) {
    for (size_t chunk : {size_t(1), size_t(7), size_t(64), size_t(1000)}) {
      HashSink sink(r.algo);
      for (size_t i = 0; i < r.input.size(); i += chunk)
        sink(std::string_view(r.input).substr(i, chunk));
      auto [h, n] = sink.finish();
      EXPECT_EQ(h.to_string(HashFormat::base16, false), r.b16) << chunk;
      EXPECT_EQ(n, r.input.size());
    }
  }
}

TEST(Hash, CompressHashFoldsTo160BitsLikeNixHashTruncate) {
  auto rows = readTsv("truncate.tsv");
  EXPECT_EQ(rows.size(), 40u);
  for (auto& r : rows) {
    ASSERT_EQ(r.size(), 3u);
    HashAlgo algo = parseHashAlgo(r[0]);
    Hash h = hashString(algo, unhex(r[1]));
    // nix-hash --truncate folds only hashes longer than 160 bits.
    Hash t = h.size() > 20 ? compressHash(h, 20) : h;
    EXPECT_EQ(t.to_string(HashFormat::base16, false), r[2]) << r[0] << " " << r[1];
    EXPECT_EQ(t.algo(), algo);
    EXPECT_EQ(t.size(), std::min<size_t>(20, hashSize(algo)));
    EXPECT_EQ(t.to_string(HashFormat::nix32, false).size(), nix32Len(t.size()));
  }
}

TEST(Hash, CompressHashXorsEveryByte) {
  std::string digest(32, '\0');
  for (size_t i = 0; i < 32; ++i) digest[i] = char(i + 1);
  Hash h(HashAlgo::sha256, digest);
  Hash c = compressHash(h, 20);
  ASSERT_EQ(c.size(), 20u);
  for (size_t i = 0; i < 20; ++i) {
    uint8_t want = uint8_t(i + 1);
    if (i + 20 < 32) want ^= uint8_t(i + 21);
    EXPECT_EQ(c.data()[i], want) << i;
  }
  EXPECT_EQ(compressHash(h, 1).size(), 1u);
  EXPECT_EQ(compressHash(h, 32), h);
}

// parse.tsv: the type given, the string, and Nix 2.8's `nix hash to-sri` result or error.
TEST(Hash, ParsesAndRejectsLikeNix) {
  auto rows = readTsv("parse.tsv");
  EXPECT_GT(rows.size(), 100u);
  size_t errors = 0;
  for (auto& r : rows) {
    ASSERT_EQ(r.size(), 3u);
    SCOPED_TRACE("type " + r[0] + ", string '" + r[1] + "'");
    std::optional<HashAlgo> algo;
    if (r[0] != "-") algo = parseHashAlgo(r[0]);
    const std::string& want = r[2];
    if (hasPrefix(want, "ok ")) {
      EXPECT_EQ(Hash::parseAny(r[1], algo).to_string(HashFormat::sri, true), want.substr(3));
      continue;
    }
    ASSERT_TRUE(hasPrefix(want, "error ")) << want;
    ++errors;
    std::string msg = want.substr(6);
    try {
      Hash::parseAny(r[1], algo);
      ADD_FAILURE() << "parsed, but Nix says: " << msg;
    } catch (BadHash& e) {
      // Nix 2.8 loses the offending character when formatting this message (it prints ''); we
      // name it, as the message intends.
      if (msg == "invalid character in Base64 string: ''")
        EXPECT_TRUE(hasPrefix(e.what(), "invalid character in Base64 string: '")) << e.what();
      else
        EXPECT_EQ(e.what(), msg);
    }
  }
  EXPECT_GT(errors, 50u);
}

TEST(Hash, MalformedStringsThrowTypedErrors) {
  const std::string sha256Hex = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  const std::string sha256Nix32 = "00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq";
  struct Case {
    std::string s;
    std::optional<HashAlgo> algo;
    std::string message;
  } cases[] = {
      {"sha256:" + sha256Hex.substr(2), {}, "hash '" + sha256Hex.substr(2) + "' has wrong length for hash type 'sha256'"},
      {"sha256:x" + sha256Hex.substr(1), {}, "invalid base-16 hash 'x" + sha256Hex.substr(1) + "'"},
      {"sha256:o" + sha256Nix32.substr(1), {}, "invalid base-32 hash 'o" + sha256Nix32.substr(1) + "'"},
      // 52 nix32 digits hold 260 bits: a leading digit above 1 overflows 256.
      {"sha256:4" + sha256Nix32.substr(1), {}, "invalid base-32 hash '4" + sha256Nix32.substr(1) + "'"},
      {"sha256-AAAA", {}, "invalid SRI hash 'AAAA'"},
      {"sha256-A?AA", {}, "invalid character in Base64 string: '?'"},
      {"sha256:" + std::string(43, 'A') + "?", {}, "invalid character in Base64 string: '?'"},
      {"sha256:" + std::string(42, 'A') + "==", {}, "invalid base-64 hash '" + std::string(42, 'A') + "=='"},
      {sha256Hex, {}, "hash '" + sha256Hex + "' does not include a type, nor is the type otherwise known from context"},
      {"sha256:" + sha256Hex, HashAlgo::sha1, "hash 'sha256:" + sha256Hex + "' should have type 'sha1'"},
      {"sha3:" + sha256Hex, {}, "unknown hash algorithm 'sha3'"},
  };
  for (auto& c : cases) {
    try {
      Hash::parseAny(c.s, c.algo);
      ADD_FAILURE() << c.s << " parsed";
    } catch (BadHash& e) {
      EXPECT_EQ(e.what(), c.message);
    }
  }
  EXPECT_THROW(Hash::parseAny("sha3:" + sha256Hex), UnknownHashAlgo);
  EXPECT_THROW(parseHashAlgo("SHA256"), UnknownHashAlgo);
  EXPECT_THROW(Hash::parseSRI("sha999-AAAA"), UnknownHashAlgo);
  try {
    Hash::parseSRI(sha256Hex);
    ADD_FAILURE();
  } catch (BadHash& e) {
    EXPECT_EQ(e.what(), "hash '" + sha256Hex + "' is not SRI");
  }
  try {
    Hash::parseAnyPrefixed(sha256Hex);
    ADD_FAILURE();
  } catch (BadHash& e) {
    EXPECT_EQ(e.what(), "hash '" + sha256Hex + "' does not include a type");
  }
}

TEST(Hash, Base64DecodesAsNix) {
  EXPECT_EQ(base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64Decode("aGVsbG8"), "hello");           // padding is optional
  EXPECT_EQ(base64Decode("aGVs\nbG8="), "hello");         // newlines are skipped
  EXPECT_EQ(base64Decode("aGVsbG8=anything"), "hello");   // nothing after '=' is read
  EXPECT_EQ(base64Decode(""), "");
  EXPECT_THROW(base64Decode("aGV sbG8="), FormatError);
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("h"), "aA==");
  EXPECT_EQ(base64Encode("he"), "aGU=");
  EXPECT_EQ(base64Encode("hel"), "aGVs");
}

TEST(Hash, Nix32RoundTripsAnySize) {
  std::string bytes;
  for (size_t n = 1; n <= 70; ++n) {
    bytes.push_back(char(n * 37 + 11));
    std::string s = nix32Encode(bytes);
    EXPECT_EQ(s.size(), nix32Len(n));
    EXPECT_EQ(nix32Decode(s, n), bytes) << n;
    for (char c : s) EXPECT_TRUE(isNix32Char(c));
  }
  for (char c : std::string("eotu")) EXPECT_FALSE(isNix32Char(c));
}

TEST(Hash, AlgorithmNamesAndSizes) {
  for (auto [name, algo, size] : {std::tuple{"md5", HashAlgo::md5, 16}, {"sha1", HashAlgo::sha1, 20},
                                  {"sha256", HashAlgo::sha256, 32}, {"sha512", HashAlgo::sha512, 64}}) {
    EXPECT_EQ(parseHashAlgo(name), algo);
    EXPECT_EQ(printHashAlgo(algo), name);
    EXPECT_EQ(hashSize(algo), size_t(size));
    EXPECT_EQ(Hash(algo).size(), size_t(size));
  }
  EXPECT_FALSE(parseHashAlgoOpt("sha384"));
  try {
    parseHashAlgo("whirlpool");
    ADD_FAILURE();
  } catch (UnknownHashAlgo& e) {
    EXPECT_STREQ(e.what(), "unknown hash algorithm 'whirlpool'");
  }
}

} // namespace
} // namespace nixpp
