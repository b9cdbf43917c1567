// Tests of RegexDfa: which expressions it takes on (the rest goes to std::regex), and its answers
// checked against std::regex (POSIX extended, as Nix 2.8 uses it) on every string over a small
// alphabet. tests/lang/eval-okay-regex-dfa*.nix compare the builtins with Nix 2.8 itself.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "expr/regex_dfa.h"

namespace nixpp {
namespace {

TEST(RegexDfa, TakesTheSubsetOnly) {
  for (const char* re : {"", "a", "[0-9]*7[0-9]*7", "(a|b)*c", "a{2,3}", "[]a]", "[^]a]", "[-a]", "[a-]",
                         "[--0]", "[[:alpha:][:digit:]_]", "\\.\\(\\)", "^a|b$", "}", "]", "a|", "(|a)"})
    EXPECT_NE(RegexDfa::compile(re), nullptr) << re;
  // Escapes of ordinary characters (errors in std::regex), collating elements, equivalence
  // classes, unknown or upper-case class names, stacked quantifiers, bad ranges and syntax
  // errors are left to std::regex.
  for (const char* re : {"\\}", "\\]", "\\n", "[[.a.]]", "[[=a=]]", "[[:ALPHA:]]", "[[:w:]]", "a**", "a+?",
                         "[z-a]", "[a-z-0]", "*a", "^*", "a{", "a{1", "a{2,1}", "a{,2}", "(a", "a)", "[a",
                         "{1}", "a{1001}", "a{99999999999999999999}"})
    EXPECT_EQ(RegexDfa::compile(re), nullptr) << re;
}

TEST(RegexDfa, Properties) {
  auto dfa = RegexDfa::compile("(a)(b|c)[xy]{2}");
  ASSERT_NE(dfa, nullptr);
  EXPECT_EQ(dfa->groups(), 2u);
  EXPECT_FALSE(dfa->hasAnchors());
  EXPECT_EQ(dfa->fixedLength(), 4u);
  EXPECT_EQ(RegexDfa::compile("ab|c")->fixedLength(), std::nullopt);
  EXPECT_EQ(RegexDfa::compile("a*")->fixedLength(), std::nullopt);
  EXPECT_TRUE(RegexDfa::compile("a$")->hasAnchors());
}

// Every string over `alphabet` up to `maxLen` characters.
std::vector<std::string> allStrings(const std::string& alphabet, size_t maxLen) {
  std::vector<std::string> out{""};
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i].size() < maxLen)
      for (char c : alphabet) out.push_back(out[i] + c);
  return out;
}

TEST(RegexDfa, FullMatchAgreesWithStdRegex) {
  auto subjects = allStrings("ab1-]", 5);
  for (const char* re : {"a*", "(a|b)*1", "a{2}|b{1,}", "[^a]*", "[]a-]+", "[[:alpha:]]+1?", "^a.*$",
                         "a^b", "$^", "(^a|b)+", "(a|ab)(1|b1)?", ".?.?a", "a|", "()*", "((a*)*b)*",
                         "a{0}b", "[--1]*", "[]]*", "]", "(a$|b)*"}) {
    auto dfa = RegexDfa::compile(re);
    ASSERT_NE(dfa, nullptr) << re;
    std::regex std_re(re, std::regex::extended);
    for (auto& s : subjects) EXPECT_EQ(dfa->fullMatch(s), std::regex_match(s, std_re)) << re << " on '" << s << "'";
  }
}

TEST(RegexDfa, FindStartAgreesWithStdRegex) {
  auto subjects = allStrings("ab1]", 5);
  for (const char* re : {"a", "[ab]", "a1|b]", "(a|b)1", ".", "[^a]b", "a{2}"}) {
    auto dfa = RegexDfa::compile(re);
    ASSERT_NE(dfa, nullptr) << re;
    std::regex std_re(re, std::regex::extended);
    for (auto& s : subjects)
      for (size_t from = 0; from <= s.size(); ++from) {
        std::smatch m;
        auto begin = s.cbegin() + ptrdiff_t(from);
        size_t want = std::regex_search(begin, s.cend(), m, std_re) ? size_t(m[0].first - s.cbegin()) : s.size();
        EXPECT_EQ(dfa->findStart(s, from), want) << re << " on '" << s << "' from " << from;
      }
  }
}

} // namespace
} // namespace nixpp
