#include "store/store_url.h"

#include <cctype>
#include <filesystem>

#include "util/config.h"
#include "util/strings.h"

namespace nixpp {

namespace {

std::string percentDecode(std::string_view s, std::string_view url) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    auto hex = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = i + 2 < s.size() ? hex(s[i + 1]) : -1, lo = i + 2 < s.size() ? hex(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) throw BadStoreUrl("invalid URI parameter " + quoted(s) + " in store URL " + quoted(url));
    out += char(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool isKnownScheme(std::string_view s) {
  for (auto k : {"unix", "file", "http", "https", "s3", "ssh", "ssh-ng", "dummy"})
    if (s == k) return true;
  return false;
}

} // namespace

StoreUrl StoreUrl::parse(std::string_view url) { return parse(url, std::filesystem::current_path().string()); }

StoreUrl StoreUrl::parse(std::string_view url, std::string_view cwd) {
  auto bad = [&] { return BadStoreUrl("don't know how to open Nix store " + quoted(url)); };
  StoreUrl res;
  std::string_view main = url, query;
  if (auto q = url.find('?'); q != std::string_view::npos) {
    main = url.substr(0, q);
    query = url.substr(q + 1);
  }
  for (auto& kv : splitString(query, '&')) {
    if (kv.empty()) continue;
    auto eq = kv.find('=');
    if (eq == std::string::npos) throw bad();  // Nix ignores these silently; we refuse nonsense
    res.params[percentDecode(kv.substr(0, eq), url)] = percentDecode(kv.substr(eq + 1), url);
  }

  if (main.empty() || main == "auto" || main == "daemon" || main == "local") {
    res.scheme = main.empty() ? "auto" : std::string(main);
    return res;
  }
  if (auto sep = main.find("://"); sep != std::string_view::npos) {
    res.scheme = main.substr(0, sep);
    res.path = main.substr(sep + 3);
    if (!isKnownScheme(res.scheme)) throw bad();
    if ((res.scheme == "unix" || res.scheme == "file") && !res.path.starts_with("/") &&
        !(res.scheme == "unix" && res.path.empty()))
      throw bad();
    if ((res.scheme == "http" || res.scheme == "https" || res.scheme == "s3" || res.scheme == "ssh" ||
         res.scheme == "ssh-ng") && res.path.empty())
      throw bad();
    return res;
  }
  // A file-system path: a local store rooted there.
  if (main.find('/') != std::string_view::npos) {
    if (res.params.count("root")) throw bad();
    res.scheme = "local";
    res.params["root"] = absPathIn(main, cwd);
    return res;
  }
  throw bad();
}

std::string StoreUrl::to_string() const {
  std::string res = scheme;
  if (scheme != "auto" && scheme != "daemon" && scheme != "local") res += "://" + path;
  char sep = '?';
  for (auto& [k, v] : params) {
    res += sep + percentEncode(k, "/:@") + "=" + percentEncode(v, "/:@");
    sep = '&';
  }
  return res;
}

} // namespace nixpp
