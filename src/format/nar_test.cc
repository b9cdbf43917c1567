#include "format/nar.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "format/nar_listing.h"

using namespace nixpp;

namespace {

std::string readData(const std::string& name) {
  std::ifstream f(std::string(NIXPP_TEST_DATA) + "/nar/" + name, std::ios::binary);
  EXPECT_TRUE(f) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A framed string, as in a NAR.
std::string tok(std::string_view s) {
  StringSink sink;
  writeString(sink, s);
  return sink.s;
}
std::string toks(std::initializer_list<std::string_view> ss) {
  std::string r;
  for (auto s : ss) r += tok(s);
  return r;
}
const std::string magic = tok("nix-archive-1");
std::string regular(std::string_view contents, bool exec = false) {
  return toks({"(", "type", "regular"}) + (exec ? toks({"executable", ""}) : "") + tok("contents") +
         tok(contents) + tok(")");
}
std::string entry(std::string_view name, const std::string& node) {
  return toks({"entry", "(", "name", name, "node"}) + node + tok(")");
}
std::string directory(const std::string& entries) {
  return toks({"(", "type", "directory"}) + entries + tok(")");
}

// Records parse events as text, and re-emits them through a NarWriter.
class Recorder : public NarVisitor {
public:
  std::string log;
  size_t maxChunk = 0;
  StringSink out;
  NarWriter writer{out};
  std::vector<std::string> dirs;  // open directory paths

  void closeDirsUntil(const std::string& path) {
    auto parent = path.substr(0, path.rfind('/'));
    while (!dirs.empty() && dirs.back() != parent) {
      writer.closeDirectory();
      dirs.pop_back();
      if (!dirs.empty()) writer.endEntry();
    }
    if (!path.empty()) writer.beginEntry(path.substr(path.rfind('/') + 1));
  }
  void createDirectory(const std::string& p) override {
    log += "dir " + p + "\n";
    closeDirsUntil(p);
    writer.createDirectory();
    dirs.push_back(p);
  }
  void createRegularFile(const std::string& p, bool x, uint64_t size, uint64_t off) override {
    log += "file " + p + (x ? " x " : " ") + std::to_string(size) + " @" + std::to_string(off) + "\n";
    closeDirsUntil(p);
    writer.createRegularFile(x, size);
  }
  void receiveContents(std::string_view c) override {
    log += "data " + std::string(c) + "\n";
    maxChunk = std::max(maxChunk, c.size());
    writer.contents(c);
  }
  void closeFile() override {
    log += "close\n";
    writer.closeFile();
    if (!dirs.empty()) writer.endEntry();
  }
  void createSymlink(const std::string& p, const std::string& t) override {
    log += "link " + p + " -> " + t + "\n";
    closeDirsUntil(p);
    writer.createSymlink(t);
    if (!dirs.empty()) writer.endEntry();
  }
  void finish() {
    while (!dirs.empty()) {
      writer.closeDirectory();
      dirs.pop_back();
      if (!dirs.empty()) writer.endEntry();
    }
  }
};

std::string reencode(const std::string& nar, Recorder& r) {
  StringSource src(nar);
  parseNar(src, r);
  r.finish();
  EXPECT_TRUE(r.writer.done());
  return r.out.s;
}

} // namespace

TEST(NarWriter, WritesCanonicalFraming) {
  StringSink s;
  NarWriter w(s);
  w.createDirectory();
  w.beginEntry("a");
  w.createRegularFile(true, 5);
  w.contents("he");
  w.contents("llo");
  w.closeFile();
  w.endEntry();
  w.beginEntry("b");
  w.createSymlink("a");
  w.endEntry();
  w.closeDirectory();
  EXPECT_TRUE(w.done());
  EXPECT_EQ(s.s, magic + directory(entry("a", regular("hello", true)) +
                                   entry("b", toks({"(", "type", "symlink", "target", "a", ")"}))));
}

TEST(NarWriter, RejectsBadEvents) {
  StringSink s;
  NarWriter w(s);
  w.createDirectory();
  w.beginEntry("b");
  w.createSymlink("x");
  w.endEntry();
  EXPECT_THROW(w.beginEntry("a"), BadNar);  // unsorted
  EXPECT_THROW(w.beginEntry("b"), BadNar);  // duplicate
  for (std::string_view bad : {std::string_view(""), std::string_view("."), std::string_view(".."),
                                std::string_view("a/b"), std::string_view("a\0b", 3)})
    EXPECT_THROW(w.beginEntry(bad), BadNar) << bad;
  w.beginEntry("c");
  w.createRegularFile(false, 3);
  EXPECT_THROW(w.contents("abcd"), BadNar);  // more than declared
  w.contents("ab");
  EXPECT_THROW(w.closeFile(), BadNar);  // less than declared
  w.contents("c");
  w.closeFile();
  EXPECT_THROW(w.createSymlink("x"), BadNar);  // a second node in one entry
  w.endEntry();
  w.closeDirectory();
  EXPECT_THROW(w.createDirectory(), BadNar);  // a second root
}

TEST(NarParser, RoundTripsTheTortureNar) {
  std::string nar = readData("torture.nar");
  Recorder r;
  EXPECT_EQ(reencode(nar, r), nar);
  EXPECT_NE(r.log.find("file /exec.sh x 18 @323680\n"), std::string::npos);
  EXPECT_NE(r.log.find("link /links/dangling -> does-not-exist\n"), std::string::npos);
  EXPECT_LE(r.maxChunk, 256u * 1024);  // the 300 KB file came in bounded chunks
  StringSource src(nar);
  EXPECT_EQ(validateNar(src), nar.size());
}

TEST(NarParser, RoundTripsSmallNars) {
  for (auto name : {"file.nar", "symlink.nar", "weird.nar"}) {
    std::string nar = readData(name);
    Recorder r;
    EXPECT_EQ(reencode(nar, r), nar) << name;
  }
}

TEST(NarParser, ReportsEvents) {
  std::string nar = magic + directory(entry("a", regular("xy")) + entry("b", directory("")) +
                                      entry("c", regular("", true)));
  Recorder r;
  reencode(nar, r);
  // Offsets: magic, 3 directory tokens (56), 5 entry tokens (80), 4 file tokens (64), the size (8);
  // /c's empty contents start before its size-less end: ")" of file, entry and directory (48).
  EXPECT_EQ(r.log, "dir \nfile /a 2 @" + std::to_string(magic.size() + 56 + 80 + 64 + 8) +
                       "\ndata xy\nclose\ndir /b\nfile /c x 0 @" + std::to_string(nar.size() - 48) +
                       "\nclose\n");
}

TEST(NarParser, StopsAtTheEndOfTheArchive) {
  std::string nar = magic + regular("x");
  std::string withTrailer = nar + "trailing garbage";
  StringSource src(withTrailer);
  EXPECT_EQ(validateNar(src), nar.size());
  EXPECT_EQ(src.remaining(), 16u);
}

struct Malformed {
  const char* what;
  std::string nar;
  std::string error;
};

TEST(NarParser, RejectsMalformedNars) {
  std::string hello = magic + regular("hello world");
  auto u64 = [](uint64_t n) {
    StringSink s;
    writeU64(s, n);
    return s.s;
  };
  std::string deep = magic;
  for (int i = 0; i < 1100; ++i) deep += toks({"(", "type", "directory", "entry", "(", "name", "d", "node"});
  const Malformed cases[] = {
      {"empty input", "", "unexpected end-of-file"},
      {"bad magic", tok("nix-archive-2") + regular("x"), "bad archive: input doesn't look like a Nix archive"},
      {"magic of wrong length", tok("nix-archive-10") + regular("x"), "bad archive: input doesn't look like a Nix archive"},
      {"not a NAR at all", "#!/bin/sh\necho hello world\n", "bad archive: input doesn't look like a Nix archive"},
      {"truncated in contents", hello.substr(0, hello.size() - 20), "unexpected end-of-file"},
      {"truncated in padding", hello.substr(0, hello.size() - 10), "unexpected end-of-file"},
      {"truncated before close", hello.substr(0, hello.size() - 8), "unexpected end-of-file"},
      {"truncated magic", magic.substr(0, 12), "unexpected end-of-file"},
      {"huge declared size", magic + toks({"(", "type", "regular", "contents"}) + u64(uint64_t(1) << 62) + "abc",
       "unexpected end-of-file"},
      {"no open tag", magic + tok("type"), "bad archive: expected open tag"},
      {"unknown type", magic + toks({"(", "type", "fifo", ")"}), "bad archive: unknown file type fifo"},
      {"untyped node", magic + toks({"(", ")"}), "bad archive: node has no type"},
      {"unknown field", magic + toks({"(", "type", "regular", "foo", ")"}), "bad archive: unknown field foo"},
      {"two types", magic + toks({"(", "type", "symlink", "type"}), "bad archive: multiple type fields"},
      {"non-empty executable", magic + toks({"(", "type", "regular", "executable", "x", "contents", "", ")"}),
       "bad archive: executable marker has non-empty value"},
      {"file without contents", magic + toks({"(", "type", "regular", ")"}), "bad archive: regular file has no contents"},
      {"executable after contents", magic + toks({"(", "type", "regular", "contents", "", "executable", "", ")"}),
       "bad archive: unknown field executable"},
      {"symlink without target", magic + toks({"(", "type", "symlink", ")"}), "bad archive: symlink has no target"},
      {"non-zero padding", magic + toks({"(", "type", "regular", "contents"}) + u64(1) + std::string("x\1\0\0\0\0\0\0", 8) + tok(")"),
       "non-zero padding"},
      {"non-zero padding in a token", magic + u64(1) + std::string("(\0\0\0\0\0\0\1", 8), "non-zero padding"},
      {"unsorted entries", magic + directory(entry("b", regular("1")) + entry("a", regular("2"))), "NAR directory is not sorted"},
      {"duplicate entries", magic + directory(entry("a", regular("1")) + entry("a", regular("2"))), "NAR directory is not sorted"},
      {"empty name", magic + directory(entry("", regular("1"))), "NAR contains invalid file name ''"},
      {"name .", magic + directory(entry(".", regular("1"))), "NAR contains invalid file name '.'"},
      {"name ..", magic + directory(entry("..", regular("1"))), "NAR contains invalid file name '..'"},
      {"name with /", magic + directory(entry("a/b", regular("1"))), "NAR contains invalid file name 'a/b'"},
      {"name with NUL", magic + directory(entry(std::string_view("a\0b", 3), regular("1"))),
       "NAR contains invalid file name 'a"},  // what() is a C string: it ends at the NUL
      {"name too long", magic + directory(entry(std::string(256, 'n'), regular("1"))), "bad archive: file name is too long"},
      {"target too long", magic + toks({"(", "type", "symlink", "target", std::string(4096, 't'), ")"}),
       "bad archive: symlink target is too long"},
      {"token too long", magic + tok(std::string(100, '(')), "bad archive: token is too long"},
      {"absurd token length", magic + u64(uint64_t(1) << 62), "bad archive: token is too long"},
      {"entry without name", magic + toks({"(", "type", "directory", "entry", "(", "node"}), "bad archive: entry name missing"},
      {"entry without node", magic + toks({"(", "type", "directory", "entry", "(", "name", "a", ")"}), "bad archive: entry has no node"},
      {"entry not closed", magic + toks({"(", "type", "directory", "entry", "(", "name", "a", "node"}) + regular("") + tok("node"),
       "bad archive: expected close tag"},
      {"stray field in directory", magic + toks({"(", "type", "directory", "target", "x", ")"}), "bad archive: unknown field target"},
      {"nesting too deep", deep, "bad archive: directories are nested too deeply"},
  };
  for (auto& c : cases) {
    StringSource src(c.nar);
    try {
      validateNar(src);
      ADD_FAILURE() << c.what << ": accepted";
    } catch (BadNar& e) {
      EXPECT_EQ(std::string(e.what()), c.error) << c.what;
    }
  }
}

TEST(NarListing, MatchesNixJson) {
  std::string nar = readData("torture.nar");
  StringSource src(nar);
  NarEntry root = listNar(src);
  EXPECT_EQ(narEntryToJson(root, true), readData("torture.ls-R.json"));
  EXPECT_EQ(narEntryToJson(root, false), readData("torture.ls.json"));
  EXPECT_EQ(narEntryToJson(*findNarEntry(root, "/sort"), true), readData("torture.ls-R-sort.json"));
  EXPECT_EQ(narEntryToJson(*findNarEntry(root, "/big.bin"), true), readData("torture.ls-big.json"));
  for (auto name : {"weird", "file", "symlink"}) {
    std::string n = readData(std::string(name) + ".nar");
    StringSource s(n);
    std::string want = readData(std::string(name) + (std::string(name) == "weird" ? ".ls-R.json" : ".ls.json"));
    EXPECT_EQ(narEntryToJson(listNar(s), true), want) << name;
  }
}

TEST(NarListing, FindsPathsAsNixDoes) {
  std::string nar = readData("torture.nar");
  StringSource src(nar);
  NarEntry root = listNar(src);
  EXPECT_EQ(findNarEntry(root, ""), &root);
  EXPECT_EQ(findNarEntry(root, "/dir/sub/file")->size, 7u);
  EXPECT_EQ(findNarEntry(root, "/links/to-dir")->target, "../dir");
  EXPECT_EQ(findNarEntry(root, "/links/to-dir/file"), nullptr);  // symlinks are not followed
  for (auto p : {"/", "/dir/", "//dir", "/./dir", "/dir/../README", "/missing", "/README/x"})
    EXPECT_EQ(findNarEntry(root, p), nullptr) << p;
  EXPECT_THROW(findNarEntry(root, "README"), Error);
}
