#include "store/nar_fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "format/nar.h"
#include "format/nar_listing.h"
#include "sys/directory.h"
#include "sys/file.h"

using namespace nixpp;

namespace {

std::string torture() { return readFile(std::string(NIXPP_TEST_DATA) + "/nar/torture.nar"); }

std::string dump(const std::string& path, const PathFilter& filter = {}) {
  StringSink s;
  dumpPath(path, s, filter);
  return s.s;
}

// Nothing at `path`, and no temporary beside it.
void expectNothingLeft(const TempDir& dir, const std::string& path) {
  EXPECT_FALSE(pathExists(path));
  EXPECT_TRUE(readDirectorySorted(dir.path()).empty());
}

// Gives its data, then fails as a broken pipe or disk would.
class FailingSource : public Source {
public:
  explicit FailingSource(std::string_view s) : s_(s) {}
  size_t read(char* data, size_t len) override {
    if (s_.remaining() == 0) throw SysError(EIO, "reading from file");
    return s_.read(data, len);
  }

private:
  StringSource s_;
};

} // namespace

TEST(NarFs, RestoreThenDumpRoundTripsTheTortureNar) {
  TempDir dir;
  std::string nar = torture();
  StringSource src(nar);
  restorePath(dir.path() + "/out", src);
  EXPECT_EQ(dump(dir.path() + "/out"), nar);
  EXPECT_EQ(readDirectorySorted(dir.path()), std::vector<std::string>{"out"});
}

TEST(NarFs, RestoresModesAsNixDoes) {
  TempDir dir;
  std::string nar = torture();
  StringSource src(nar);
  mode_t old = ::umask(027);
  restorePath(dir.path() + "/out", src);
  ::umask(old);
  struct stat st;
  ASSERT_EQ(::lstat((dir.path() + "/out/exec.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0751u);  // 0666 & ~027, then +x for all
  ASSERT_EQ(::lstat((dir.path() + "/out/README").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(::lstat((dir.path() + "/out/dir").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  ASSERT_EQ(::lstat((dir.path() + "/out/links/to-dir").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST(NarFs, TruncatedNarLeavesNothing) {
  std::string nar = torture();
  for (size_t cut : {size_t(0), size_t(10), size_t(100), size_t(5000), size_t(200000), nar.size() - 1}) {
    TempDir dir;
    std::string part = nar.substr(0, cut);
    StringSource src(part);
    EXPECT_THROW(restorePath(dir.path() + "/out", src), BadNar) << cut;
    expectNothingLeft(dir, dir.path() + "/out");
  }
}

TEST(NarFs, MalformedNarLeavesNothing) {
  std::string nar = torture();
  // Swap two entry names so the directory is no longer sorted: "README" -> "zEADME".
  auto pos = nar.find("README");
  ASSERT_NE(pos, std::string::npos);
  nar[pos] = 'z';
  TempDir dir;
  StringSource src(nar);
  try {
    restorePath(dir.path() + "/out", src);
    ADD_FAILURE() << "accepted";
  } catch (BadNar& e) {
    EXPECT_STREQ(e.what(), "NAR directory is not sorted");
  }
  expectNothingLeft(dir, dir.path() + "/out");
}

TEST(NarFs, FailingSourceLeavesNothing) {
  std::string nar = torture();
  TempDir dir;
  FailingSource src(std::string_view(nar).substr(0, 100000));
  EXPECT_THROW(restorePath(dir.path() + "/out", src), SysError);
  expectNothingLeft(dir, dir.path() + "/out");
}

TEST(NarFs, RestoreRefusesAnExistingPath) {
  TempDir dir;
  std::string target = dir.path() + "/out";
  writeFile(target, "precious");
  std::string nar = torture();
  StringSource src(nar);
  try {
    restorePath(target, src);
    ADD_FAILURE() << "accepted";
  } catch (SysError& e) {
    EXPECT_EQ(e.errNo, EEXIST);
    EXPECT_EQ(std::string(e.what()), "creating directory '" + target + "': File exists");
  }
  EXPECT_EQ(readFile(target), "precious");
  EXPECT_EQ(readDirectorySorted(dir.path()), std::vector<std::string>{"out"});
}

TEST(NarFs, DumpAppliesTheFilter) {
  TempDir dir;
  std::string nar = torture();
  StringSource src(nar);
  restorePath(dir.path() + "/out", src);
  std::string filtered = dump(dir.path() + "/out", [&](const std::string& p) {
    return p != dir.path() + "/out/big.bin" && p != dir.path() + "/out/links/dangling";
  });
  StringSource fsrc(filtered);
  NarEntry root = listNar(fsrc);
  EXPECT_EQ(root.entries.count("big.bin"), 0u);
  EXPECT_EQ(root.entries.count("README"), 1u);
  EXPECT_EQ(root.entries.at("links").entries.count("dangling"), 0u);
  EXPECT_EQ(root.entries.at("links").entries.count("relative"), 1u);
}

TEST(NarFs, DumpRejectsUnsupportedFiles) {
  TempDir dir;
  std::string fifo = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  StringSink s;
  try {
    dumpPath(fifo, s);
    ADD_FAILURE() << "accepted";
  } catch (Error& e) {
    EXPECT_EQ(std::string(e.what()), "file '" + fifo + "' has an unsupported type");
  }
  EXPECT_THROW(dumpPath(dir.path() + "/missing", s), SysError);
}
