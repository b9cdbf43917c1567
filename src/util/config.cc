#include "util/config.h"

#include "util/strings.h"

namespace nixpp {

std::string dirOf(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  return slash == 0 ? "/" : std::string(path.substr(0, slash));
}

std::string absPathIn(std::string_view path, std::string_view dir) {
  std::string full = path.starts_with("/") ? std::string(path) : std::string(dir) + "/" + std::string(path);
  if (!full.starts_with("/")) throw Error("not an absolute path: " + quoted(full));
  std::vector<std::string> parts;
  for (auto& c : splitString(full, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(c);
    }
  }
  return parts.empty() ? "/" : "/" + concatStringsSep("/", parts);
}

void parseConfig(std::string_view contents, const std::string& path, const ConfigFileReader& readFile,
                 std::vector<ConfigAssignment>& out) {
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t eol = contents.find('\n', pos);
    if (eol == std::string_view::npos) eol = contents.size();
    std::string_view line = contents.substr(pos, eol - pos);
    pos = eol + 1;

    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    auto tokens = tokenizeString(line);
    if (tokens.empty()) continue;
    auto illegal = [&] {
      return UsageError("illegal configuration line " + quoted(line) + " in " + quoted(path));
    };
    if (tokens.size() < 2) throw illegal();

    if (tokens[0] == "include" || tokens[0] == "!include") {
      if (tokens.size() != 2) throw illegal();
      std::string p = absPathIn(tokens[1], dirOf(path));
      if (auto text = readFile(p))
        parseConfig(*text, p, readFile, out);
      else if (tokens[0] == "include")
        throw Error("file " + quoted(p) + " included from " + quoted(path) + " not found");
      continue;
    }

    if (tokens[1] != "=") throw illegal();
    out.push_back({tokens[0], concatStringsSep(" ", std::vector<std::string>(tokens.begin() + 2, tokens.end()))});
  }
}

void parseConfigFile(const std::string& path, const ConfigFileReader& readFile, std::vector<ConfigAssignment>& out) {
  if (auto text = readFile(path)) parseConfig(*text, path, readFile, out);
}

} // namespace nixpp
