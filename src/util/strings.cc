#include "util/strings.h"

#include <charconv>

#include "util/error.h"

namespace nixpp {

bool hasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool hasSuffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string> tokenizeString(std::string_view s, std::string_view seps) {
  std::vector<std::string> out;
  size_t pos = s.find_first_not_of(seps);
  while (pos != std::string_view::npos) {
    size_t end = s.find_first_of(seps, pos);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(pos, end - pos));
    pos = s.find_first_not_of(seps, end);
  }
  return out;
}

std::vector<std::string> splitString(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
}

std::string concatStringsSep(std::string_view sep, const std::vector<std::string>& ss) {
  std::string out;
  for (size_t i = 0; i < ss.size(); ++i) {
    if (i) out += sep;
    out += ss[i];
  }
  return out;
}

std::string indentLines(std::string_view text, std::string_view indent, bool blankLines) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && text[i - 1] == '\n' && (blankLines || text[i] != '\n')) out += indent;
    out += text[i];
  }
  if (blankLines && !text.empty() && text.back() == '\n') out += indent;
  return out;
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t\n\r";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

template <typename T>
static std::optional<T> parseNumber(std::string_view s) {
  T v{};
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> parseInt(std::string_view s) { return parseNumber<int64_t>(s); }
std::optional<uint64_t> parseUInt(std::string_view s) { return parseNumber<uint64_t>(s); }

void appendJsonString(std::string& out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c >= 0 && c < 32) {
      out += "\\u00";
      out += hex[(c >> 4) & 0xf];
      out += hex[c & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string percentEncode(std::string_view s, std::string_view keep) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 std::string_view("-._~").find(char(c)) != std::string_view::npos ||
                 keep.find(char(c)) != std::string_view::npos;
    if (plain) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

} // namespace

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexDigit(s[i + 1]) >= 0 && hexDigit(s[i + 2]) >= 0) {
      out += char(hexDigit(s[i + 1]) * 16 + hexDigit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string localPathOfUrl(const std::string& url) {
  std::string_view rest;
  if (url.starts_with("file://")) rest = std::string_view(url).substr(7);
  else if (url.starts_with("file:")) rest = std::string_view(url).substr(5);
  else if (url.starts_with("/")) rest = url;
  else if (url.find("://") != std::string::npos)
    throw Error("unable to download '" + url + "': nixpp cannot download over the network yet (only file:// URLs)");
  else throw Error("unable to download '" + url + "': URL has no scheme");
  return percentDecode(rest);
}

} // namespace nixpp
