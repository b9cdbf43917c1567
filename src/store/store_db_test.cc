#include "store/store_db.h"

#include <gtest/gtest.h>

#include "sys/file.h"

namespace nixpp {
namespace {

StorePath sp(std::string_view name, char c) { return StorePath::parse(std::string(32, c) + "-" + std::string(name)); }

ValidPathInfo info(const StorePath& p) {
  ValidPathInfo i(p);
  i.narHash = hashString(HashAlgo::sha256, p.to_string());
  i.narSize = 120;
  return i;
}

TEST(StoreDb, SchemaIsNixs) {
  TempDir tmp;
  StoreDb db(tmp.path() + "/db.sqlite", StoreDir(), true);
  SqliteStmt s(db.sqlite(), "select name from sqlite_master where type in ('table','index','trigger') order by name");
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  EXPECT_EQ(names, (std::vector<std::string>{"DeleteSelfRefs", "DerivationOutputs", "IndexDerivationOutputs",
                                             "IndexReference", "IndexReferrer", "Refs", "ValidPaths",
                                             "sqlite_autoindex_DerivationOutputs_1", "sqlite_autoindex_Refs_1",
                                             "sqlite_autoindex_ValidPaths_1", "sqlite_sequence"}));
  SqliteStmt j(db.sqlite(), "pragma journal_mode");
  ASSERT_TRUE(j.step());
  EXPECT_EQ(j.text(0), "wal");
}

TEST(StoreDb, RegisterAndQuery) {
  TempDir tmp;
  StoreDb db(tmp.path() + "/db.sqlite", StoreDir(), true);
  auto a = info(sp("a", 'a')), b = info(sp("b", 'b'));
  b.references = {a.path, b.path};
  b.deriver = sp("b.drv", 'c');
  b.ca = ContentAddress::parse("fixed:r:sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw");
  b.sigs = {"k:x", "j:y"};
  db.registerValidPaths({b, a});  // order within one registration does not matter
  auto got = db.queryPathInfo(b.path);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->narHash, b.narHash);
  EXPECT_EQ(got->narSize, 120u);
  EXPECT_EQ(got->references, b.references);
  EXPECT_EQ(got->deriver, b.deriver);
  EXPECT_EQ(got->ca, b.ca);
  EXPECT_EQ(got->sigs, b.sigs);
  EXPECT_GT(got->registrationTime, 0);
  EXPECT_EQ(db.queryReferrers(a.path), (StorePathSet{b.path}));
  EXPECT_EQ(db.queryAllValidPaths(), (StorePathSet{a.path, b.path}));
  EXPECT_EQ(db.queryPathFromHashPart(std::string(32, 'b')), b.path);
  EXPECT_FALSE(db.queryPathFromHashPart(std::string(32, 'd')));
  // The hash column is "sha256:<base16>", as Nix writes it.
  SqliteStmt s(db.sqlite(), "select hash, ultimate, sigs from ValidPaths where path = ?");
  s.bind(1, "/nix/store/" + a.path.to_string());
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), a.narHash.to_string(HashFormat::base16, true));
  EXPECT_TRUE(s.isNull(1));
  EXPECT_TRUE(s.isNull(2));
}

TEST(StoreDb, MissingReferenceRegistersNothing) {
  TempDir tmp;
  StoreDb db(tmp.path() + "/db.sqlite", StoreDir(), true);
  auto a = info(sp("a", 'a'));
  a.references = {sp("missing", 'm')};
  EXPECT_THROW(db.registerValidPaths({a}), InvalidPath);
  EXPECT_FALSE(db.isValidPath(a.path));
}

TEST(StoreDb, TransactionRollsBackOnException) {
  TempDir tmp;
  StoreDb db(tmp.path() + "/db.sqlite", StoreDir(), true);
  try {
    SqliteTxn txn(db.sqlite());
    SqliteStmt s(db.sqlite(), "insert into ValidPaths (path, hash, registrationTime) values (?, 'x', 1)");
    s.bind(1, "/nix/store/" + sp("a", 'a').to_string()).run();
    throw Error("boom");
  } catch (Error&) {
  }
  EXPECT_FALSE(db.isValidPath(sp("a", 'a')));
}

