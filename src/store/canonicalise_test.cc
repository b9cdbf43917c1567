#include "store/canonicalise.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "sys/file.h"

namespace nixpp {
namespace {

TEST(Canonicalise, ModesAndTimes) {
  TempDir tmp;
  std::string t = tmp.path() + "/t";
  ASSERT_EQ(::mkdir(t.c_str(), 0777), 0);
  writeFile(t + "/f", "x", 0666);
  writeFile(t + "/x", "y", 0755);
  writeFile(t + "/s", "z", 06755);
  ASSERT_EQ(::symlink("f", (t + "/l").c_str()), 0);
  canonicalisePathMetaData(t);
  syncTree(t);
  auto st = [](const std::string& p) {
    struct stat s;
    EXPECT_EQ(::lstat(p.c_str(), &s), 0);
    return s;
  };
  EXPECT_EQ(st(t).st_mode & 07777, 0555u);
  EXPECT_EQ(st(t + "/f").st_mode & 07777, 0444u);
  EXPECT_EQ(st(t + "/x").st_mode & 07777, 0555u);
  EXPECT_EQ(st(t + "/s").st_mode & 07777, 0555u);  // setuid/setgid dropped
  for (auto p : {"", "/f", "/x", "/l"}) EXPECT_EQ(st(t + p).st_mtime, 1) << p;
  EXPECT_TRUE(S_ISLNK(st(t + "/l").st_mode));
  if (::geteuid() == 0) {
    EXPECT_EQ(st(t + "/f").st_uid, 0u);
  }
}

} // namespace
} // namespace nixpp
