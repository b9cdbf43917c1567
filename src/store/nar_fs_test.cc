#include "store/nar_fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "format/hash.h"
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

namespace {

// Every entry of the tree at `path` has the canonical metadata of a store path.
void expectCanonical(const std::string& path) {
  struct stat st;
  ASSERT_EQ(::lstat(path.c_str(), &st), 0) << path;
  EXPECT_EQ(st.st_mtime, 1) << path;
  EXPECT_EQ(st.st_uid, ::geteuid()) << path;
  if (::geteuid() == 0) {
    EXPECT_EQ(st.st_gid, 0u) << path;
  }
  if (S_ISLNK(st.st_mode)) return;
  if (S_ISDIR(st.st_mode)) {
    EXPECT_EQ(st.st_mode & 07777, 0555u) << path;
    for (auto& n : readDirectorySorted(path)) expectCanonical(path + "/" + n);
  } else {
    EXPECT_TRUE(S_ISREG(st.st_mode)) << path;
    mode_t m = st.st_mode & 07777;
    EXPECT_TRUE(m == 0444 || m == 0555) << path << " " << m;
  }
}

// Throws once it has been given more than `limit` bytes, as a failing hash or disk would.
class FailingSink : public Sink {
public:
  explicit FailingSink(size_t limit) : limit_(limit) {}
  void operator()(std::string_view d) override {
    n_ += d.size();
    if (n_ > limit_) throw SysError(EIO, "writing to the sink");
  }

private:
  size_t limit_, n_ = 0;
};

} // namespace

