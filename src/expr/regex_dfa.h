// expr/regex_dfa.h: a lazily built DFA for the regular expressions of builtins.match and
// builtins.split, for the answers that do not depend on the matching engine's search order.
//
// Nix runs its regular expressions through libstdc++'s std::regex (POSIX extended grammar,
// backtracking executor). Whether a string matches as a whole is a property of the language the
// expression denotes, so a DFA gives the same yes/no; so does whether some match starts at a
// position. Which match std::regex reports and its sub-matches depend on its search order, so
// callers use the DFA only where that cannot matter (no groups, or to reject early) and
// std::regex otherwise.
//
// compile() understands the subset it can parse exactly as libstdc++ does (ordinary and escaped
// special characters, `.`, bracket expressions with ranges and the POSIX classes of the "C"
// locale, `* + ? {m} {m,} {m,n}`, groups, `|`, `^`, `$`) and returns null for anything else
// (the caller then uses std::regex, which also reports the errors). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace nixpp {

class RegexDfa {
public:
  // The DFA of `re`, or null when `re` is outside the subset (or too big to expand).
  static std::unique_ptr<RegexDfa> compile(std::string_view re);
  ~RegexDfa();

  // The number of capture groups.
  size_t groups() const;
  // Whether `^` or `$` occur.
  bool hasAnchors() const;
  // The length of every match when all have the same one (no `* + ?`, `{m,n}` with m < n,
  // or alternatives of different lengths), else nullopt.
  std::optional<size_t> fixedLength() const;

  // Whether all of `s` matches (std::regex_match). nullopt if the DFA outgrew its bound.
  std::optional<bool> fullMatch(std::string_view s);
  // The leftmost position p >= from at which a non-empty match of `s` starts, as
  // std::regex_search from `from` would find it (REQUIRES !hasAnchors(), and no empty match:
  // fixedLength() > 0); s.size() if none; nullopt if the DFA outgrew its bound.
  std::optional<size_t> findStart(std::string_view s, size_t from);

  struct Impl;

private:
  explicit RegexDfa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace nixpp
