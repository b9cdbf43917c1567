// format/nar_listing.h: the table of contents of a NAR: every entry's type, size, executable flag,
// symlink target and the byte offset of each regular file's contents, as `nix nar ls --json` and
// binary caches' .ls files give it. Built by one streaming pass over the NAR (contents skipped).
// Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "util/serialise.h"

namespace nixpp {

// One node of a NAR.
struct NarEntry {
  enum class Type { regular, directory, symlink };
  Type type = Type::regular;
  bool executable = false;         // regular files
  uint64_t size = 0;               // regular files: content length
  uint64_t narOffset = 0;          // regular files: offset of the contents in the NAR
  std::string target;              // symlinks
  std::map<std::string, NarEntry> entries;  // directories, in byte order
};

// Parses a whole NAR from `source` (throws BadNar as parseNar does) into its listing.
NarEntry listNar(Source& source);

// Looks `path` up as Nix 2.8's NAR accessor does: "" is the root; anything else must be
// absolute (else throws Error "not an absolute path: 'p'") and each component after a '/' is
// looked up literally, so "/" or "/dir/" name no entry. Returns nullptr if there is no such
// entry. Note: `nix nar ls` itself treats "/" as "".
const NarEntry* findNarEntry(const NarEntry& root, std::string_view path);

// The JSON of `entry` as Nix 2.8 writes it: {"type":"regular","size":N[,"executable":true]
// [,"narOffset":N]}, {"type":"symlink","target":"..."}, {"type":"directory","entries":{...}} with
// the entries listed in full if `recursive`, else as {}. No trailing newline. Strings are escaped
// as Nix 2.8 does (only '"', '\\' and control characters; other bytes pass through).
std::string narEntryToJson(const NarEntry& entry, bool recursive);

} // namespace nixpp
