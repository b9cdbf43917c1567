// format/content_address.h: content addresses, the "CA" of a store path as written in .narinfo
// files and the store database's `ca` column: "text:sha256:<nix32>", "fixed:<algo>:<nix32>" or
// "fixed:r:<algo>:<nix32>". Pure.
#pragma once

#include <string>
#include <string_view>

#include "format/hash.h"
#include "format/store_path.h"
#include "util/error.h"

namespace nixpp {

// A content address (or method) that cannot be parsed; the message is Nix's.
NIXPP_DECLARE_ERROR(BadContentAddress, FormatError);

// How the contents were hashed: a text file (builtins.toFile, .drv), or file contents taken
// flat or as a NAR.
enum class ContentAddressMethod { text, flat, nar };

// "text:", "fixed:" or "fixed:r:": the prefix of a content address of that method.
std::string printContentAddressMethodPrefix(ContentAddressMethod m);
// The file ingestion method of flat / nar. Requires m != text.
FileIngestionMethod toFileIngestionMethod(ContentAddressMethod m);
ContentAddressMethod fromFileIngestionMethod(FileIngestionMethod m);

// A method and a hash: how a store path's contents were addressed.
struct ContentAddress {
  ContentAddressMethod method;
  Hash hash;

  // Parses "text:sha256:<hash>", "fixed:<algo>:<hash>", "fixed:r:<algo>:<hash>". The hash may be
  // in base16, nix32 or base64 (as Nix's parseNonSRIUnprefixed). Text addresses must use sha256.
  // Throws BadContentAddress (or BadHash for a bad digest).
  static ContentAddress parse(std::string_view s);

  // The canonical form: the method prefix, then "<algo>:<nix32>".
  std::string to_string() const;

  // "r:sha256", "sha1", "text:sha256"...: the method and algorithm, as in a .drv's hashAlgo
  // field (for flat/nar; text prints "text:sha256").
  std::string printMethodAlgo() const;

  // The store path of contents with this address, named `name`: makeTextPath for text,
  // makeFixedOutputPath otherwise.
  StorePath storePath(const StoreDir& dir, std::string_view name,
                      const StorePathSet& references = {}, bool hasSelfReference = false) const;

  bool operator==(const ContentAddress& o) const = default;
};

} // namespace nixpp