TEST(NarFs, CopyCanonicalGivesTheNarOfTheCopyAndCanonicalMetadata) {
  for (mode_t mask : {mode_t(022), mode_t(077), mode_t(0)}) {
    TempDir dir;
    std::string nar = torture();
    StringSource src(nar);
    restorePath(dir.path() + "/in", src);
    // Odd modes and a set-uid bit in the source: none of them may reach the copy.
    ASSERT_EQ(::chmod((dir.path() + "/in/exec.sh").c_str(), 04711), 0);
    ASSERT_EQ(::chmod((dir.path() + "/in/README").c_str(), 0600), 0);
    mode_t old = ::umask(mask);
    StringSink out;
    copyPathCanonical(dir.path() + "/in", dir.path() + "/out", out);
    ::umask(old);
    EXPECT_EQ(out.s, nar) << mask;
    EXPECT_EQ(dump(dir.path() + "/out"), nar) << mask;
    expectCanonical(dir.path() + "/out");
    struct stat st;
    ASSERT_EQ(::lstat((dir.path() + "/out/exec.sh").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0555u);
    ASSERT_EQ(::lstat((dir.path() + "/out/README").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0444u);
  }
}

TEST(NarFs, CopyCanonicalOfAFileAndOfASymlink) {
  TempDir dir;
  writeFile(dir.path() + "/f", "hello", 0700);
  ASSERT_EQ(::symlink("f", (dir.path() + "/l").c_str()), 0);
  for (std::string name : {"f", "l"}) {
    StringSink out;
    copyPathCanonical(dir.path() + "/" + name, dir.path() + "/" + name + ".copy", out);
    EXPECT_EQ(out.s, dump(dir.path() + "/" + name)) << name;
    EXPECT_EQ(dump(dir.path() + "/" + name + ".copy"), out.s) << name;
    expectCanonical(dir.path() + "/" + name + ".copy");
  }
  EXPECT_EQ(readFile(dir.path() + "/f.copy"), "hello");
  struct stat st;
  ASSERT_EQ(::lstat((dir.path() + "/l.copy").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST(NarFs, CopyCanonicalFailuresLeaveNothing) {
  TempDir dir;
  std::string nar = torture();
  StringSource src(nar);
  restorePath(dir.path() + "/in", src);
  std::string out = dir.path() + "/out";
  // The hashing side fails midway, on its first block.
  FailingSink failing(100 * 1024);
  EXPECT_THROW(copyPathCanonical(dir.path() + "/in", out, failing), SysError);
  EXPECT_FALSE(pathExists(out));
  // A fifo deep in the tree.
  ASSERT_EQ(::mkfifo((dir.path() + "/in/dir/zz-fifo").c_str(), 0600), 0);
  StringSink s;
  try {
    copyPathCanonical(dir.path() + "/in", out, s);
    ADD_FAILURE() << "accepted";
  } catch (Error& e) {
    EXPECT_EQ(std::string(e.what()), "file '" + dir.path() + "/in/dir/zz-fifo' has an unsupported type");
  }
  EXPECT_FALSE(pathExists(out));
  // A missing source.
  EXPECT_THROW(copyPathCanonical(dir.path() + "/missing", out, s), SysError);
  EXPECT_FALSE(pathExists(out));
  EXPECT_EQ(readDirectorySorted(dir.path()), std::vector<std::string>{"in"});
}

TEST(NarFs, CopyCanonicalRefusesAnExistingPath) {
  TempDir dir;
  std::string target = dir.path() + "/out";
  writeFile(target, "precious");
  writeFile(dir.path() + "/in", "x");
  StringSink s;
  try {
    copyPathCanonical(dir.path() + "/in", target, s);
    ADD_FAILURE() << "accepted";
  } catch (SysError& e) {
    EXPECT_EQ(e.errNo, EEXIST);
  }
  EXPECT_EQ(readFile(target), "precious");
}

namespace {

// A tree as `nix-store --add` meets them: thousands of small files in nested directories (some
// executable, some empty), files above the size kept in memory for the hash (256 KiB), large
// files that are jobs of their own, symlinks and an empty directory between them (~28 MiB). The
// same bytes every time.
void makeMixedTree(const std::string& root) {
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  uint64_t x = 88172645463325252ull;
  auto next = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  auto file = [&](const std::string& path, size_t size, bool exec) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; i += 8) {
      uint64_t v = next();
      std::memcpy(&data[i], &v, std::min<size_t>(8, size - i));
    }
    writeFile(path, data, exec ? 0755 : 0644);
  };
  file(root + "/big-a", 6 << 20, false);
  file(root + "/big-b", 3 << 20, true);
  ASSERT_EQ(::mkdir((root + "/empty").c_str(), 0755), 0);
  for (int d = 0; d < 4; d++) {
    std::string dir = root + "/d" + std::to_string(d);
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((dir + "/sub").c_str(), 0755), 0);
    for (int i = 0; i < 400; i++) {
      std::string base = (i % 3 ? dir : dir + "/sub") + "/f" + std::to_string(i);
      file(base, i % 50 == 0 ? 0 : next() % 16384, i % 17 == 0);
      if (i % 97 == 0) {
        ASSERT_EQ(::symlink(("f" + std::to_string(i)).c_str(), (base + "-link").c_str()), 0);
      }
    }
    file(dir + "/mid", 300 * 1024 + d, d % 2);
    file(dir + "/zz-big", (2 << 20) + d, false);
  }
  file(root + "/zz-last", 3 << 20, false);
}

size_t openFds() { return readDirectorySorted("/proc/self/fd").size(); }

std::string narHashOf(const std::string& path) {
  HashSink h(HashAlgo::sha256);
  dumpPath(path, h);
  return h.finish().first.to_string(HashFormat::nix32, true);
}

} // namespace

TEST(NarFs, CopyCanonicalOfALargeMixedTree) {
  TempDir dir;
  makeMixedTree(dir.path() + "/in");
  std::string want = narHashOf(dir.path() + "/in");
  size_t fds = openFds();
  HashSink h(HashAlgo::sha256);
  copyPathCanonical(dir.path() + "/in", dir.path() + "/out", h);
  EXPECT_EQ(h.finish().first.to_string(HashFormat::nix32, true), want);
  EXPECT_EQ(narHashOf(dir.path() + "/out"), want);
  EXPECT_EQ(openFds(), fds) << "descriptors left open";
  expectCanonical(dir.path() + "/out");

  // The hash fails late (16 MiB in): nothing is left, no descriptor stays open, nothing hangs.
  FailingSink failing(16 << 20);
  EXPECT_THROW(copyPathCanonical(dir.path() + "/in", dir.path() + "/out2", failing), SysError);
  EXPECT_FALSE(pathExists(dir.path() + "/out2"));
  EXPECT_EQ(openFds(), fds) << "descriptors left open";
}
