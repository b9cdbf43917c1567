#include "format/ar.h"

#include <gtest/gtest.h>

namespace nixpp {
namespace {

std::string header(std::string name, size_t size, std::string mode = "100644") {
  auto pad = [](std::string s, size_t n) { s.resize(n, ' '); return s; };
  return pad(name, 16) + pad("0", 12) + pad("0", 6) + pad("0", 6) + pad(mode, 8) + pad(std::to_string(size), 10) + "`\n";
}

std::string member(std::string name, std::string data) {
  std::string s = header(name, data.size()) + data;
  if (data.size() % 2) s += '\n';
  return s;
}

TEST(Ar, ReadsMembersInOrderSkippingUnreadData) {
  std::string a = "!<arch>\n" + member("debian-binary", "2.0\n") + member("control.tar.xz/", "abc") +
                  member("data.tar.gz", "hello");
  StringSource src(a);
  ArReader r(src);
  auto m = r.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "debian-binary");
  EXPECT_EQ(m->size, 4u);
  m = r.next();  // debian-binary's data skipped
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "control.tar.xz");  // GNU's '/' removed
  EXPECT_EQ(m->mode, 0100644u);
  m = r.next();  // odd-sized data plus its padding skipped
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "data.tar.gz");
  char buf[16];
  size_t n = r.read(buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n), "hello");
  EXPECT_EQ(r.read(buf, sizeof buf), 0u);
  EXPECT_FALSE(r.next());
}

TEST(Ar, AcceptsMissingFinalPadding) {
  std::string a = "!<arch>\n" + header("x", 3) + "abc";
  StringSource src(a);
  ArReader r(src);
  ASSERT_TRUE(r.next());
  EXPECT_FALSE(r.next());
}

TEST(Ar, RejectsBadInput) {
  StringSource notAr("PK\3\4 this is a zip file");
  EXPECT_THROW(ArReader r(notAr), BadArArchive);
  StringSource empty("");
  EXPECT_THROW(ArReader r(empty), BadArArchive);

  std::string truncHeader = "!<arch>\n" + header("data.tar.xz", 10).substr(0, 30);
  StringSource s1(truncHeader);
  ArReader r1(s1);
  EXPECT_THROW(r1.next(), BadArArchive);

  std::string truncData = "!<arch>\n" + header("data.tar.xz", 100) + "short";
  StringSource s2(truncData);
  ArReader r2(s2);
  ASSERT_TRUE(r2.next());
  char buf[200];
  EXPECT_THROW({ while (r2.read(buf, sizeof buf) > 0) {} }, BadArArchive);

  EXPECT_THROW(parseArHeader(header("x", 1).substr(0, 59) + "!"), BadArArchive);
  std::string badSize = header("x", 1);
  badSize.replace(48, 3, "1x2");
  EXPECT_THROW(parseArHeader(badSize), BadArArchive);
  EXPECT_THROW(parseArHeader(header("/123", 1)), BadArArchive);
  EXPECT_THROW(parseArHeader(header("#1/longname", 1)), BadArArchive);
}

} // namespace
} // namespace nixpp
