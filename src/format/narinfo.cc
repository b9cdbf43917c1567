#include "format/narinfo.h"

#include "format/signature.h"
#include "util/strings.h"

namespace nixpp {

BadNarInfo::BadNarInfo(std::string_view whence, std::string reason)
    : FormatError("NAR info file '" + std::string(whence) + "' is corrupt"), reason_(std::move(reason)) {}

namespace {

// TODO(store_path): replace with StorePath::parse once format/store_path.h lands. Same checks
// and messages as Nix 2.8's StorePath constructor.
void checkBaseName(std::string_view baseName) {
  const size_t hashLen = 32;
  auto bad = [&](const std::string& msg) { throw BadStorePathInNarInfo(msg); };
  if (baseName.size() < hashLen + 1) bad(quoted(baseName) + " is too short to be a valid store path");
  for (char c : baseName.substr(0, hashLen))
    if (!isNix32Char(c))
      bad("store path " + quoted(baseName) + " contains illegal base-32 character " + quoted(std::string(1, c)));
  std::string_view name = baseName.substr(hashLen + 1);
  if (name.empty()) bad("store path " + quoted(baseName) + " has an empty name");
  if (name.size() > 211) bad("store path " + quoted(baseName) + " has a name longer than 211 characters");
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' ||
          c == '-' || c == '.' || c == '_' || c == '?' || c == '='))
      bad("store path " + quoted(baseName) + " contains illegal character " + quoted(std::string(1, c)));
}

// A full store path must sit directly in `storeDir`.
void checkFullPath(std::string_view path, std::string_view storeDir) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos || path.substr(0, slash) != storeDir)
    throw BadStorePathInNarInfo("path " + quoted(path) + " is not in the Nix store");
  checkBaseName(path.substr(slash + 1));
}

} // namespace

NarInfo NarInfo::parse(std::string_view s, std::string_view whence, std::string_view storeDir) {
  NarInfo info;
  unsigned line = 1;
  auto corrupt = [&](const std::string& reason) {
    return BadNarInfo(whence, reason + " at line " + std::to_string(line));
  };
  auto parseHashField = [&](std::string_view v) {
    try {
      return Hash::parseAny(v);
    } catch (BadHash&) {
      throw corrupt("bad hash");
    }
  };

  bool havePath = false, haveNarHash = false;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t colon = s.find(':', pos);
    if (colon == std::string_view::npos) throw corrupt("expecting ':'");
    std::string_view name = s.substr(pos, colon - pos);
    // As in Nix, the value starts two characters after the colon (": ").
    size_t eol = colon + 2 <= s.size() ? s.find('\n', colon + 2) : std::string_view::npos;
    if (eol == std::string_view::npos) throw corrupt("expecting '\\n'");
    std::string_view value = s.substr(colon + 2, eol - colon - 2);

    if (name == "StorePath") {
      checkFullPath(value, storeDir);
      info.storePath = value;
      havePath = true;
    } else if (name == "URL") {
      info.url = value;
    } else if (name == "Compression") {
      info.compression = value;
    } else if (name == "FileHash") {
      info.fileHash = parseHashField(value);
    } else if (name == "FileSize") {
      auto n = parseUInt(value);
      if (!n) throw corrupt("invalid FileSize");
      info.fileSize = *n;
    } else if (name == "NarHash") {
      info.narHash = parseHashField(value);
      haveNarHash = true;
    } else if (name == "NarSize") {
      auto n = parseUInt(value);
      if (!n) throw corrupt("invalid NarSize");
      info.narSize = *n;
    } else if (name == "References") {
      auto refs = tokenizeString(value, " ");
      if (!info.references.empty()) throw corrupt("extra References");
      for (auto& r : refs) {
        checkBaseName(r);
        info.references.insert(r);
      }
    } else if (name == "Deriver") {
      if (value != "unknown-deriver") {
        checkBaseName(value);
        info.deriver = value;
      }
    } else if (name == "System") {
      info.system = value;
    } else if (name == "Sig") {
      info.sigs.insert(std::string(value));
    } else if (name == "CA") {
      if (!info.ca.empty()) throw corrupt("extra CA");
      // TODO(content_address): validate with ContentAddress::parse once it lands.
      info.ca = value;
    }
    pos = eol + 1;
    ++line;
  }

  if (info.compression.empty()) info.compression = "bzip2";

  if (!havePath) throw BadNarInfo(whence, "StorePath missing");
  if (!haveNarHash) throw BadNarInfo(whence, "NarHash missing");
  if (info.url.empty()) throw BadNarInfo(whence, "URL missing");
  if (info.narSize == 0) throw BadNarInfo(whence, "NarSize missing or zero");
  return info;
}

std::string NarInfo::to_string() const {
  std::string res;
  res += "StorePath: " + storePath + "\n";
  res += "URL: " + url + "\n";
  res += "Compression: " + compression + "\n";
  if (!fileHash) throw Error("cannot print the .narinfo of '" + storePath + "': FileHash is not set");
  res += "FileHash: " + fileHash->to_string(HashFormat::nix32, true) + "\n";
  res += "FileSize: " + std::to_string(fileSize) + "\n";
  res += "NarHash: " + narHash.to_string(HashFormat::nix32, true) + "\n";
  res += "NarSize: " + std::to_string(narSize) + "\n";
  res += "References: " + concatStringsSep(" ", {references.begin(), references.end()}) + "\n";
  if (!deriver.empty()) res += "Deriver: " + deriver + "\n";
  if (!system.empty()) res += "System: " + system + "\n";
  for (auto& sig : sigs) res += "Sig: " + sig + "\n";
  if (!ca.empty()) res += "CA: " + ca + "\n";
  return res;
}

std::string NarInfo::fingerprint(std::string_view storeDir) const {
  std::vector<std::string> refs;
  for (auto& r : references) refs.push_back(std::string(storeDir) + "/" + r);
  return pathFingerprint(storePath, narHash, narSize, refs);
}

} // namespace nixpp
