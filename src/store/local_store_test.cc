// The local store's text paths (store/local_store.h): written complete and canonical at once,
// registered in batches (valid for the writer at once, for others after flush()), and a
// leftover at their name replaced only if it is not exactly right.
#include "store/local_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "sys/directory.h"
#include "sys/file.h"

using namespace nixpp;

namespace {

LocalStoreConfig configIn(const TempDir& dir) {
  LocalStoreConfig c;
  c.storeDir = "/nix/store";
  c.realStoreDir = dir.path() + "/nix/store";
  c.stateDir = dir.path() + "/nix/var/nix";
  c.logDir = dir.path() + "/nix/var/log/nix";
  c.rootDir = dir.path();
  return c;
}

const std::string drvText =
    "Derive([(\"out\",\"/nix/store/8dlfmmhc6v5ykj1y1n4yh3ww3i9sdxz1-t\",\"\",\"\")],[],[],\"x86_64-linux\","
    "\"/bin/sh\",[],[(\"builder\",\"/bin/sh\"),(\"name\",\"t\"),(\"out\",\"/nix/store/"
    "8dlfmmhc6v5ykj1y1n4yh3ww3i9sdxz1-t\"),(\"system\",\"x86_64-linux\")])";

} // namespace

TEST(LocalStoreText, PendingUntilFlushedThenValidForOthers) {
  TempDir dir;
  LocalStore writer(configIn(dir));
  LocalStore other(configIn(dir));
  StorePath note = writer.addTextToStore("note", "hello", {});
  StorePath drv = writer.addTextToStore("t.drv", drvText, {note});

  // Valid for the writer at once; its file complete with canonical metadata already.
  EXPECT_TRUE(writer.isValidPath(drv));
  struct stat st;
  ASSERT_EQ(::lstat(writer.realPath(drv).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);
  EXPECT_EQ(st.st_mtime, 1);
  EXPECT_EQ(readFile(writer.realPath(drv)), drvText);
  // Not yet registered for another connection...
  EXPECT_FALSE(other.isValidPath(note));
  EXPECT_FALSE(other.isValidPath(drv));
  writer.flush();
  // ...then with its references and the derivation's outputs.
  auto info = other.queryPathInfo(drv);
  EXPECT_EQ(info.references, StorePathSet{note});
  EXPECT_EQ(other.queryDerivationOutputs(drv).at("out").to_string(), "8dlfmmhc6v5ykj1y1n4yh3ww3i9sdxz1-t");
  // No lock file and no temporary left in the store directory.
  for (auto& name : readDirectorySorted(writer.config().realStoreDir))
    EXPECT_TRUE(name == drv.to_string() || name == note.to_string()) << name;
}

TEST(LocalStoreText, QueriesOfTheWriterCommitFirst) {
  TempDir dir;
  LocalStore writer(configIn(dir));
  StorePath note = writer.addTextToStore("note", "hello", {});
  // A query through the writer commits: another connection then sees the path.
  EXPECT_EQ(writer.queryPathInfo(note).narSize, 120u);
  LocalStore other(configIn(dir));
  EXPECT_TRUE(other.isValidPath(note));
}

TEST(LocalStoreText, DestructionCommits) {
  TempDir dir;
  StorePath note = [&] {
    LocalStore writer(configIn(dir));
    return writer.addTextToStore("note", "hello", {});
  }();
  LocalStore other(configIn(dir));
  EXPECT_TRUE(other.isValidPath(note));
}

TEST(LocalStoreText, InvalidReferenceRejectedAtOnce) {
  TempDir dir;
  LocalStore store(configIn(dir));
  StorePath missing = StorePath::parse("00000000000000000000000000000000-missing");
  EXPECT_THROW(store.addTextToStore("t", "x", {missing}), InvalidPath);
}

TEST(LocalStoreText, LeftoversReplacedUnlessExactlyRight) {
  TempDir dir;
  auto config = configIn(dir);
  StorePath note = [&] {
    LocalStore scratch(configIn(dir));  // only to learn the path
    return scratch.storeDir().computeStorePathForText("note", "hello", {});
  }();
  std::string real = config.realStoreDir + "/" + std::string(note.to_string());
  {
    // The start of it, as an in-place writer killed midway leaves it.
    writeFile(real, "hel", 0444);
    LocalStore store(config);
    EXPECT_EQ(store.addTextToStore("note", "hello", {}), note);
    EXPECT_EQ(readFile(real), "hello");
    store.flush();
    EXPECT_TRUE(store.queryPathInfo(note).narSize > 0);
  }
  {
    // A complete, canonical copy (another writer's, not registered yet) is kept as it is.
    LocalStore store(config);
    store.db().invalidatePath(note);
    struct stat before, after;
    ASSERT_EQ(::lstat(real.c_str(), &before), 0);
    EXPECT_EQ(store.addTextToStore("note", "hello", {}), note);
    ASSERT_EQ(::lstat(real.c_str(), &after), 0);
    EXPECT_EQ(before.st_ino, after.st_ino);
  }
  {
    // Right contents but not canonical metadata: replaced.
    LocalStore store(config);
    store.db().invalidatePath(note);
    ::chmod(real.c_str(), 0644);
    EXPECT_EQ(store.addTextToStore("note", "hello", {}), note);
    struct stat st;
    ASSERT_EQ(::lstat(real.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0444u);
    EXPECT_EQ(st.st_mtime, 1);
  }
  for (auto& name : readDirectorySorted(config.realStoreDir)) EXPECT_EQ(name, note.to_string());
}
