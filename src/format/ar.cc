#include "format/ar.h"

#include <algorithm>

namespace nixpp {

namespace {

constexpr std::string_view arMagic = "!<arch>\n";
constexpr size_t headerSize = 60;

std::string_view trimRight(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// A blank-padded unsigned number in `base`; nullopt if malformed. Blank is 0.
std::optional<uint64_t> parseField(std::string_view field, unsigned base) {
  field = trimRight(field);
  uint64_t n = 0;
  for (char c : field) {
    unsigned d = unsigned(c - '0');
    if (c < '0' || d >= base) return std::nullopt;
    if (n > (UINT64_MAX - d) / base) return std::nullopt;
    n = n * base + d;
  }
  return n;
}

// Reads exactly `len` bytes, or reports a truncated archive. Returns false on a clean end
// (no byte at all) when `cleanEndOk`.
bool readAll(Source& src, char* data, size_t len, bool cleanEndOk) {
  size_t got = 0;
  while (got < len) {
    try {
      got += src.read(data + got, len - got);
    } catch (EndOfFile&) {
      if (got == 0 && cleanEndOk) return false;
      throw BadArArchive("truncated ar archive");
    }
  }
  return true;
}

} // namespace

ArMember parseArHeader(std::string_view h) {
  if (h.size() != headerSize) throw BadArArchive("bad ar member header (wrong length)");
  if (h.substr(58, 2) != "`\n") throw BadArArchive("bad ar member header (no terminator)");
  ArMember m;
  std::string_view name = trimRight(h.substr(0, 16));
  if (name.starts_with("#1/") || (name.size() > 1 && name[0] == '/' && name != "//"))
    throw BadArArchive("unsupported long member name '" + std::string(name) + "' in ar archive");
  if (name.size() > 1 && name.back() == '/') name.remove_suffix(1);
  if (name.empty()) throw BadArArchive("ar member without a name");
  m.name = std::string(name);
  auto size = parseField(h.substr(48, 10), 10);
  if (!size) throw BadArArchive("bad size '" + std::string(trimRight(h.substr(48, 10))) + "' of ar member '" + m.name + "'");
  m.size = *size;
  auto mode = parseField(h.substr(40, 8), 8);
  if (!mode) throw BadArArchive("bad mode of ar member '" + m.name + "'");
  m.mode = uint32_t(*mode);
  return m;
}

ArReader::ArReader(Source& src) : src_(src) {
  char magic[arMagic.size()];
  size_t got = 0;
  while (got < sizeof magic) {
    try {
      got += src_.read(magic + got, sizeof magic - got);
    } catch (EndOfFile&) {
      throw BadArArchive("not an ar archive (file too short)");
    }
  }
  if (std::string_view(magic, sizeof magic) != arMagic) throw BadArArchive("not an ar archive (bad magic)");
}

void ArReader::skipRest() {
  char buf[8192];
  while (left_ > 0) {
    size_t n = read(buf, sizeof buf);
    if (n == 0) break;
  }
  if (pad_) {
    char c;
    // Some writers omit the last member's padding byte: a clean end here is accepted.
    readAll(src_, &c, 1, true);
    pad_ = false;
  }
}

std::optional<ArMember> ArReader::next() {
  skipRest();
  char h[headerSize];
  if (!readAll(src_, h, headerSize, true)) return std::nullopt;
  ArMember m = parseArHeader(std::string_view(h, headerSize));
  left_ = m.size;
  pad_ = m.size % 2 == 1;
  return m;
}

size_t ArReader::read(char* data, size_t len) {
  if (left_ == 0 || len == 0) return 0;
  size_t want = size_t(std::min<uint64_t>(len, left_));
  size_t n;
  try {
    n = src_.read(data, want);
  } catch (EndOfFile&) {
    throw BadArArchive("truncated ar archive");
  }
  left_ -= n;
  return n;
}

} // namespace nixpp
