// format/narinfo.h: the .narinfo files of binary caches ("<hashpart>.narinfo"): `Key: value`
// lines describing one store path and the NAR file holding it. Parsed as Nix 2.8 parses them and
// printed byte-for-byte as Nix prints them. Pure: text in, value out.
//
// TODO(store_path): store paths are kept as validated strings (full path / base names) until
// format/store_path.h lands; then storePath, references and deriver become StorePath values.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "format/hash.h"
#include "util/error.h"

namespace nixpp {

// A .narinfo that cannot be parsed. what() is Nix's message, "NAR info file '<whence>' is
// corrupt"; reason() says why ("NarSize missing or zero", "invalid FileSize at line 5", ...).
class BadNarInfo : public FormatError {
public:
  BadNarInfo(std::string_view whence, std::string reason);
  const std::string& reason() const { return reason_; }

private:
  std::string reason_;
};

// A malformed store path inside a .narinfo, in Nix's words ("'foo' is too short to be a valid
// store path", "path '/x' is not in the Nix store").
NIXPP_DECLARE_ERROR(BadStorePathInNarInfo, FormatError);

// One .narinfo. Unset optional text fields are empty strings, as in Nix.
struct NarInfo {
  std::string storePath;                 // full path, e.g. /nix/store/<hash>-<name>
  std::string url;                       // of the (compressed) NAR, relative to the cache
  std::string compression;               // "none", "xz", "bzip2" (the default when absent), ...
  std::optional<Hash> fileHash;          // hash of the file at `url`
  uint64_t fileSize = 0;                 // size of the file at `url`
  Hash narHash{HashAlgo::sha256};        // hash of the uncompressed NAR
  uint64_t narSize = 0;
  std::set<std::string> references;      // base names (<hash>-<name>), sorted
  std::string deriver;                   // base name, or empty when unknown
  std::string system;                    // legacy field, normally empty
  std::set<std::string> sigs;            // "<key name>:<base64 signature>", sorted
  std::string ca;                        // content address as text ("fixed:r:sha256:..."), or empty

  // Parses the text of a .narinfo as Nix 2.8 does: unknown keys are ignored; a repeated key
  // overwrites the earlier value, except References (when non-empty) and CA, which are errors;
  // Sig lines accumulate. `whence` names the file in messages; `storeDir` is the store the paths
  // must be in. Throws BadNarInfo or BadStorePathInNarInfo.
  static NarInfo parse(std::string_view text, std::string_view whence,
                       std::string_view storeDir = "/nix/store");

  // The text Nix writes: StorePath, URL, Compression, FileHash, FileSize, NarHash, NarSize,
  // References, then Deriver, System, Sig and CA when set. Requires fileHash to be set.
  std::string to_string() const;

  // "1;<storePath>;<narHash as sha256:nix32>;<narSize>;<references as full paths, joined by ','>":
  // the message a binary-cache signature signs. `storeDir` prefixes the references.
  std::string fingerprint(std::string_view storeDir = "/nix/store") const;

  bool operator==(const NarInfo&) const = default;
};

} // namespace nixpp
