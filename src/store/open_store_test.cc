#include "store/open_store.h"

#include <gtest/gtest.h>

namespace nixpp {

namespace {

// A non-root user on a machine without /nix: the case that gets a chroot store.
AutoStoreFacts noNix() {
  AutoStoreFacts f;
  f.dataDir = "/home/u/.local/share";
  return f;
}

} // namespace

TEST(AutoStore, UserWithoutNixGetsAChrootStore) {
  EXPECT_EQ(chooseAutoStore(noNix()), AutoStoreKind::chroot);
}

TEST(AutoStore, WritableStateDirIsLocal) {
  auto f = noNix();
  f.stateDirExists = f.stateDirWritable = true;
  EXPECT_EQ(chooseAutoStore(f), AutoStoreKind::local);
  f.daemonSocketExists = true;  // even with a daemon running, as Nix
  EXPECT_EQ(chooseAutoStore(f), AutoStoreKind::local);
}

TEST(AutoStore, DaemonWhenStateDirIsNotWritable) {
  auto f = noNix();
  f.stateDirExists = true;
  f.daemonSocketExists = true;
  EXPECT_EQ(chooseAutoStore(f), AutoStoreKind::daemon);
}

TEST(AutoStore, NoChrootStoreWhenAnythingSaysOtherwise) {
  auto f = noNix();
  f.stateDirExists = true;  // /nix/var/nix exists but is not ours, no daemon
  EXPECT_EQ(chooseAutoStore(f), AutoStoreKind::local);
  f = noNix();
  f.isRoot = true;  // root creates /nix
  EXPECT_EQ(chooseAutoStore(f), AutoStoreKind::local);
  f = noNix();
  f.dirsFromEnv = true;  // NIX_STORE_DIR / NIX_STATE_DIR given
  EXPECT_EQ(chooseAutoStore(f), AutoStoreKind::local);
  f = noNix();
  f.hasParams = true;  // auto?root=... etc.
  EXPECT_EQ(chooseAutoStore(f), AutoStoreKind::local);
  f = noNix();
  f.dataDir.clear();  // no HOME nor XDG_DATA_HOME
  EXPECT_EQ(chooseAutoStore(f), AutoStoreKind::local);
}

} // namespace nixpp
