// expr/names.cc: see names.h.
#include "expr/names.h"

#include <cctype>
#include <charconv>
#include <optional>

namespace nixpp {

// The next version component from `p`: separators ('.', '-') are skipped, then either a run of
// digits or a run of other non-separator characters. "" at the end.
std::string_view nextVersionComponent(std::string_view s, size_t& p) {
  while (p < s.size() && (s[p] == '.' || s[p] == '-')) ++p;
  size_t start = p;
  if (p == s.size()) return {};
  if (std::isdigit(static_cast<unsigned char>(s[p])))
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
  else
    while (p < s.size() && !std::isdigit(static_cast<unsigned char>(s[p])) && s[p] != '.' && s[p] != '-') ++p;
  return s.substr(start, p - start);
}

namespace {

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

} // namespace

int compareVersions(std::string_view v1, std::string_view v2) {
  size_t p1 = 0, p2 = 0;
  while (p1 < v1.size() || p2 < v2.size()) {
    auto c1 = nextVersionComponent(v1, p1);
    auto c2 = nextVersionComponent(v2, p2);
    if (componentsLT(c1, c2)) return -1;
    if (componentsLT(c2, c1)) return 1;
  }
  return 0;
}

DrvName::DrvName(std::string_view s) : fullName(s), name(s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '-' && i + 1 < s.size() && !std::isalpha(static_cast<unsigned char>(s[i + 1]))) {
      name = s.substr(0, i);
      version = s.substr(i + 1);
      break;
    }
}

} // namespace nixpp
