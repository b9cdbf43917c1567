// util/strings.h: small string helpers used across layers. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nixpp {

bool hasPrefix(std::string_view s, std::string_view prefix);
bool hasSuffix(std::string_view s, std::string_view suffix);

// Splits on any of `seps`, dropping empty tokens (as Nix's tokenizeString).
std::vector<std::string> tokenizeString(std::string_view s, std::string_view seps = " \t\n\r");

// Splits on every occurrence of `sep`, keeping empty fields.
std::vector<std::string> splitString(std::string_view s, char sep);

std::string concatStringsSep(std::string_view sep, const std::vector<std::string>& ss);

// `text` with `indent` after each newline, so that its later lines line up under a prefix of
// that width printed before it (Nix's messages under "error: ", "warning: "...). Empty lines get
// it too unless `blankLines` is false.
std::string indentLines(std::string_view text, std::string_view indent, bool blankLines = true);

// Strips leading and trailing whitespace (" \t\n\r").
std::string_view trim(std::string_view s);

// URL percent-encoding as Nix's: unreserved characters (alphanumerics and "-._~") and those in
// `keep` stay, every other byte becomes %XX (upper-case hex).
std::string percentEncode(std::string_view s, std::string_view keep = "");

// Decodes %XX escapes (either case of hex); a '%' not followed by two hex digits stays as it is.
std::string percentDecode(std::string_view s);

// The local file a `file://` URL (or a plain absolute path) names, percent-decoded: what nixpp's
// fetchers can read today. Throws Error "unable to download '<url>': ..." for a network URL or
// one without a scheme.
std::string localPathOfUrl(const std::string& url);

// Parses a whole string as a decimal integer; nullopt on any junk or overflow.
std::optional<int64_t> parseInt(std::string_view s);
std::optional<uint64_t> parseUInt(std::string_view s);

// Appends `s` as a JSON string literal escaped as Nix 2.8's JSON writer does (", \\, \n, \r, \t
// and other control characters as \u00XX; other bytes, UTF-8 or not, as they are). Used where
// nixpp must print JSON byte-identical to Nix 2.8 (nix nar ls, show-derivation, structured attrs).
void appendJsonString(std::string& out, std::string_view s);

// Quotes a string for messages, as Nix does: 'text'.
inline std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

} // namespace nixpp
