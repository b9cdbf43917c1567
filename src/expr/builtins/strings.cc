// expr/builtins/strings.cc: builtins on strings: stringLength, substring, replaceStrings,
// concatStringsSep, baseNameOf, dirOf, and the regular expression builtins match and split
// (POSIX extended syntax through std::regex, as Nix, compiled once per EvalState).
#include <algorithm>
#include <optional>
#include <regex>
#include <unordered_map>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/regex_dfa.h"

namespace nixpp {

// Compiled regular expressions by source text (EvalState::regexCache): the std::regex (which
// also validates the expression and reports its errors as Nix does) and, when the expression is
// in the subset RegexDfa understands, its DFA for the answers that do not depend on std::regex's
// search order.
struct CompiledRegex {
  std::regex re;
  std::unique_ptr<RegexDfa> dfa;
};
struct RegexCache {
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, CompiledRegex, Hash, std::equal_to<>> cache;
  // The last expression used and its entry (most calls repeat the previous expression).
  std::string lastKey;
  CompiledRegex* last = nullptr;
};

namespace {

[[noreturn]] void throwAt(EvalState& st, PosIdx pos, const std::string& msg) { throw EvalError(msg, st.pos(pos)); }

void primStringLength(EvalState& st, PosIdx pos, Value** args, Value& v) {
  if (args[0]->type() == ValueType::String) return v.mkInt(int64_t(args[0]->str()->size));  // no copy
  NixStringContext ctx;
  std::string s = st.coerceToString(pos, *args[0], ctx, "while evaluating the argument passed to builtins.stringLength");
  v.mkInt(int64_t(s.size()));
}

void primSubstring(EvalState& st, PosIdx pos, Value** args, Value& v) {
  int64_t start = st.forceInt(*args[0], pos, "while evaluating the first argument (the start offset) passed to builtins.substring");
  if (start < 0) throwAt(st, pos, "negative start position in 'substring'");
  int64_t len = st.forceInt(*args[1], pos, "while evaluating the second argument (the substring length) passed to builtins.substring");
  // An empty substring of a string keeps its context (and costs nothing).
  if (len == 0) {
    st.forceValue(*args[2], pos);
    if (args[2]->type() == ValueType::String) {
      v.mkString(st.makeString(""), args[2]->context());
      return;
    }
  }
  // A string (already forced) is sliced in place, its context shared: no copy of the whole.
  if (args[2]->type() == ValueType::String) {
    std::string_view s = args[2]->string_view();
    std::string_view sub = size_t(start) >= s.size() ? std::string_view() : s.substr(size_t(start), size_t(len));
    v.mkString(st.makeString(sub), args[2]->context());
    return;
  }
  NixStringContext ctx;
  std::string s = st.coerceToString(pos, *args[2], ctx, "while evaluating the third argument (the string) passed to builtins.substring");
  if (size_t(start) >= s.size()) return st.mkString(v, "", ctx);
  // A negative length means "to the end", as Nix's size_t conversion does.
  st.mkString(v, std::string_view(s).substr(size_t(start), size_t(len)), ctx);
}

void primReplaceStrings(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceList(*args[0], pos, "while evaluating the first argument passed to builtins.replaceStrings");
  st.forceList(*args[1], pos, "while evaluating the second argument passed to builtins.replaceStrings");
  if (args[0]->listSize() != args[1]->listSize())
    throwAt(st, pos, "'from' and 'to' arguments passed to builtins.replaceStrings have different lengths");
  size_t n = args[0]->listSize();
  std::vector<std::string_view> from;
  from.reserve(n);
  for (size_t i = 0; i < n; ++i)
    from.push_back(st.forceString(*args[0]->listElems()[i], pos, "while evaluating one of the strings to replace passed to builtins.replaceStrings"));
  // Replacements are forced only when used, once each.
  std::vector<std::optional<std::string_view>> to(n);
  NixStringContext ctx;
  std::string_view s = st.forceString(*args[2], ctx, pos, "while evaluating the third argument passed to builtins.replaceStrings");
  std::string res;
  res.reserve(s.size());
  // One past the end, so that an empty pattern also matches at the end. The unmatched run
  // s[run, p) is copied in one go when a pattern matches, and at the end.
  // Bytes a pattern starts with (all of them when a pattern is empty): a position whose byte is
  // none of them matches no pattern and is skipped without comparing.
  bool firstByte[256] = {};
  for (auto f : from) {
    if (f.empty()) std::fill(std::begin(firstByte), std::end(firstByte), true);
    else firstByte[static_cast<unsigned char>(f[0])] = true;
  }
  size_t run = 0;
  for (size_t p = 0; p <= s.size();) {
    if (p < s.size() && !firstByte[static_cast<unsigned char>(s[p])]) {
      ++p;
      continue;
    }
    bool found = false;
    for (size_t i = 0; i < n; ++i) {
      if (s.size() - p < from[i].size() || s.compare(p, from[i].size(), from[i]) != 0) continue;
      found = true;
      if (!to[i])
        to[i] = st.forceString(*args[1]->listElems()[i], ctx, pos, "while evaluating one of the replacement strings passed to builtins.replaceStrings");
      res.append(s.data() + run, p - run);
      res += *to[i];
      if (from[i].empty()) {
        if (p < s.size()) res += s[p];
        ++p;
      } else p += from[i].size();
      run = std::min(p, s.size());
      break;
    }
    if (!found) ++p;
  }
  res.append(s.data() + run, s.size() - run);
  st.mkString(v, res, ctx);
}

void primConcatStringsSep(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string_view sep = st.forceString(*args[0], ctx, pos, "while evaluating the first argument (the separator string) passed to builtins.concatStringsSep");
  st.forceList(*args[1], pos, "while evaluating the second argument (the list of strings to concat) passed to builtins.concatStringsSep");
  std::string res;
  // The size of the result when every element is already a string: one allocation.
  size_t total = 0;
  for (size_t i = 0; i < args[1]->listSize(); ++i) {
    Value& e = *args[1]->listElems()[i];
    if (e.type() == ValueType::String) total += e.str()->size + sep.size();
  }
  res.reserve(total);
  for (size_t i = 0; i < args[1]->listSize(); ++i) {
    if (i) res += sep;
    // A string element is appended in place (coerceToString would copy it into a temporary).
    Value& e = *args[1]->listElems()[i];
    st.forceValue(e, pos);
    if (e.type() == ValueType::String) {
      res += e.string_view();
      st.copyContext(e, ctx);
      continue;
    }
    res += st.coerceToString(pos, e, ctx, "while evaluating one element of the list of strings to concat passed to builtins.concatStringsSep");
  }
  st.mkString(v, res, ctx);
}

// Nix's baseNameOf: the last component, ignoring one trailing slash.
std::string_view baseNameOf(std::string_view p) {
  if (p.empty()) return p;
  size_t last = p.size() - 1;
  if (p[last] == '/' && last > 0) --last;
  size_t slash = p.rfind('/', last);
  size_t from = slash == std::string_view::npos ? 0 : slash + 1;
  return p.substr(from, last - from + 1);
}

void primBaseNameOf(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string s = st.coerceToString(pos, *args[0], ctx, "while evaluating the first argument passed to builtins.baseNameOf", false, false);
  st.mkString(v, baseNameOf(s), ctx);
}

void primDirOf(EvalState& st, PosIdx pos, Value** args, Value& v) {
  st.forceValue(*args[0], pos);
  if (args[0]->type() == ValueType::Path) {
    std::string_view p = args[0]->path()->view();
    size_t slash = p.rfind('/');
    return st.mkPath(v, slash == 0 || slash == std::string_view::npos ? std::string_view("/") : p.substr(0, slash));
  }
  NixStringContext ctx;
  std::string s = st.coerceToString(pos, *args[0], ctx, "while evaluating the first argument passed to 'builtins.dirOf'", false, false);
  size_t slash = s.rfind('/');
  std::string_view dir = slash == std::string::npos ? "." : slash == 0 ? "/" : std::string_view(s).substr(0, slash);
  st.mkString(v, dir, ctx);
}

// --- regular expressions ---

CompiledRegex& compileRegex(EvalState& st, std::string_view re, PosIdx pos) {
  if (!st.regexCache) st.regexCache = std::make_shared<RegexCache>();
  RegexCache& rc = *st.regexCache;
  if (rc.last && rc.lastKey == re) return *rc.last;
  auto i = rc.cache.find(re);
  if (i == rc.cache.end()) {
    std::string key(re);
    try {
      i = rc.cache.emplace(key, CompiledRegex{std::regex(key, std::regex::extended), RegexDfa::compile(key)}).first;
    } catch (std::regex_error& e) {
      if (e.code() == std::regex_constants::error_space)
        throwAt(st, pos, "memory limit exceeded by regular expression '" + key + "'");
      throwAt(st, pos, "invalid regular expression '" + key + "'");
    }
  }
  rc.lastKey = re;
  rc.last = &i->second;
  return i->second;
}

// The sub-matches 1..n of `m` as a list of strings (null for groups that did not match).
void subMatches(EvalState& st, const std::cmatch& m, Value& v) {
  st.mkList(v, m.size() - 1);
  for (size_t i = 1; i < m.size(); ++i) {
    Value* e = st.allocValue();
    if (m[i].matched) st.mkString(*e, std::string_view(m[i].first, size_t(m[i].length())));
    else e->mkNull();
    v.listElems()[i - 1] = e;
  }
}

void primMatch(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view re = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.match");
  CompiledRegex& compiled = compileRegex(st, re, pos);
  std::string_view s = st.forceString(*args[1], pos, "while evaluating the second argument passed to builtins.match");
  // Whether the whole string matches does not depend on the engine: without groups that is the
  // whole answer; with groups, a string the DFA rejects is rejected by std::regex too.
  if (compiled.dfa) {
    if (std::optional<bool> full = compiled.dfa->fullMatch(s)) {
      if (!*full) return v.mkNull();
      if (compiled.dfa->groups() == 0) return st.mkList(v, 0);
    }
  }
  const std::regex& regex = compiled.re;
  std::cmatch m;
  try {
    if (!std::regex_match(s.data(), s.data() + s.size(), m, regex)) return v.mkNull();
  } catch (std::regex_error& e) {
    throwAt(st, pos, "memory limit exceeded by regular expression '" + std::string(re) + "'");
  }
  subMatches(st, m, v);
}

// builtins.split by the DFA, for an expression without groups or anchors whose matches all have
// the same length n > 0: std::regex_search's leftmost match is then [p, p + n) for the first p
// where one starts, whatever its search order, and regex_iterator resumes at p + n. False (and
// `v` untouched) when the DFA does not apply.
bool splitFixed(EvalState& st, CompiledRegex& compiled, std::string_view s, Value* subject, Value& v) {
  RegexDfa* dfa = compiled.dfa.get();
  if (!dfa || dfa->groups() != 0 || dfa->hasAnchors()) return false;
  std::optional<size_t> len = dfa->fixedLength();
  if (!len || *len == 0) return false;
  std::vector<size_t> starts;
  for (size_t from = 0;;) {
    std::optional<size_t> p = dfa->findStart(s, from);
    if (!p) return false;
    if (*p >= s.size()) break;
    starts.push_back(*p);
    from = *p + *len;
  }
  if (starts.empty()) {
    st.mkList(v, 1);
    v.listElems()[0] = subject;
    return true;
  }
  Value list;
  st.mkList(list, 2 * starts.size() + 1);
  Value** elems = list.listElems();
  for (size_t i = 0; i < 2 * starts.size() + 1; ++i) elems[i] = nullptr;
  // Every match has no sub-matches: one empty list serves them all (values are immutable).
  Value* none = st.allocValue();
  st.mkList(*none, 0);
  size_t prev = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    elems[2 * i] = st.allocValue();
    st.mkString(*elems[2 * i], s.substr(prev, starts[i] - prev));
    elems[2 * i + 1] = none;
    prev = starts[i] + *len;
  }
  elems[2 * starts.size()] = st.allocValue();
  st.mkString(*elems[2 * starts.size()], s.substr(prev));
  v = list;
  return true;
}

// One match of builtins.split: the unmatched run before it, and the match with its groups.
struct SplitMatch {
  size_t prefixBegin, prefixEnd;
  std::cmatch m;
};

// builtins.split's matches with the DFA finding where each starts, for an expression without
// anchors that never matches the empty string: std::regex then runs once per match, anchored at
// its start (match_continuous), and finds what regex_iterator would (its search from the previous
// match's end fails at every earlier position, and its backtracking at one start does not depend
// on the earlier ones). False if the DFA does not apply.
bool splitGuided(CompiledRegex& compiled, std::string_view s, std::vector<SplitMatch>& matches, const char*& rest) {
  RegexDfa* dfa = compiled.dfa.get();
  if (!dfa || dfa->hasAnchors()) return false;
  std::optional<bool> empty = dfa->fullMatch("");
  if (!empty || *empty) return false;
  const char* end = s.data() + s.size();
  for (size_t from = 0;;) {
    std::optional<size_t> p = dfa->findStart(s, from);
    if (!p) return false;
    if (*p >= s.size()) return true;
    auto flags = std::regex_constants::match_continuous;
    if (*p > 0) flags |= std::regex_constants::match_prev_avail;
    std::cmatch m;
    if (!std::regex_search(s.data() + *p, end, m, compiled.re, flags) || m[0].first != s.data() + *p || m[0].length() == 0)
      return false;  // cannot happen (the DFA found a match here); std::regex decides
    rest = m[0].second;
    matches.push_back({from, *p, std::move(m)});
    from = size_t(rest - s.data());
  }
}

void primSplit(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view re = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.split");
  CompiledRegex& compiled = compileRegex(st, re, pos);
  std::string_view s = st.forceString(*args[1], pos, "while evaluating the second argument passed to builtins.split");
  if (splitFixed(st, compiled, s, args[1], v)) return;
  const std::regex& regex = compiled.re;
  std::vector<SplitMatch> matches;
  const char* rest = s.data();
  try {
    if (!splitGuided(compiled, s, matches, rest)) {
      matches.clear();
      rest = s.data();
      for (auto i = std::cregex_iterator(s.data(), s.data() + s.size(), regex); i != std::cregex_iterator(); ++i) {
        matches.push_back({size_t(i->prefix().first - s.data()), size_t(i->prefix().second - s.data()), *i});
        rest = (*i)[0].second;
      }
    }
  } catch (std::regex_error& e) {
    throwAt(st, pos, "memory limit exceeded by regular expression '" + std::string(re) + "'");
  }
  if (matches.empty()) {
    st.mkList(v, 1);
    v.listElems()[0] = args[1];
    return;
  }
  Value list;
  st.mkList(list, 2 * matches.size() + 1);
  Value** elems = list.listElems();
  for (size_t i = 0; i < 2 * matches.size() + 1; ++i) elems[i] = nullptr;
  for (size_t i = 0; i < matches.size(); ++i) {
    elems[2 * i] = st.allocValue();
    st.mkString(*elems[2 * i], s.substr(matches[i].prefixBegin, matches[i].prefixEnd - matches[i].prefixBegin));
    elems[2 * i + 1] = st.allocValue();
    subMatches(st, matches[i].m, *elems[2 * i + 1]);
  }
  elems[2 * matches.size()] = st.allocValue();
  st.mkString(*elems[2 * matches.size()], std::string_view(rest, size_t(s.data() + s.size() - rest)));
  v = list;
}

} // namespace

void registerStringBuiltins(BuiltinTable& t) {
  t.add("stringLength", 1, primStringLength);
  t.add("substring", 3, primSubstring);
  t.add("replaceStrings", 3, primReplaceStrings);
  t.add("concatStringsSep", 2, primConcatStringsSep);
  t.add("baseNameOf", 1, primBaseNameOf);
  t.add("dirOf", 1, primDirOf);
  t.add("match", 2, primMatch);
  t.add("split", 2, primSplit);
}

} // namespace nixpp
