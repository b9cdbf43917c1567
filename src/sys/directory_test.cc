#include "sys/directory.h"

#include <gtest/gtest.h>

#include "sys/file.h"
#include "util/error.h"

using namespace nixpp;

TEST(ReadDirectorySorted, ListsNamesInByteOrder) {
  TempDir dir;
  for (auto n : {"\xc3\xa9", "a", "B", "_", ".hidden", "10", "9"}) writeFile(dir.path() + "/" + n, "");
  EXPECT_EQ(readDirectorySorted(dir.path()),
            (std::vector<std::string>{".hidden", "10", "9", "B", "_", "a", "\xc3\xa9"}));
}

TEST(ReadDirectorySorted, FailsOnMissingDirectory) {
  TempDir dir;
  try {
    readDirectorySorted(dir.path() + "/missing");
    ADD_FAILURE() << "accepted";
  } catch (SysError& e) {
    EXPECT_EQ(std::string(e.what()), "opening directory '" + dir.path() + "/missing': No such file or directory");
  }
}
