// format/nar.h: the NAR (Nix ARchive) format: a streaming writer and a streaming, validating
// parser. Pure: bytes in, events out; no file system (that is sys/nar_fs.h).
//
// A NAR is the framed string "nix-archive-1" followed by one node:
//   "(" "type" "regular" ["executable" ""] "contents" <size> <bytes, zero-padded to 8> ")"
//   "(" "type" "symlink" "target" <target> ")"
//   "(" "type" "directory" { "entry" "(" "name" <name> "node" <node> ")" } ")"
// where every token is a framed string (util/serialise.h) and directory entries are in strictly
// increasing byte order. Only this canonical form is produced and accepted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/serialise.h"

namespace nixpp {

// A malformed NAR: bad magic, unknown tag, bad padding, unsorted entries, truncated input...
// The message is Nix's where Nix has one ("bad archive: input doesn't look like a Nix archive").
NIXPP_DECLARE_ERROR(BadNar, FormatError);

inline constexpr std::string_view narVersionMagic = "nix-archive-1";
// Limits the parser enforces (Nix's file systems cannot hold more anyway).
inline constexpr size_t narMaxNameLength = 255;     // bytes in one directory entry name
inline constexpr size_t narMaxTargetLength = 4095;  // bytes in a symlink target
inline constexpr size_t narMaxDepth = 1024;         // nested directories

// True if `name` may be a directory entry in a NAR: not empty, not "." or "..", no '/' or NUL.
bool isValidNarName(std::string_view name);

// Writes a NAR to a Sink, event by event. Checks that the events form one well-formed NAR
// (right nesting, file sizes honoured, entry names valid and strictly increasing) and throws
// BadNar otherwise. Writes many small strings: give it a BufferedSink for speed. The Sink must
// outlive the writer. Not thread-safe.
class NarWriter {
public:
  // Writes the magic.
  explicit NarWriter(Sink& sink);

  // A regular file of exactly `size` bytes, given by contents() calls, then closeFile().
  void createRegularFile(bool executable, uint64_t size);
  void contents(std::string_view chunk);
  void closeFile();

  void createSymlink(std::string_view target);

  // A directory: any number of entries, each beginEntry(name), one node, endEntry(); then
  // closeDirectory().
  void createDirectory();
  void beginEntry(std::string_view name);
  void endEntry();
  void closeDirectory();

  // True once the root node is complete.
  bool done() const { return rootDone_; }

private:
  void beginNode();
  void endNode();
  Sink& sink_;
  std::vector<std::string> lastNames_;  // per open directory: the previous entry name
  std::vector<bool> inEntry_;           // per open directory: inside beginEntry/endEntry
  uint64_t fileSize_ = 0;
  uint64_t fileLeft_ = 0;
  bool inFile_ = false;
  bool rootDone_ = false;
  bool expectNode_ = true;
};

// Receives the events of parseNar(). Paths are "" for the root and "/a/b" below it.
class NarVisitor {
public:
  virtual ~NarVisitor() = default;
  virtual void createDirectory(const std::string& path) = 0;
  // `narOffset` is the byte offset of the file's contents within the NAR.
  virtual void createRegularFile(const std::string& path, bool executable, uint64_t size,
                                 uint64_t narOffset) = 0;
  // The file's contents, in order, in chunks of at most a fixed buffer size.
  virtual void receiveContents(std::string_view chunk) = 0;
  virtual void closeFile() = 0;
  virtual void createSymlink(const std::string& path, const std::string& target) = 0;
};

// Reads exactly one NAR from `source`, calling `visitor` as it goes, and stops after its last
// byte (what follows is the caller's business: Nix ignores it). Never holds a file's contents in
// memory. Throws BadNar on any malformation, including truncation ("unexpected end-of-file");
// exceptions thrown by the visitor or the source (other than EndOfFile) pass through. Events
// already delivered before an error are not undone: consumers that must be atomic (restorePath)
// handle that themselves.
void parseNar(Source& source, NarVisitor& visitor);

// Reads and checks a NAR from `source`, forwarding nothing; returns its size in bytes.
uint64_t validateNar(Source& source);

} // namespace nixpp
