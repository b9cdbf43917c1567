#include "util/strings.h"

#include "util/error.h"

#include <gtest/gtest.h>

namespace nixpp {

TEST(Strings, PrefixSuffix) {
  EXPECT_TRUE(hasPrefix("nix-store", "nix-"));
  EXPECT_FALSE(hasPrefix("ni", "nix"));
  EXPECT_TRUE(hasSuffix("foo.drv", ".drv"));
  EXPECT_FALSE(hasSuffix("drv", ".drv"));
}

TEST(Strings, IndentLines) {
  EXPECT_EQ(indentLines("a\nb\n\nc\n", "  "), "a\n  b\n  \n  c\n  ");
  EXPECT_EQ(indentLines("a\nb\n\nc", "  ", false), "a\n  b\n\n  c");
  EXPECT_EQ(indentLines("", "  "), "");
}

TEST(Strings, TokenizeDropsEmpty) {
  EXPECT_EQ(tokenizeString("  a b\t\nc  "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(tokenizeString("   ").empty());
}

TEST(Strings, SplitKeepsEmpty) {
  EXPECT_EQ(splitString("a,,b,", ','), (std::vector<std::string>{"a", "", "b", ""}));
  EXPECT_EQ(concatStringsSep(",", splitString("a,,b,", ',')), "a,,b,");
}

TEST(Strings, Trim) {
  EXPECT_EQ(trim("  x y \n"), "x y");
  EXPECT_EQ(trim(" \t"), "");
}

TEST(Strings, ParseInt) {
  EXPECT_EQ(parseInt("-42"), -42);
  EXPECT_EQ(parseUInt("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parseUInt("18446744073709551616"));
  EXPECT_FALSE(parseInt("12x"));
  EXPECT_FALSE(parseInt(""));
  EXPECT_FALSE(parseUInt("-1"));
}

TEST(Strings, PercentEncode) {
  EXPECT_EQ(percentEncode("a-b._~Z9"), "a-b._~Z9");
  EXPECT_EQ(percentEncode("a b/c?\xff"), "a%20b%2Fc%3F%FF");
  EXPECT_EQ(percentEncode("/x:y@z", "/:@"), "/x:y@z");
}

TEST(Strings, PercentDecodeAndFileUrls) {
  EXPECT_EQ(percentDecode("a%20b%2fc%3F%FF"), "a b/c?\xff");
  EXPECT_EQ(percentDecode("100%"), "100%");
  EXPECT_EQ(percentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(localPathOfUrl("file:///srv/a%20b"), "/srv/a b");
  EXPECT_EQ(localPathOfUrl("file:/srv/x"), "/srv/x");
  EXPECT_EQ(localPathOfUrl("/srv/x"), "/srv/x");
  EXPECT_THROW(localPathOfUrl("https://example.org/x"), Error);
  EXPECT_THROW(localPathOfUrl("relative/x"), Error);
}

} // namespace nixpp
