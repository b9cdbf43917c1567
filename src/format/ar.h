// format/ar.h: Unix `ar` archives as Debian packages use them (the common format: "!<arch>\n",
// then members, each a 60-byte text header followed by its data padded to an even length;
// names may end with GNU's '/'). Pure: reads from a Source, no file system.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"
#include "util/serialise.h"

namespace nixpp {

// A malformed archive: "not an ar archive", "truncated ar archive", "bad ar member header ...".
NIXPP_DECLARE_ERROR(BadArArchive, FormatError);

// One member's header.
struct ArMember {
  std::string name;   // without GNU's trailing '/' and the space padding
  uint64_t size = 0;  // bytes of data
  uint32_t mode = 0;  // octal mode field (0 if blank)
};

// Parses one 60-byte member header. Throws BadArArchive on a wrong length, a bad terminator
// ("`\n"), a non-decimal size, or a long-name reference ("/123", "#1/..."), which Debian's
// members never use.
ArMember parseArHeader(std::string_view header);

// Reads the members of an archive in order. The Source must outlive the reader.
//   ArReader r(src);                  // reads and checks the magic
//   while (auto m = r.next()) { ... r.read(buf, n) ... }   // unread data is skipped by next()
class ArReader {
public:
  explicit ArReader(Source& src);  // throws BadArArchive "not an ar archive" (or truncated)
  // The next member's header, or nullopt at the clean end of the archive. Throws BadArArchive
  // "truncated ar archive" when the archive stops inside a header or a member's data.
  std::optional<ArMember> next();
  // Reads up to `len` bytes of the current member's data; 0 at its end.
  size_t read(char* data, size_t len);

private:
  void skipRest();
  Source& src_;
  uint64_t left_ = 0;  // unread data bytes of the current member
  bool pad_ = false;   // the current member's data is followed by one padding byte
};

} // namespace nixpp
