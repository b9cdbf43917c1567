#include "format/hash.h"

// The direct digest functions (deprecated in OpenSSL 3, still provided): EVP_DigestInit_ex
// initialises OpenSSL's provider machinery on first use (about 2 MiB of resident pages) and
// fetches the algorithm again at every initialisation (a property lookup under a lock);
// evaluating thousands of derivations pays that per hash. Same implementations underneath
// (SHA extensions included).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <array>
#include <cstring>

#include "util/error.h"

namespace nixpp {

namespace {

constexpr std::string_view nix32Chars = "0123456789abcdfghijklmnpqrsvwxyz";

// The digit of each byte, -1 for bytes outside the alphabet: a table, since parsing a store
// path checks its 32 hash characters.
constexpr auto nix32Values = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (size_t i = 0; i < nix32Chars.size(); ++i) t[uint8_t(nix32Chars[i])] = int8_t(i);
  return t;
}();

int nix32Value(char c) { return nix32Values[uint8_t(c)]; }

} // namespace

std::string_view printHashAlgo(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::md5: return "md5";
    case HashAlgo::sha1: return "sha1";
    case HashAlgo::sha256: return "sha256";
    case HashAlgo::sha512: return "sha512";
  }
  return "";
}

std::optional<HashAlgo> parseHashAlgoOpt(std::string_view name) {
  if (name == "md5") return HashAlgo::md5;
  if (name == "sha1") return HashAlgo::sha1;
  if (name == "sha256") return HashAlgo::sha256;
  if (name == "sha512") return HashAlgo::sha512;
  return std::nullopt;
}

HashAlgo parseHashAlgo(std::string_view name) {
  if (auto a = parseHashAlgoOpt(name)) return *a;
  throw UnknownHashAlgo("unknown hash algorithm '" + std::string(name) + "'");
}

size_t hashSize(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::md5: return 16;
    case HashAlgo::sha1: return 20;
    case HashAlgo::sha256: return 32;
    case HashAlgo::sha512: return 64;
  }
  return 0;
}

Hash::Hash(HashAlgo algo) : algo_(algo), size_(hashSize(algo)) {}

Hash::Hash(HashAlgo algo, std::string_view digest) : algo_(algo), size_(hashSize(algo)) {
  if (digest.size() != size_) throw BadHash("hash digest has the wrong length");
  std::memcpy(digest_.data(), digest.data(), digest.size());
}

bool Hash::operator<(const Hash& o) const {
  if (algo_ != o.algo_) return algo_ < o.algo_;
  return bytes() < o.bytes();
}

namespace {

// Decodes the text after any prefix, as Nix's Hash(rest, type, isSRI) constructor: the encoding
// is told apart by length (base16, then nix32, then base64); SRI is always base64.
Hash decodeDigest(std::string_view rest, HashAlgo algo, bool isSRI) {
  size_t size = hashSize(algo);
  std::string digest;
  if (!isSRI && rest.size() == size * 2) {
    digest = base16Decode(rest);
  } else if (!isSRI && rest.size() == nix32Len(size)) {
    digest = nix32Decode(rest, size);
  } else if (isSRI || rest.size() == base64Len(size)) {
    try {
      digest = base64Decode(rest);
    } catch (FormatError& e) {
      throw BadHash(e.what());
    }
    if (digest.size() != size)
      throw BadHash("invalid " + std::string(isSRI ? "SRI" : "base-64") + " hash '" + std::string(rest) + "'");
  } else {
    throw BadHash("hash '" + std::string(rest) + "' has wrong length for hash type '" +
                  std::string(printHashAlgo(algo)) + "'");
  }
  return Hash(algo, digest);
}

// Strips "<algo>:" or "<algo>-" from `rest`; returns the algorithm and whether it was SRI.
std::pair<std::optional<HashAlgo>, bool> splitAlgoPrefix(std::string_view& rest) {
  if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    auto algo = parseHashAlgo(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
    return {algo, false};
  }
  if (auto dash = rest.find('-'); dash != std::string_view::npos) {
    auto algo = parseHashAlgo(rest.substr(0, dash));
    rest.remove_prefix(dash + 1);
    return {algo, true};
  }
  return {std::nullopt, false};
}

} // namespace

