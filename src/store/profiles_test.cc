#include "store/profiles.h"

#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include <gtest/gtest.h>

#include "sys/file.h"

namespace nixpp {
namespace {

// A profile "p" with generations 1..n (links to fake targets), pointing at `current`.
std::string makeProfile(const TempDir& tmp, int n, int current) {
  std::string p = tmp.path() + "/p";
  for (int i = 1; i <= n; ++i) {
    std::string link = p + "-" + std::to_string(i) + "-link";
    EXPECT_EQ(::symlink(("/store/x" + std::to_string(i)).c_str(), link.c_str()), 0);
  }
  switchLink(p, p + "-" + std::to_string(current) + "-link");
  return p;
}

std::string target(const std::string& link) {
  char buf[4096];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  return n < 0 ? "" : std::string(buf, size_t(n));
}

TEST(Profiles, FindGenerationsIgnoresOtherFiles) {
  TempDir tmp;
  std::string p = makeProfile(tmp, 3, 2);
  writeFile(tmp.path() + "/p-x-link", "");
  writeFile(tmp.path() + "/p-4-link.tmp-1", "");
  ASSERT_EQ(::symlink("/store/y", (tmp.path() + "/other-7-link").c_str()), 0);
  auto g = findGenerations(p);
  ASSERT_EQ(g.gens.size(), 3u);
  EXPECT_EQ(g.gens[0].number, 1u);
  EXPECT_EQ(g.gens[2].number, 3u);
  EXPECT_EQ(g.current, 2u);
  EXPECT_EQ(target(p), "p-2-link");  // relative, as Nix makes it
  EXPECT_TRUE(findGenerations(tmp.path() + "/none").gens.empty());
}

TEST(Profiles, SwitchAndRollback) {
  TempDir tmp;
  std::string p = makeProfile(tmp, 3, 3);
  std::ostringstream log;
  switchGeneration(p, std::nullopt, false, log);
  EXPECT_EQ(log.str(), "switching profile from version 3 to 2\n");
  EXPECT_EQ(target(p), "p-2-link");
  switchGeneration(p, 1, true, log);  // dry run: message only
  EXPECT_EQ(target(p), "p-2-link");
  switchGeneration(p, 1, false, log);
  EXPECT_THROW(switchGeneration(p, std::nullopt, false, log), Error);
  EXPECT_THROW(switchGeneration(p, 9, false, log), Error);
  EXPECT_EQ(target(p), "p-1-link");
}

TEST(Profiles, DeleteNeverTheCurrent) {
  TempDir tmp;
  std::string p = makeProfile(tmp, 5, 3);
  std::ostringstream log;
  EXPECT_THROW(deleteGenerations(p, {3}, false, log), Error);
  deleteGenerations(p, {1, 9}, false, log);
  EXPECT_EQ(log.str(), "removing profile version 1\n");
  deleteGenerationsGreaterThan(p, 1, false, log);  // keeps only 3 (and the newer 4, 5)
  auto g = findGenerations(p);
  ASSERT_EQ(g.gens.size(), 3u);
  EXPECT_EQ(g.gens[0].number, 3u);
  deleteOldGenerations(p, false, log);
  g = findGenerations(p);
  ASSERT_EQ(g.gens.size(), 1u);
  EXPECT_EQ(g.gens[0].number, 3u);
  EXPECT_THROW(parseOlderThanTimeSpec("3x"), UsageError);
  EXPECT_THROW(parseOlderThanTimeSpec("0d"), UsageError);
  EXPECT_NEAR(double(parseOlderThanTimeSpec("2d")), double(::time(nullptr) - 2 * 86400), 5);
}

} // namespace
} // namespace nixpp
