#include "util/serialise.h"

#include <cstring>

#include "util/error.h"

namespace nixpp {

void Source::readExact(char* data, size_t len) {
  while (len) {
    size_t n = read(data, len);
    data += n;
    len -= n;
  }
}

void Source::drainInto(Sink& sink) {
  char buf[65536];
  for (;;) {
    size_t n;
    try {
      n = read(buf, sizeof buf);
    } catch (EndOfFile&) {
      return;
    }
    sink(std::string_view(buf, n));
  }
}

std::string Source::drain() {
  StringSink s;
  drainInto(s);
  return std::move(s.s);
}

void StringSource::drainInto(Sink& sink) {
  std::string_view rest = s_.substr(pos_);
  pos_ = s_.size();
  if (!rest.empty()) sink(rest);
}

size_t StringSource::read(char* data, size_t len) {
  if (pos_ >= s_.size()) throw EndOfFile("unexpected end of input");
  size_t n = std::min(len, s_.size() - pos_);
  std::memcpy(data, s_.data() + pos_, n);
  pos_ += n;
  return n;
}

BufferedSink::BufferedSink(Sink& next, size_t bufSize) : next_(next), cap_(bufSize) {
  buf_.reserve(cap_);
}

BufferedSink::~BufferedSink() {
  try {
    flush();
  } catch (...) {
  }
}

void BufferedSink::operator()(std::string_view data) {
  if (buf_.size() + data.size() > cap_) {
    flush();
    if (data.size() >= cap_) {
      next_(data);
      return;
    }
  }
  buf_.append(data);
}

void BufferedSink::flush() {
  if (buf_.empty()) return;
  next_(buf_);
  buf_.clear();
}

void writeU64(Sink& sink, uint64_t n) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = char((n >> (8 * i)) & 0xff);
  sink(std::string_view(buf, 8));
}

void writePadding(Sink& sink, uint64_t len) {
  static const char zero[8] = {};
  if (len % 8) sink(std::string_view(zero, 8 - len % 8));
}

void writeString(Sink& sink, std::string_view s) {
  writeU64(sink, s.size());
  sink(s);
  writePadding(sink, s.size());
}

uint64_t readU64(Source& source) {
  unsigned char buf[8];
  source.readExact(reinterpret_cast<char*>(buf), 8);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | buf[i];
  return n;
}

void readPadding(Source& source, uint64_t len) {
  if (len % 8 == 0) return;
  char buf[8];
  size_t n = 8 - len % 8;
  source.readExact(buf, n);
  for (size_t i = 0; i < n; ++i)
    if (buf[i]) throw FormatError("non-zero padding");
}

std::string readString(Source& source, size_t maxLen) {
  uint64_t len = readU64(source);
  if (len > maxLen) throw FormatError("string is too long");
  std::string s(len, '\0');
  source.readExact(s.data(), len);
  readPadding(source, len);
  return s;
}

} // namespace nixpp