Hash Hash::parseNonSRIUnprefixed(std::string_view s, HashAlgo algo) {
  return decodeDigest(s, algo, false);
}

Hash Hash::parseSRI(std::string_view s) {
  auto dash = s.find('-');
  if (dash == std::string_view::npos) throw BadHash("hash '" + std::string(s) + "' is not SRI");
  return decodeDigest(s.substr(dash + 1), parseHashAlgo(s.substr(0, dash)), true);
}

Hash Hash::parseAnyPrefixed(std::string_view s) {
  std::string_view rest = s;
  auto [parsed, isSRI] = splitAlgoPrefix(rest);
  if (!parsed) throw BadHash("hash '" + std::string(rest) + "' does not include a type");
  return decodeDigest(rest, *parsed, isSRI);
}

Hash Hash::parseAny(std::string_view s, std::optional<HashAlgo> algo) {
  std::string_view rest = s;
  auto [parsed, isSRI] = splitAlgoPrefix(rest);
  if (!parsed && !algo)
    throw BadHash("hash '" + std::string(rest) +
                  "' does not include a type, nor is the type otherwise known from context");
  if (parsed && algo && *parsed != *algo)
    throw BadHash("hash '" + std::string(s) + "' should have type '" +
                  std::string(printHashAlgo(*algo)) + "'");
  return decodeDigest(rest, parsed ? *parsed : *algo, isSRI);
}

std::string Hash::to_string(HashFormat fmt, bool includeAlgo) const {
  std::string out;
  if (fmt == HashFormat::sri) {
    out = std::string(printHashAlgo(algo_)) + "-";
    return out + base64Encode(bytes());
  }
  if (includeAlgo) out = std::string(printHashAlgo(algo_)) + ":";
  switch (fmt) {
    case HashFormat::base16: out += base16Encode(bytes()); break;
    case HashFormat::nix32: out += nix32Encode(bytes()); break;
    case HashFormat::base64: out += base64Encode(bytes()); break;
    case HashFormat::sri: break;
  }
  return out;
}

Hash hashString(HashAlgo algo, std::string_view s) {
  if (algo == HashAlgo::sha256) {  // the common case, without HashSink's allocation
    Hash h(algo);
    SHA256_CTX ctx;
    if (!SHA256_Init(&ctx)) throw Error("cannot initialise hash context");
    SHA256_Update(&ctx, s.data(), s.size());
    SHA256_Final(h.data(), &ctx);
    return h;
  }
  HashSink sink(algo);
  sink(s);
  return sink.finish().first;
}

Hash compressHash(const Hash& h, size_t newSize) {
  Hash r(h.algo());
  if (newSize > h.size()) newSize = h.size();
  r.size_ = newSize;
  for (size_t i = 0; i < h.size(); ++i) r.digest_[i % newSize] ^= h.digest_[i];
  return r;
}

struct HashSink::Ctx {
  union {
    MD5_CTX md5;
    SHA_CTX sha1;
    SHA256_CTX sha256;
    SHA512_CTX sha512;
  };
};

HashSink::HashSink(HashAlgo algo) : algo_(algo), ctx_(std::make_unique<Ctx>()) {
  int ok = 0;
  switch (algo) {
    case HashAlgo::md5: ok = MD5_Init(&ctx_->md5); break;
    case HashAlgo::sha1: ok = SHA1_Init(&ctx_->sha1); break;
    case HashAlgo::sha256: ok = SHA256_Init(&ctx_->sha256); break;
    case HashAlgo::sha512: ok = SHA512_Init(&ctx_->sha512); break;
  }
  if (!ok) throw Error("cannot initialise hash context");
}

HashSink::~HashSink() = default;

void HashSink::operator()(std::string_view data) {
  bytes_ += data.size();
  switch (algo_) {
    case HashAlgo::md5: MD5_Update(&ctx_->md5, data.data(), data.size()); break;
    case HashAlgo::sha1: SHA1_Update(&ctx_->sha1, data.data(), data.size()); break;
    case HashAlgo::sha256: SHA256_Update(&ctx_->sha256, data.data(), data.size()); break;
    case HashAlgo::sha512: SHA512_Update(&ctx_->sha512, data.data(), data.size()); break;
  }
}

