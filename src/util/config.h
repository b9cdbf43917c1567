// util/config.h: the nix.conf syntax, as Nix 2.8 reads it. Pure: file contents come in as text
// and `include` directives are resolved through a lookup function; applying the assignments to
// typed settings is store/settings.h's business.
//
// Syntax: one `name = value` per line; `#` starts a comment; the value is the rest of the line's
// whitespace-separated tokens joined by single spaces (possibly empty); `include PATH` and
// `!include PATH` read another file (PATH relative to the including file's directory), the
// latter ignoring a missing file.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace nixpp {

// One `name = value` line, in file order.
struct ConfigAssignment {
  std::string name;
  std::string value;
  bool operator==(const ConfigAssignment&) const = default;
};

// Returns the contents of the file at an absolute path, or nullopt if it does not exist (or
// cannot be read: Nix ignores unreadable configuration files).
using ConfigFileReader = std::function<std::optional<std::string>(const std::string& path)>;

// Parses `contents`, which came from `path` (a file path, or a label such as "NIX_CONFIG" for
// text that is not a file), appending its assignments, and those of the files it includes, to
// `out` in order. Throws UsageError "illegal configuration line '<line>' in '<path>'", Error
// "file '<p>' included from '<path>' not found", Error "not an absolute path: '<p>'" (an include
// relative to a label).
void parseConfig(std::string_view contents, const std::string& path, const ConfigFileReader& readFile,
                 std::vector<ConfigAssignment>& out);

// Reads the file at `path` with `readFile` and parses it as above; a missing file adds nothing.
void parseConfigFile(const std::string& path, const ConfigFileReader& readFile, std::vector<ConfigAssignment>& out);

// Resolves `path` against `dir` (if relative) and removes ".", ".." and repeated slashes, as
// Nix's absPath/canonPath do (no file system access, symlinks are not followed). Throws Error
// "not an absolute path: '<p>'" if the result is not absolute.
std::string absPathIn(std::string_view path, std::string_view dir);

// The directory part of a path ("/a/b" -> "/a", "/a" -> "/", "a" -> ".").
std::string dirOf(std::string_view path);

} // namespace nixpp
