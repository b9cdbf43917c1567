#include "format/signature.h"

#include <sodium.h>

#include "util/strings.h"

namespace nixpp {

namespace {

void initSodium() {
  // Idempotent and thread-safe; needed before generating random keys.
  if (sodium_init() == -1) throw Error("failed to initialise libsodium");
}

// Splits "<name>:<base64>" and decodes the key; `what` is "secret key" or "public key".
std::pair<std::string, std::string> splitKey(std::string_view s, const char* what) {
  s = trim(s);
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size())
    throw BadKey(std::string(what) + " is corrupt");
  return {std::string(s.substr(0, colon)), base64Decode(s.substr(colon + 1))};
}

} // namespace

SecretKey SecretKey::parse(std::string_view s) {
  auto [name, key] = splitKey(s, "secret key");
  if (key.size() != crypto_sign_SECRETKEYBYTES) throw BadKey("secret key is not valid");
  return SecretKey(std::move(name), std::move(key));
}

SecretKey SecretKey::generate(std::string_view name) {
  initSodium();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  std::string sk(crypto_sign_SECRETKEYBYTES, '\0');
  if (crypto_sign_keypair(pk, reinterpret_cast<unsigned char*>(sk.data())) != 0)
    throw Error("key generation failed");
  return SecretKey(std::string(name), std::move(sk));
}

SecretKey::~SecretKey() {
  if (!key_.empty()) sodium_memzero(key_.data(), key_.size());
}

std::string SecretKey::to_string() const { return name_ + ":" + base64Encode(key_); }

PublicKey SecretKey::toPublicKey() const {
  std::string pk(crypto_sign_PUBLICKEYBYTES, '\0');
  crypto_sign_ed25519_sk_to_pk(reinterpret_cast<unsigned char*>(pk.data()),
                               reinterpret_cast<const unsigned char*>(key_.data()));
  return PublicKey(name_, std::move(pk));
}

std::string SecretKey::signDetached(std::string_view data) const {
  unsigned char sig[crypto_sign_BYTES];
  unsigned long long sigLen = 0;
  crypto_sign_detached(sig, &sigLen, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                       reinterpret_cast<const unsigned char*>(key_.data()));
  return name_ + ":" + base64Encode(std::string_view(reinterpret_cast<char*>(sig), sigLen));
}

PublicKey PublicKey::parse(std::string_view s) {
  auto [name, key] = splitKey(s, "public key");
  if (key.size() != crypto_sign_PUBLICKEYBYTES) throw BadKey("public key is not valid");
  return PublicKey(std::move(name), std::move(key));
}

std::string PublicKey::to_string() const { return name_ + ":" + base64Encode(key_); }

PublicKeys parsePublicKeys(const std::vector<std::string>& keys) {
  PublicKeys res;
  for (auto& s : keys) {
    auto k = PublicKey::parse(s);
    res.insert_or_assign(k.name(), k);
  }
  return res;
}

bool verifyDetached(std::string_view data, std::string_view sig, const PublicKeys& keys) {
  auto colon = sig.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == sig.size()) return false;
  auto key = keys.find(std::string(sig.substr(0, colon)));
  if (key == keys.end()) return false;
  std::string raw = base64Decode(sig.substr(colon + 1));
  if (raw.size() != crypto_sign_BYTES) throw BadKey("signature is not valid");
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(raw.data()),
                                     reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                                     reinterpret_cast<const unsigned char*>(key->second.bytes().data())) == 0;
}

std::string pathFingerprint(std::string_view storePath, const Hash& narHash, uint64_t narSize,
                            const std::vector<std::string>& references) {
  if (narSize == 0)
    throw Error("cannot calculate fingerprint of path " + quoted(storePath) + " because its size is not known");
  if (narHash.algo() != HashAlgo::sha256)
    throw Error("cannot calculate fingerprint of path " + quoted(storePath) + ": its NAR hash is not SHA-256");
  return "1;" + std::string(storePath) + ";" + narHash.to_string(HashFormat::nix32, true) + ";" +
         std::to_string(narSize) + ";" + concatStringsSep(",", references);
}

} // namespace nixpp
