#include "util/config.h"

#include <gtest/gtest.h>

#include <map>

namespace nixpp {

namespace {

// An in-memory file system for includes.
struct Files {
  std::map<std::string, std::string> files;
  ConfigFileReader reader() {
    return [this](const std::string& p) -> std::optional<std::string> {
      auto it = files.find(p);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
  }
};

std::vector<ConfigAssignment> parse(std::string_view text, Files& fs, const std::string& path = "/etc/nix/nix.conf") {
  std::vector<ConfigAssignment> out;
  parseConfig(text, path, fs.reader(), out);
  return out;
}

std::string errorOf(std::string_view text, Files& fs, const std::string& path = "/etc/nix/nix.conf") {
  try {
    parse(text, fs, path);
  } catch (Error& e) {
    return e.what();
  }
  return "accepted";
}

} // namespace

TEST(Config, AssignmentsCommentsAndWhitespace) {
  Files fs;
  // "b=2" is a single token: an illegal line (Nix needs spaces around '=').
  EXPECT_EQ(errorOf("b=2\n", fs), "illegal configuration line 'b=2' in '/etc/nix/nix.conf'");
  auto as = parse("# comment\n\n  a = 1\n\tlist =  x \t y   z  # trailing\nempty =\nlast = v", fs);
  std::vector<ConfigAssignment> want = {{"a", "1"}, {"list", "x y z"}, {"empty", ""}, {"last", "v"}};
  EXPECT_EQ(as, want);
  EXPECT_EQ(errorOf("a = 1\ncores\n", fs), "illegal configuration line 'cores' in '/etc/nix/nix.conf'");
  EXPECT_EQ(errorOf("a b c\n", fs), "illegal configuration line 'a b c' in '/etc/nix/nix.conf'");
  EXPECT_EQ(errorOf("a : b # x\n", fs), "illegal configuration line 'a : b ' in '/etc/nix/nix.conf'");
}

TEST(Config, IncludesAreRelativeToTheIncludingFile) {
  Files fs;
  fs.files["/etc/nix/sub/a.conf"] = "a = 1\ninclude ../b.conf\n";
  fs.files["/etc/nix/b.conf"] = "b = 2\n";
  auto as = parse("x = 0\ninclude sub/a.conf\n!include nothere.conf\ny = 3\n", fs);
  std::vector<ConfigAssignment> want = {{"x", "0"}, {"a", "1"}, {"b", "2"}, {"y", "3"}};
  EXPECT_EQ(as, want);
  EXPECT_EQ(errorOf("include nothere.conf\n", fs),
            "file '/etc/nix/nothere.conf' included from '/etc/nix/nix.conf' not found");
  EXPECT_EQ(errorOf("include a b\n", fs), "illegal configuration line 'include a b' in '/etc/nix/nix.conf'");
  // From NIX_CONFIG (a label, not a file), only absolute includes work, as in Nix 2.8.
  EXPECT_EQ(errorOf("include /nonexist\n", fs, "NIX_CONFIG"), "file '/nonexist' included from 'NIX_CONFIG' not found");
  EXPECT_EQ(errorOf("include rel.conf\n", fs, "NIX_CONFIG"), "not an absolute path: './rel.conf'");
  EXPECT_EQ(parse("include /etc/nix/b.conf\n", fs, "NIX_CONFIG"), (std::vector<ConfigAssignment>{{"b", "2"}}));
}

TEST(Config, PathHelpers) {
  EXPECT_EQ(dirOf("/a/b/c"), "/a/b");
  EXPECT_EQ(dirOf("/a"), "/");
  EXPECT_EQ(dirOf("a"), ".");
  EXPECT_EQ(absPathIn("x/../y/./z", "/d//e"), "/d/e/y/z");
  EXPECT_EQ(absPathIn("/abs", "/ignored"), "/abs");
  EXPECT_EQ(absPathIn("../../..", "/a"), "/");
  EXPECT_THROW(absPathIn("x", "rel"), Error);
}

} // namespace nixpp
