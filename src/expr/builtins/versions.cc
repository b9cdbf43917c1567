// expr/builtins/versions.cc: package names and versions as Nix compares them:
// compareVersions, splitVersion, parseDrvName.
#include <cctype>
#include <charconv>
#include <optional>

#include "expr/builtins.h"
#include "expr/eval.h"

namespace nixpp {

namespace {

// The next version component from `p`: separators ('.', '-') are skipped, then either a run of
// digits or a run of other non-separator characters. "" at the end.
std::string_view nextComponent(std::string_view s, size_t& p) {
  while (p < s.size() && (s[p] == '.' || s[p] == '-')) ++p;
  size_t start = p;
  if (p == s.size()) return {};
  if (std::isdigit(static_cast<unsigned char>(s[p])))
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
  else
    while (p < s.size() && !std::isdigit(static_cast<unsigned char>(s[p])) && s[p] != '.' && s[p] != '-') ++p;
  return s.substr(start, p - start);
}

// A component as a number when it is one that fits an int (else compared as text).
std::optional<int> asNumber(std::string_view c) {
  int n;
  auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), n);
  if (c.empty() || ec != std::errc() || ptr != c.data() + c.size()) return std::nullopt;
  return n;
}

bool componentsLT(std::string_view c1, std::string_view c2) {
  auto n1 = asNumber(c1), n2 = asNumber(c2);
  if (n1 && n2) return *n1 < *n2;
  if (c1.empty() && n2) return true;
  if (c1 == "pre" && c2 != "pre") return true;
  if (c2 == "pre") return false;
  // "2.3a" < "2.3.1"
  if (n2) return true;
  if (n1) return false;
  return c1 < c2;
}

int compareVersions(std::string_view v1, std::string_view v2) {
  size_t p1 = 0, p2 = 0;
  while (p1 < v1.size() || p2 < v2.size()) {
    auto c1 = nextComponent(v1, p1);
    auto c2 = nextComponent(v2, p2);
    if (componentsLT(c1, c2)) return -1;
    if (componentsLT(c2, c1)) return 1;
  }
  return 0;
}

void primCompareVersions(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view a = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.compareVersions");
  std::string_view b = st.forceStringNoCtx(*args[1], pos, "while evaluating the second argument passed to builtins.compareVersions");
  v.mkInt(compareVersions(a, b));
}

void primSplitVersion(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view s = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.splitVersion");
  std::vector<std::string_view> parts;
  for (size_t p = 0; p < s.size();) {
    auto c = nextComponent(s, p);
    if (c.empty()) break;
    parts.push_back(c);
  }
  st.mkList(v, parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    Value* e = st.allocValue();
    st.mkString(*e, parts[i]);
    v.listElems()[i] = e;
  }
}

// "hello-1.0" -> name "hello", version "1.0": the version starts after the first '-' that is
// followed by something other than a letter.
void primParseDrvName(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view s = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.parseDrvName");
  std::string_view name = s, version;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '-' && i + 1 < s.size() && !std::isalpha(static_cast<unsigned char>(s[i + 1]))) {
      name = s.substr(0, i);
      version = s.substr(i + 1);
      break;
    }
  Bindings* b = st.allocBindings(2);
  Value* vn = st.allocValue();
  st.mkString(*vn, name);
  Value* vv = st.allocValue();
  st.mkString(*vv, version);
  b->push(st.s.name, vn);
  b->push(st.symbol("version"), vv);
  b->sort();
  v.mkAttrs(b);
}

} // namespace

void registerVersionBuiltins(BuiltinTable& t) {
  t.add("compareVersions", 2, primCompareVersions);
  t.add("splitVersion", 1, primSplitVersion);
  t.add("parseDrvName", 1, primParseDrvName);
}

} // namespace nixpp
