// format/signature.h: ed25519 keys and signatures as Nix uses them for binary caches (libsodium).
// Keys and signatures are written "<name>:<base64>": a secret key holds 64 bytes (seed + public
// key), a public key 32, a signature 64. Signing is deterministic. Pure: no files, no globals.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "format/hash.h"
#include "util/error.h"

namespace nixpp {

// A key or signature string that cannot be used, in Nix's words ("secret key is corrupt",
// "public key is not valid", "signature is not valid").
NIXPP_DECLARE_ERROR(BadKey, FormatError);

class PublicKey;

// A named ed25519 secret key, e.g. read from a `secret-key-files` file. Its bytes are wiped on
// destruction.
class SecretKey {
public:
  // Parses "<name>:<base64 of 64 bytes>" (surrounding whitespace ignored). Throws BadKey "secret
  // key is corrupt" (no name or no key) or "secret key is not valid" (wrong size), FormatError
  // on bad base64.
  static SecretKey parse(std::string_view s);
  // A fresh random key pair's secret half.
  static SecretKey generate(std::string_view name);

  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey();

  const std::string& name() const { return name_; }
  // "<name>:<base64>", the format of the key files Nix writes.
  std::string to_string() const;
  // The matching public key.
  PublicKey toPublicKey() const;
  // Signs `data`: "<name>:<base64 of the 64-byte detached signature>".
  std::string signDetached(std::string_view data) const;

private:
  SecretKey(std::string name, std::string key) : name_(std::move(name)), key_(std::move(key)) {}
  std::string name_, key_;
};

// A named ed25519 public key, e.g. from `trusted-public-keys`.
class PublicKey {
public:
  // Parses "<name>:<base64 of 32 bytes>". Throws BadKey "public key is corrupt" / "public key is
  // not valid", FormatError on bad base64.
  static PublicKey parse(std::string_view s);

  const std::string& name() const { return name_; }
  std::string_view bytes() const { return key_; }
  std::string to_string() const;
  bool operator==(const PublicKey&) const = default;

private:
  friend class SecretKey;
  PublicKey(std::string name, std::string key) : name_(std::move(name)), key_(std::move(key)) {}
  std::string name_, key_;
};

// Trusted keys by name.
using PublicKeys = std::map<std::string, PublicKey>;

// Parses each "<name>:<base64>" into the map (a later key of the same name wins). Throws as
// PublicKey::parse.
PublicKeys parsePublicKeys(const std::vector<std::string>& keys);

// True if `sig` ("<name>:<base64>") is a valid signature of `data` by the key of that name in
// `keys`. False for an unknown key name, a string without a name, or a wrong signature; throws
// BadKey "signature is not valid" if the decoded signature is not 64 bytes, FormatError on bad
// base64.
bool verifyDetached(std::string_view data, std::string_view sig, const PublicKeys& keys);

// The message a binary-cache signature signs for a store path, as Nix computes it:
// "1;<storePath>;<narHash as sha256:nix32>;<narSize>;<references, full paths, joined by ','>".
// References must be given sorted (as Nix's sets are). Throws Error if narSize is 0 or the hash is
// not sha256.
std::string pathFingerprint(std::string_view storePath, const Hash& narHash, uint64_t narSize,
                            const std::vector<std::string>& references);

} // namespace nixpp
