#include "sys/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "util/error.h"

namespace nixpp {

TEST(File, WriteReadRoundTrip) {
  TempDir tmp;
  std::string p = tmp.path() + "/f";
  writeFile(p, "hello\n");
  EXPECT_EQ(readFile(p), "hello\n");
  EXPECT_TRUE(pathExists(p));
  EXPECT_FALSE(pathExists(tmp.path() + "/missing"));
}

TEST(File, ReadMissingFileNamesThePath) {
  try {
    readFile("/nonexistent-nixpp-test/file");
    FAIL();
  } catch (SysError& e) {
    EXPECT_NE(std::string(e.what()).find("'/nonexistent-nixpp-test/file'"), std::string::npos);
    EXPECT_EQ(e.errNo, ENOENT);
  }
}

TEST(File, TempDirIsRemovedWithReadOnlyContents) {
  std::string path;
  {
    TempDir tmp;
    path = tmp.path();
    ASSERT_EQ(mkdir((path + "/ro").c_str(), 0755), 0);
    writeFile(path + "/ro/f", "x");
    ASSERT_EQ(chmod((path + "/ro").c_str(), 0555), 0);
    ASSERT_EQ(symlink("/nonexistent", (path + "/dangling").c_str()), 0);
  }
  EXPECT_FALSE(pathExists(path));
}

TEST(File, FdSourceReportsEndOfFile) {
  TempDir tmp;
  writeFile(tmp.path() + "/f", "abc");
  AutoCloseFd fd = openFile(tmp.path() + "/f", O_RDONLY);
  FdSource src(fd.get());
  EXPECT_EQ(src.drain(), "abc");
  char c;
  EXPECT_THROW(src.read(&c, 1), EndOfFile);
}

} // namespace nixpp

namespace nixpp {

TEST(File, FdSourceMixesSmallAndLargeReads) {
  TempDir tmp;
  std::string data;
  for (int i = 0; i < 300000; ++i) data += char('a' + i % 26);
  writeFile(tmp.path() + "/f", data);
  AutoCloseFd fd = openFile(tmp.path() + "/f", O_RDONLY);
  FdSource src(fd.get());
  std::string got(data.size(), '\0');
  src.readExact(got.data(), 3);                   // small: buffered
  src.readExact(got.data() + 3, 100000);          // large: partly from the buffer
  src.readExact(got.data() + 100003, 5);
  src.readExact(got.data() + 100008, data.size() - 100008);
  EXPECT_EQ(got, data);
  char c;
  EXPECT_THROW(src.read(&c, 1), EndOfFile);
}

} // namespace nixpp
