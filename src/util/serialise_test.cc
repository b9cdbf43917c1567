#include "util/serialise.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace nixpp {

TEST(Serialise, U64IsLittleEndian) {
  StringSink sink;
  writeU64(sink, 0x0102030405060708ULL);
  EXPECT_EQ(sink.s, std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  StringSource src(sink.s);
  EXPECT_EQ(readU64(src), 0x0102030405060708ULL);
}

TEST(Serialise, StringsArePaddedToEight) {
  StringSink sink;
  writeString(sink, "abc");
  ASSERT_EQ(sink.s.size(), 16u);
  EXPECT_EQ(sink.s.substr(8, 3), "abc");
  EXPECT_EQ(sink.s.substr(11), std::string(5, '\0'));
  StringSource src(sink.s);
  EXPECT_EQ(readString(src), "abc");
  EXPECT_EQ(src.remaining(), 0u);
}

TEST(Serialise, EmptyStringHasNoPadding) {
  StringSink sink;
  writeString(sink, "");
  EXPECT_EQ(sink.s.size(), 8u);
}

TEST(Serialise, RejectsNonZeroPadding) {
  StringSink sink;
  writeString(sink, "abc");
  sink.s[12] = 'x';
  StringSource src(sink.s);
  EXPECT_THROW(readString(src), FormatError);
}

TEST(Serialise, RejectsOverlongString) {
  StringSink sink;
  writeString(sink, "abcdefgh");
  StringSource src(sink.s);
  EXPECT_THROW(readString(src, 4), FormatError);
}

TEST(Serialise, TruncatedInputIsEndOfFile) {
  StringSink sink;
  writeString(sink, "abcdefgh");
  std::string cut = sink.s.substr(0, 12);
  StringSource src(cut);
  EXPECT_THROW(readString(src), EndOfFile);
  // A huge announced length must not allocate before failing.
  StringSink huge;
  writeU64(huge, UINT64_MAX);
  StringSource src2(huge.s);
  EXPECT_THROW(readString(src2, 1 << 20), FormatError);
}

TEST(Serialise, BufferedSinkPassesEverythingOn) {
  StringSink out;
  {
    BufferedSink buf(out, 4);
    buf("ab");
    buf("cde");
    buf("fghijk");
    buf("l");
  }
  EXPECT_EQ(out.s, "abcdefghijkl");
}

TEST(Serialise, DrainReadsToEnd) {
  std::string data(200000, 'x');
  StringSource src(data);
  EXPECT_EQ(src.drain(), data);
}

} // namespace nixpp
