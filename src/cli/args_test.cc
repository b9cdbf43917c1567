#include "cli/args.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "util/error.h"

namespace nixpp {

namespace {
// Walks all arguments; flags named in `withValue` take a value. Returns "flag=value" / "arg".
std::vector<std::string> walk(std::vector<std::string> args, std::vector<std::string> withValue) {
  ArgParser p("test", std::move(args));
  std::vector<std::string> out;
  while (p.next()) {
    if (!p.isFlag()) {
      out.push_back(p.arg());
      continue;
    }
    std::string f = p.arg();
    if (std::find(withValue.begin(), withValue.end(), f) != withValue.end())
      out.push_back(f + "=" + p.value());
    else
      out.push_back(f);
  }
  return out;
}
} // namespace

TEST(ArgParser, ShortGroupsExpand) {
  EXPECT_EQ(walk({"-vvq", "x"}, {}), (std::vector<std::string>{"-v", "-v", "-q", "x"}));
}

TEST(ArgParser, ShortFlagTakesRestOfGroupAsValue) {
  EXPECT_EQ(walk({"-j2", "-vj", "3", "-A", "foo"}, {"-j", "-A"}),
            (std::vector<std::string>{"-j=2", "-v", "-j=3", "-A=foo"}));
}

TEST(ArgParser, LongFlagWithEquals) {
  EXPECT_EQ(walk({"--type=sha1", "--type", "md5"}, {"--type"}),
            (std::vector<std::string>{"--type=sha1", "--type=md5"}));
  // "--flag=value" for a flag that takes none is an error.
  EXPECT_THROW(walk({"--flat=1", "x"}, {}), UsageError);
}

TEST(ArgParser, DashDashEndsFlags) {
  EXPECT_EQ(walk({"-v", "--", "-abc", "--x"}, {}), (std::vector<std::string>{"-v", "-abc", "--x"}));
}

TEST(ArgParser, NegativeNumbersAndDashAreArguments) {
  EXPECT_EQ(walk({"-", "-1"}, {}), (std::vector<std::string>{"-", "-1"}));
}

TEST(ArgParser, MissingValueIsAUsageError) {
  try {
    walk({"--type"}, {"--type"});
    FAIL();
  } catch (UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("flag '--type' requires an argument"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Try 'test --help'"), std::string::npos);
  }
}

} // namespace nixpp