TEST(StoreDb, InvalidateRefusesWhileReferenced) {
  TempDir tmp;
  StoreDb db(tmp.path() + "/db.sqlite", StoreDir(), true);
  auto a = info(sp("a", 'a')), b = info(sp("b", 'b'));
  a.references = {a.path};  // a self-reference never blocks deletion
  b.references = {a.path};
  db.registerValidPaths({a, b});
  EXPECT_THROW(db.invalidatePath(a.path), Error);
  db.invalidatePath(b.path);
  db.invalidatePath(a.path);
  EXPECT_TRUE(db.queryAllValidPaths().empty());
}

TEST(StoreDb, DerivationOutputs) {
  TempDir tmp;
  StoreDb db(tmp.path() + "/db.sqlite", StoreDir(), true);
  auto d = info(sp("x.drv", 'd'));
  auto out = sp("x", 'p');
  db.registerValidPaths({d}, {{d.path, {{"out", out}}}});
  EXPECT_EQ(db.queryDerivationOutputs(d.path), (std::map<std::string, StorePath>{{"out", out}}));
  EXPECT_EQ(db.queryValidDerivers(out), (StorePathSet{d.path}));
}

// queryClosure and queryReferencesOf (the bulk queries behind nix-store -qR) agree with a walk
// over queryPathInfo, queryReferrers and the derivation outputs.
TEST(StoreDb, ClosureQueries) {
  TempDir tmp;
  StoreDb db(tmp.path() + "/db.sqlite", StoreDir(), true);
  auto a = info(sp("a", 'a')), b = info(sp("b", 'b')), c = info(sp("c", 'c')), u = info(sp("u", 'f'));
  auto d = info(sp("x.drv", 'd'));
  auto out = info(sp("x", 'p'));
  auto missingOut = sp("y", 'q');
  a.references = {a.path};  // a self-reference
  b.references = {a.path};
  c.references = {b.path, a.path};
  d.references = {c.path};
  out.references = {b.path};
  db.registerValidPaths({a, b, c, u, d, out}, {{d.path, {{"out", out.path}, {"dev", missingOut}}}});

  EXPECT_EQ(db.queryClosure({c.path}, false, false), (StorePathSet{a.path, b.path, c.path}));
  EXPECT_EQ(db.queryClosure({c.path, u.path}, false, false), (StorePathSet{a.path, b.path, c.path, u.path}));
  EXPECT_EQ(db.queryClosure({d.path}, false, false), (StorePathSet{a.path, b.path, c.path, d.path}));
  // With the outputs: the valid one only.
  EXPECT_EQ(db.queryClosure({d.path}, false, true), (StorePathSet{a.path, b.path, c.path, d.path, out.path}));
  // Referrers, and with the outputs' valid derivers.
  EXPECT_EQ(db.queryClosure({b.path}, true, false), (StorePathSet{b.path, c.path, d.path, out.path}));
  EXPECT_EQ(db.queryClosure({out.path}, true, false), (StorePathSet{out.path}));
  EXPECT_EQ(db.queryClosure({out.path}, true, true), (StorePathSet{out.path, d.path}));
  EXPECT_EQ(db.queryClosure({missingOut}, true, false), (StorePathSet{missingOut}));
  EXPECT_THROW(db.queryClosure({missingOut}, false, false), InvalidPath);

  auto refs = db.queryReferencesOf({a.path, c.path, d.path});
  EXPECT_EQ(refs, (std::map<StorePath, StorePathSet>{
                      {a.path, {a.path}}, {c.path, {a.path, b.path}}, {d.path, {c.path}}}));
  EXPECT_THROW(db.queryReferencesOf({a.path, missingOut}), InvalidPath);
  // Inside a write transaction, the read transaction is a no-op and the queries still work.
  SqliteTxn txn(db.sqlite());
  EXPECT_EQ(db.queryClosure({b.path}, false, false), (StorePathSet{a.path, b.path}));
  txn.commit();
}

} // namespace
} // namespace nixpp
