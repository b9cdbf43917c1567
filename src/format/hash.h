// format/hash.h: cryptographic hashes as Nix uses them (md5, sha1, sha256, sha512), their text
// encodings (base16, nix-base32, base64, SRI) and the 160-bit compression used in store paths.
// Pure: bytes in, values out.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"
#include "util/serialise.h"

namespace nixpp {

enum class HashAlgo { md5, sha1, sha256, sha512 };

// How a hash is written as text.
enum class HashFormat {
  base16,  // lowercase hex
  nix32,   // Nix's base-32 (alphabet without e, o, u, t), most significant digit first
  base64,  // standard base64 with padding
  sri,     // "<algo>-<base64>" (Subresource Integrity)
};

// An unknown algorithm name ("unknown hash algorithm 'foo'"). A BadHash, so parsers of hash
// strings report it as one; command-line front-ends turn it into a usage error.
NIXPP_DECLARE_ERROR(UnknownHashAlgo, BadHash);

// "md5", "sha1", ...; parseHashAlgo throws UnknownHashAlgo on an unknown name.
std::string_view printHashAlgo(HashAlgo algo);
HashAlgo parseHashAlgo(std::string_view name);
std::optional<HashAlgo> parseHashAlgoOpt(std::string_view name);
size_t hashSize(HashAlgo algo);  // bytes: 16, 20, 32, 64

// A hash value: an algorithm and its digest. A plain value type. The digest is normally
// hashSize(algo) bytes; only compressHash makes a shorter one (as Nix's hashSize field).
class Hash {
public:
  static constexpr size_t maxSize = 64;

  // The all-zero hash of the given algorithm.
  explicit Hash(HashAlgo algo);
  Hash(HashAlgo algo, std::string_view digest);  // digest must be hashSize(algo) bytes

  // Parses "<algo>:<digest>", "<algo>-<base64>" (SRI), or, when `algo` is given, a bare digest in
  // base16 (either case), nix32 or base64 (told apart by length), exactly as Nix: the prefix ends
  // at the first ':' or, failing that, the first '-'. Throws BadHash with Nix's messages:
  //   "hash 'X' does not include a type, nor is the type otherwise known from context",
  //   "hash 'X' should have type 'sha256'" (prefix disagrees with `algo`),
  //   "hash 'X' has wrong length for hash type 'sha256'", "invalid base-16 hash 'X'",
  //   "invalid base-32 hash 'X'" (bad character or overflow), "invalid base-64 hash 'X'",
  //   "invalid SRI hash 'X'", "invalid character in Base64 string: 'c'",
  //   and UnknownHashAlgo for an unknown prefix.
  static Hash parseAny(std::string_view s, std::optional<HashAlgo> algo = std::nullopt);
  // Like parseAny, but the string must carry its algorithm ("<algo>:..." or SRI).
  static Hash parseAnyPrefixed(std::string_view s);
  // Parses a bare digest (no prefix) of a known algorithm. Throws BadHash.
  static Hash parseNonSRIUnprefixed(std::string_view s, HashAlgo algo);
  // Parses "<algo>-<base64>" only; "hash 'X' is not SRI" without a '-'. Throws BadHash.
  static Hash parseSRI(std::string_view s);

  HashAlgo algo() const { return algo_; }
  size_t size() const { return size_; }
  std::string_view bytes() const { return {reinterpret_cast<const char*>(digest_.data()), size()}; }
  const uint8_t* data() const { return digest_.data(); }
  uint8_t* data() { return digest_.data(); }

  // The text form; with `includeAlgo` as "<algo>:<text>" (SRI always includes the algorithm).
  std::string to_string(HashFormat fmt, bool includeAlgo) const;

  bool operator==(const Hash& o) const { return algo_ == o.algo_ && bytes() == o.bytes(); }
  bool operator!=(const Hash& o) const { return !(*this == o); }
  bool operator<(const Hash& o) const;

private:
  friend Hash compressHash(const Hash& h, size_t newSize);
  HashAlgo algo_;
  size_t size_;
  std::array<uint8_t, maxSize> digest_{};
};

Hash hashString(HashAlgo algo, std::string_view s);

// XOR-folds a hash into `newSize` bytes (<= its size), as Nix does for the 160-bit hash part of
// store paths and for nix-hash --truncate. The result keeps the algorithm's name and has size()
// == newSize.
Hash compressHash(const Hash& h, size_t newSize);

// Incremental hashing of a stream of bytes. finish() may be called once.
class HashSink : public Sink {
public:
  explicit HashSink(HashAlgo algo);
  ~HashSink() override;
  HashSink(const HashSink&) = delete;
  HashSink& operator=(const HashSink&) = delete;
  void operator()(std::string_view data) override;
  // The hash of everything written, and how many bytes that was.
  std::pair<Hash, uint64_t> finish();

private:
  struct Ctx;
  HashAlgo algo_;
  std::unique_ptr<Ctx> ctx_;
  uint64_t bytes_ = 0;
};

// --- encodings (also used outside hashes, e.g. signatures) -------------------------------------

std::string base16Encode(std::string_view bytes);
std::string base16Decode(std::string_view s);  // throws BadHash on bad input
std::string nix32Encode(std::string_view bytes);
// Decodes into exactly `size` bytes; throws BadHash on bad characters or overflow.
std::string nix32Decode(std::string_view s, size_t size);
size_t nix32Len(size_t size);  // characters needed for `size` bytes
bool isNix32Char(char c);
bool isNix32String(std::string_view s);  // every character isNix32Char
std::string base64Encode(std::string_view bytes);
// Decodes as Nix does: stops at the first '=', skips '\n', and throws FormatError "invalid
// character in Base64 string: 'c'" on any other character outside the alphabet.
std::string base64Decode(std::string_view s);
// Length of the padded base64 encoding of `size` bytes.
size_t base64Len(size_t size);

} // namespace nixpp