std::pair<Hash, uint64_t> HashSink::finish() {
  Hash h(algo_);
  switch (algo_) {
    case HashAlgo::md5: MD5_Final(h.data(), &ctx_->md5); break;
    case HashAlgo::sha1: SHA1_Final(h.data(), &ctx_->sha1); break;
    case HashAlgo::sha256: SHA256_Final(h.data(), &ctx_->sha256); break;
    case HashAlgo::sha512: SHA512_Final(h.data(), &ctx_->sha512); break;
  }
  return {h, bytes_};
}

// --- encodings ------------------------------------------------------------------------------

std::string base16Encode(std::string_view bytes) {
  static const char hex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  char* o = out.data();  // through a pointer: indexing the string re-reads its data pointer per byte
  for (unsigned char b : bytes) {
    *o++ = hex[b >> 4];
    *o++ = hex[b & 0xf];
  }
  return out;
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string base16Decode(std::string_view s) {
  if (s.size() % 2) throw BadHash("invalid base-16 string '" + std::string(s) + "'");
  std::string out(s.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hexValue(s[2 * i]), lo = hexValue(s[2 * i + 1]);
    if (hi < 0 || lo < 0) throw BadHash("invalid base-16 hash '" + std::string(s) + "'");
    out[i] = char(hi << 4 | lo);
  }
  return out;
}

size_t nix32Len(size_t size) { return (size * 8 - 1) / 5 + 1; }

bool isNix32Char(char c) { return nix32Value(c) >= 0; }

bool isNix32String(std::string_view s) {
  int8_t all = 0;
  for (char c : s) all |= nix32Values[uint8_t(c)];
  return all >= 0;
}

std::string nix32Encode(std::string_view bytes) {
  size_t len = nix32Len(bytes.size());
  std::string out;
  out.reserve(len);
  for (int n = int(len) - 1; n >= 0; --n) {
    unsigned b = unsigned(n) * 5;
    unsigned i = b / 8, j = b % 8;
    unsigned c = uint8_t(bytes[i]) >> j;
    if (i + 1 < bytes.size()) c |= unsigned(uint8_t(bytes[i + 1])) << (8 - j);
    out.push_back(nix32Chars[c & 0x1f]);
  }
  return out;
}

std::string nix32Decode(std::string_view s, size_t size) {
  std::string out(size, '\0');
  for (size_t n = 0; n < s.size(); ++n) {
    int digit = nix32Value(s[s.size() - n - 1]);
    if (digit < 0) throw BadHash("invalid base-32 hash '" + std::string(s) + "'");
    unsigned b = unsigned(n) * 5;
    unsigned i = b / 8, j = b % 8;
    if (i >= size) {
      if (digit) throw BadHash("invalid base-32 hash '" + std::string(s) + "'");
      continue;
    }
    out[i] = char(uint8_t(out[i]) | uint8_t(digit << j));
    unsigned carry = unsigned(digit) >> (8 - j);
    if (i + 1 < size)
      out[i + 1] = char(uint8_t(out[i + 1]) | carry);
    else if (carry)
      throw BadHash("invalid base-32 hash '" + std::string(s) + "'");
  }
  return out;
}

std::string base64Encode(std::string_view bytes) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = uint8_t(bytes[i]) << 16 | uint8_t(bytes[i + 1]) << 8 | uint8_t(bytes[i + 2]);
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16 | uint8_t(bytes[i + 1]) << 8;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string base64Decode(std::string_view s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(s.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;  // Nix ignores whatever follows the padding
    if (c == '\n') continue;
    int v = val(c);
    if (v < 0) throw FormatError("invalid character in Base64 string: '" + std::string(1, c) + "'");
    acc = (acc << 6) | unsigned(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  return out;
}

size_t base64Len(size_t size) { return (size + 2) / 3 * 4; }

} // namespace nixpp
