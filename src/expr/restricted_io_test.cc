// Tests of the access checks of pure and restricted evaluation (expr/restricted_io.h) over an
// in-memory file system: allowed paths as written and with symlinks resolved, "..", refusal
// wording, allowed-uris prefixes, and what the guard allows by itself (copies, fetches).
#include <gtest/gtest.h>

#include <map>

#include "expr/restricted_io.h"

namespace nixpp {
namespace {

// A file system of regular files and symlinks (directories are implied by their contents).
class MemoryIo : public EvalIo {
public:
  std::map<std::string, std::string> files, links;
  std::vector<std::string> fetched;

  bool isDir(const std::string& p) {
    for (auto& m : {files, links})
      for (auto& [k, _] : m)
        if (k.starts_with(p + "/")) return true;
    return false;
  }
  std::string readFile(const std::string& p0) override {
    std::string p = p0;
    while (links.count(p)) {  // a final symlink is followed (relative targets without "..")
      const std::string& t = links[p];
      p = t.starts_with("/") ? t : p.substr(0, p.rfind('/') + 1) + t;
    }
    if (!files.count(p)) throw Error("opening file '" + p + "': No such file or directory");
    return files[p];
  }
  bool pathExists(const std::string& p) override { return files.count(p) || links.count(p) || isDir(p); }
  FileType fileType(const std::string& p) override {
    if (links.count(p)) return FileType::Symlink;
    if (files.count(p)) return FileType::Regular;
    if (isDir(p)) return FileType::Directory;
    throw Error("getting status of '" + p + "': No such file or directory");
  }
  std::vector<DirEntry> readDirectory(const std::string&) override { return {}; }
  std::string readLink(const std::string& p) override { return links.at(p); }
  std::string storeDir() override { return "/nix/store"; }
  std::string copyPathToStore(const std::string&, std::string_view name, bool, const PathFilter*) override {
    return "/nix/store/00000000000000000000000000000000-" + std::string(name);
  }
  std::string addTextToStore(std::string_view, std::string_view, const std::vector<std::string>&) override { return ""; }
  std::string writeDerivation(const Derivation&, const std::string&) override { return ""; }
  bool isValidPath(const std::string&) override { return true; }
  std::string getEnv(const std::string&) override { return "secret"; }
  FetchResult fetch(const FetchRequest& req) override {
    fetched.push_back(req.url);
    FetchResult r;
    r.storePath = "/nix/store/11111111111111111111111111111111-source";
    return r;
  }
};

FetchRequest request(FetchRequest::Type type, std::string url) {
  FetchRequest r;
  r.type = type;
  r.url = std::move(url);
  r.name = "source";
  return r;
}

struct RestrictedEvalIoTest : ::testing::Test {
  MemoryIo mem;
  void SetUp() override {
    mem.files["/src/a.nix"] = "1";
    mem.files["/src/sub/b.nix"] = "2";
    mem.files["/etc/passwd"] = "root";
    mem.files["/other/c.nix"] = "3";
    mem.links["/src/out"] = "/etc/passwd";
    mem.links["/src/in"] = "sub/b.nix";
    mem.links["/src/up"] = "../other";
  }
  // The message of the RestrictedPathError `f` throws ("" if none).
  template <typename F>
  static std::string refusal(F f) {
    try {
      f();
    } catch (RestrictedPathError& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(RestrictedEvalIoTest, RestrictedAllowsOnlyBelowAllowedPaths) {
  RestrictedEvalIo io(mem, false, true, {});
  io.allowPath("/src");
  EXPECT_EQ(io.readFile("/src/a.nix"), "1");
  EXPECT_EQ(io.readFile("/src/sub/../a.nix"), "1");
  EXPECT_EQ(io.readFile("/src/in"), "2");  // a symlink that stays inside
  EXPECT_EQ(refusal([&] { io.readFile("/etc/passwd"); }),
            "access to absolute path '/etc/passwd' is forbidden in restricted mode");
  EXPECT_EQ(refusal([&] { io.readFile("/src/../etc/passwd"); }),
            "access to absolute path '/etc/passwd' is forbidden in restricted mode");
  EXPECT_EQ(refusal([&] { io.readFile("/src/out"); }),
            "access to canonical path '/etc/passwd' is forbidden in restricted mode");
  EXPECT_EQ(refusal([&] { io.readFile("/src/up/c.nix"); }),
            "access to canonical path '/other/c.nix' is forbidden in restricted mode");
  // A sibling whose name extends an allowed one is not below it.
  EXPECT_EQ(refusal([&] { io.pathExists("/src2"); }),
            "access to absolute path '/src2' is forbidden in restricted mode");
  EXPECT_EQ(io.getEnv("HOME"), "");
  EXPECT_EQ(io.checkSourcePath("/__corepkgs__/fetchurl.nix"), "/__corepkgs__/fetchurl.nix");
}

TEST_F(RestrictedEvalIoTest, PureWordingAndNothingAllowedAtFirst) {
  RestrictedEvalIo io(mem, true, false, {});
  EXPECT_EQ(refusal([&] { io.readFile("/src/a.nix"); }),
            "access to absolute path '/src/a.nix' is forbidden in pure evaluation mode (use '--impure' to override)");
  // Without restrict-eval, URLs are not checked; the fetched tree becomes readable.
  auto r = io.fetch(request(FetchRequest::Type::tarball, "https://example.com/x.tar.gz"));
  EXPECT_EQ(mem.fetched.size(), 1u);
  mem.files[r.storePath + "/default.nix"] = "4";
  EXPECT_EQ(io.readFile(r.storePath + "/default.nix"), "4");
}

TEST_F(RestrictedEvalIoTest, CopiesAreCheckedAndThenAllowed) {
  RestrictedEvalIo io(mem, false, true, {});
  EXPECT_NE(refusal([&] { io.copyPathToStore("/other", "other", true, nullptr); }), "");
  io.allowPath("/other");
  std::string dst = io.copyPathToStore("/other", "other", true, nullptr);
  mem.files[dst] = "copied";
  EXPECT_EQ(io.readFile(dst), "copied");
}

TEST_F(RestrictedEvalIoTest, AllowedUrisArePrefixesEndingAtAComponent) {
  RestrictedEvalIo io(mem, false, true, {"https://example.com/a", "https://github.com/", "file:///src"});
  io.allowPath("/src");
  for (const char* ok : {"https://example.com/a", "https://example.com/a/b.tar.gz", "https://github.com/NixOS/nix",
                         "/src/a.nix", "file:///src/sub"})
    EXPECT_NO_THROW(io.checkUri(ok)) << ok;
  EXPECT_EQ(refusal([&] { io.checkUri("https://example.com/ab"); }),
            "access to URI 'https://example.com/ab' is forbidden in restricted mode");
  EXPECT_EQ(refusal([&] { io.checkUri("https://example.org/"); }),
            "access to URI 'https://example.org/' is forbidden in restricted mode");
  // Local paths and file:// URLs not under a prefix must be allowed paths.
  EXPECT_EQ(refusal([&] { io.checkUri("file:///srcx"); }),
            "access to absolute path '/srcx' is forbidden in restricted mode");
  EXPECT_EQ(refusal([&] { io.checkUri("/etc/passwd"); }),
            "access to absolute path '/etc/passwd' is forbidden in restricted mode");
  EXPECT_EQ(refusal([&] { io.checkUri("file:///other/c.nix"); }),
            "access to absolute path '/other/c.nix' is forbidden in restricted mode");
  EXPECT_EQ(refusal([&] { io.fetch(request(FetchRequest::Type::file, "https://evil.org/x")); }),
            "access to URI 'https://evil.org/x' is forbidden in restricted mode");
  EXPECT_TRUE(mem.fetched.empty());
}

} // namespace
} // namespace nixpp
