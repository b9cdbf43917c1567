// util/serialise.h: byte streams (Source, Sink) and Nix's framing on top of them: little-endian
// 64-bit integers and length-prefixed strings padded to 8 bytes, as used by NAR, the export format
// and the daemon's worker protocol. No system calls: file- and fd-backed streams live in src/sys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace nixpp {

// Something bytes can be written to. Not thread-safe.
class Sink {
public:
  virtual ~Sink() = default;
  virtual void operator()(std::string_view data) = 0;
};

// Something bytes can be read from. Not thread-safe.
class Source {
public:
  virtual ~Source() = default;
  // Reads at least 1 and at most `len` bytes into `data`. Throws EndOfFile at the end of the stream.
  virtual size_t read(char* data, size_t len) = 0;
  // Reads exactly `len` bytes; throws EndOfFile if the stream ends first.
  void readExact(char* data, size_t len);
  // Copies the rest of the stream to `sink` (until EndOfFile).
  virtual void drainInto(Sink& sink);
  std::string drain();
};

// Collects everything written into a string.
class StringSink : public Sink {
public:
  std::string s;
  void operator()(std::string_view data) override { s.append(data); }
};

// Reads from a string the caller keeps alive.
class StringSource : public Source {
public:
  explicit StringSource(std::string_view s) : s_(s) {}
  size_t read(char* data, size_t len) override;
  // The rest in one piece, without read()'s EndOfFile (an exception per .drv written showed
  // in profiles: the text of every addTextToStore goes through a StringSource).
  void drainInto(Sink& sink) override;
  size_t remaining() const { return s_.size() - pos_; }

private:
  std::string_view s_;
  size_t pos_ = 0;
};

// A sink that forwards to a function.
class LambdaSink : public Sink {
public:
  explicit LambdaSink(std::function<void(std::string_view)> f) : f_(std::move(f)) {}
  void operator()(std::string_view data) override { f_(data); }

private:
  std::function<void(std::string_view)> f_;
};

// Buffers small writes to an underlying sink; flush() (or destruction) passes them on.
class BufferedSink : public Sink {
public:
  explicit BufferedSink(Sink& next, size_t bufSize = 64 * 1024);
  ~BufferedSink() override;
  void operator()(std::string_view data) override;
  void flush();

private:
  Sink& next_;
  std::string buf_;
  size_t cap_;
};

// Counts the bytes passing through on their way to another sink.
class CountingSink : public Sink {
public:
  explicit CountingSink(Sink& next) : next_(next) {}
  void operator()(std::string_view data) override { n += data.size(); next_(data); }
  uint64_t n = 0;

private:
  Sink& next_;
};

// --- Nix framing ---------------------------------------------------------------------------

void writeU64(Sink& sink, uint64_t n);
// Length, bytes, zero padding to a multiple of 8.
void writeString(Sink& sink, std::string_view s);
// Zero padding after `len` bytes of payload.
void writePadding(Sink& sink, uint64_t len);

uint64_t readU64(Source& source);
// Reads a framed string of at most `maxLen` bytes; throws FormatError if longer or if the padding
// is not zero, EndOfFile if truncated.
std::string readString(Source& source, size_t maxLen = SIZE_MAX);
// Reads and checks the zero padding after `len` bytes of payload.
void readPadding(Source& source, uint64_t len);

} // namespace nixpp
