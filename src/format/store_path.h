// format/store_path.h: store paths ("/nix/store/<hash>-<name>") and the computations that name
// them, exactly as Nix's makeStorePath family does. Pure: strings and hashes in, paths out.
#pragma once

#include <compare>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "format/hash.h"
#include "util/error.h"

namespace nixpp {

// A malformed store path or store path name, with Nix's message, e.g.
// "store path 'foo' is too short to be a valid store path",
// "path '/tmp/x' is not in the Nix store".
NIXPP_DECLARE_ERROR(BadStorePath, FormatError);

// The base name of a store path, "<32 nix32 chars>-<name>", validated once, then a plain value.
// Ordered (and so sorted in sets) by its base name, as Nix orders StorePathSet.
class StorePath {
public:
  static constexpr size_t hashLen = 32;     // nix32 characters of the 160-bit hash part
  static constexpr size_t maxNameLen = 211;

  // Validates `baseName` as Nix does: at least 33 chars, hash part made of nix32 characters,
  // a '-' after it, and a valid name (see checkName). Throws BadStorePath.
  static StorePath parse(std::string_view baseName);
  // Builds "<nix32 of hash>-<name>" from a 20-byte hash. Throws BadStorePath on a bad name.
  StorePath(const Hash& hash, std::string_view name);

  const std::string& to_string() const { return baseName_; }  // "<hash>-<name>"
  std::string_view hashPart() const { return std::string_view(baseName_).substr(0, hashLen); }
  std::string_view name() const { return std::string_view(baseName_).substr(hashLen + 1); }
  // True if the name ends in ".drv".
  bool isDerivation() const;

  auto operator<=>(const StorePath&) const = default;
  bool operator==(const StorePath&) const = default;

  // A syntactically valid store path for placeholders and tests ("<32 x '0'>-x").
  static StorePath dummy();

private:
  explicit StorePath(std::string baseName) : baseName_(std::move(baseName)) {}
  std::string baseName_;
};

using StorePathSet = std::set<StorePath>;

// Checks a store path name: 1..211 characters of [A-Za-z0-9+-._?=], and not ".", "..", nor
// starting with ".-" or "..-" (as current Nix; Nix 2.8 accepts even those, but every other name
// it accepts is accepted here, e.g. ".foo"). `context` is the whole path for messages.
// Throws BadStorePath.
void checkStorePathName(std::string_view name, std::string_view context);

// How file contents were turned into a hash for a content-addressed path.
enum class FileIngestionMethod {
  flat,       // the hash of the file's bytes
  recursive,  // the hash of the NAR serialisation ("r:")
};

// "r:" for recursive, "" for flat: the prefix Nix writes before an algorithm name.
std::string_view fileIngestionPrefix(FileIngestionMethod m);

// "name" for output "out", "name-<output>" otherwise: the name of a derivation output's path.
std::string outputPathName(std::string_view drvName, std::string_view outputName);

// A store directory ("/nix/store" unless configured otherwise) and the path arithmetic that
// depends on it. A small value type; no file system access.
class StoreDir {
public:
  explicit StoreDir(std::string dir = "/nix/store") : dir_(std::move(dir)) {}
  const std::string& to_string() const { return dir_; }

  // "<storeDir>/<baseName>".
  std::string printPath(const StorePath& p) const;
  // Parses a full path "<storeDir>/<baseName>" (after removing "." components, duplicate and
  // trailing slashes). Throws BadStorePath "path '...' is not in the Nix store" if its parent is
  // not the store directory, or the base name's error.
  StorePath parsePath(std::string_view path) const;
  std::optional<StorePath> parsePathOpt(std::string_view path) const;
  // True if `path` is strictly below the store directory (a store path or something inside one).
  bool isInStore(std::string_view path) const;
  // True if `path` is exactly a valid store path (not something inside one).
  bool isStorePath(std::string_view path) const;
  // Splits a path inside the store into its store path and the rest ("/bin/sh" or "").
  // Throws BadStorePath if it is not in the store.
  std::pair<StorePath, std::string> toStorePath(std::string_view path) const;

  // sha256 of "<type>:<hash as algo:base16>:<storeDir>:<name>", compressed to 20 bytes.
  StorePath makeStorePath(std::string_view type, const Hash& hash, std::string_view name) const;
  // The same with the inner hash already printed ("sha256:<base16>").
  StorePath makeStorePath(std::string_view type, std::string_view hash, std::string_view name) const;

  // The path of output `id` of a derivation whose hash modulo is `hash`: type "output:<id>",
  // name outputPathName(drvName, id).
  StorePath makeOutputPath(std::string_view id, const Hash& hash, std::string_view drvName) const;

  // The path of fixed-output contents. Recursive sha256 is a "source" path (references allowed,
  // ":self" appended when `hasSelfReference`); anything else is
  // makeStorePath("output:out", sha256("fixed:out:<r:?><algo>:<base16>:"), name) and must have
  // no references (throws BadStorePath otherwise).
  StorePath makeFixedOutputPath(FileIngestionMethod method, const Hash& hash, std::string_view name,
                                const StorePathSet& references = {},
                                bool hasSelfReference = false) const;

  // The path of a text file (builtins.toFile, a .drv) with sha256 `hash` of its contents:
  // type "text" followed by ":<full path>" of each reference, in order. Requires sha256
  // (throws BadStorePath otherwise).
  StorePath makeTextPath(std::string_view name, const Hash& hash,
                         const StorePathSet& references = {}) const;
  // makeTextPath of the sha256 of `contents`.
  StorePath computeStorePathForText(std::string_view name, std::string_view contents,
                                    const StorePathSet& references = {}) const;

  // The path `nix-store --add` (or a path interpolated in the language) gives a file system
  // object whose NAR serialisation has sha256 `narHash`: makeFixedOutputPath(recursive, ...).
  StorePath makeSourcePath(const Hash& narHash, std::string_view name,
                           const StorePathSet& references = {}) const;

  bool operator==(const StoreDir&) const = default;

private:
  std::string dir_;
};

} // namespace nixpp
