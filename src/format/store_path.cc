#include "format/store_path.h"

#include <vector>

#include "util/strings.h"

namespace nixpp {

namespace {

bool validNameChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' ||
         c == '-' || c == '.' || c == '_' || c == '?' || c == '=';
}

// Lexical canonicalisation of an absolute path: no ".", "..", duplicate or trailing slashes.
std::string canonPath(std::string_view path) {
  if (path.empty() || path[0] != '/') throw BadStorePath("not an absolute path: '" + std::string(path) + "'");
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto c = path.substr(i, j - i);
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!c.empty() && c != ".") {
      parts.push_back(c);
    }
    i = j;
  }
  std::string r;
  for (auto p : parts) {
    r += '/';
    r += p;
  }
  return r.empty() ? "/" : r;
}

} // namespace

void checkStorePathName(std::string_view name, std::string_view context) {
  auto ctx = [&] { return std::string(context); };  // only on error: this runs for every path parsed
  if (name.empty()) throw BadStorePath("store path '" + ctx() + "' has an empty name");
  if (name.size() > StorePath::maxNameLen)
    throw BadStorePath("store path '" + ctx() + "' has a name longer than 211 characters");
  if (name[0] == '.' && (name == "." || name == ".." || name.starts_with(".-") || name.starts_with("..-")))
    throw BadStorePath("store path '" + ctx() + "' has invalid name '" + std::string(name) + "'");
  for (char c : name)
    if (!validNameChar(c))
      throw BadStorePath("store path '" + ctx() + "' contains illegal character '" + std::string(1, c) + "'");
}

StorePath StorePath::parse(std::string_view baseName) {
  std::string s(baseName);
  if (baseName.size() < hashLen + 1)
    throw BadStorePath("'" + s + "' is too short to be a valid store path");
  if (!isNix32String(baseName.substr(0, hashLen)))
    for (char c : baseName.substr(0, hashLen))
      if (!isNix32Char(c))
        throw BadStorePath("store path '" + s + "' contains illegal base-32 character '" + std::string(1, c) + "'");
  if (baseName[hashLen] != '-')
    throw BadStorePath("store path '" + s + "' lacks a '-' after the hash part");
  checkStorePathName(baseName.substr(hashLen + 1), s);
  return StorePath(std::move(s));
}

StorePath::StorePath(const Hash& hash, std::string_view name)
    : baseName_(nix32Encode(hash.bytes()) + "-" + std::string(name)) {
  if (hash.size() != 20) throw BadStorePath("store path hash must be 160 bits");
  checkStorePathName(name, baseName_);
}

bool StorePath::isDerivation() const { return hasSuffix(name(), ".drv"); }

StorePath StorePath::dummy() { return StorePath(std::string(hashLen, '0') + "-x"); }

std::string_view fileIngestionPrefix(FileIngestionMethod m) {
  return m == FileIngestionMethod::recursive ? "r:" : "";
}

std::string outputPathName(std::string_view drvName, std::string_view outputName) {
  std::string r(drvName);
  if (outputName != "out") {
    r += '-';
    r += outputName;
  }
  return r;
}

std::string StoreDir::printPath(const StorePath& p) const { return dir_ + "/" + p.to_string(); }

StorePath StoreDir::parsePath(std::string_view path) const {
  // Fast path: "<dir>/<base name>" with no further slash and too long to be "." or ".." is
  // already canonical, so canonPath would return it unchanged.
  if (isInStore(path) && path.size() > dir_.size() + 3 && path.find('/', dir_.size() + 1) == std::string_view::npos)
    return StorePath::parse(path.substr(dir_.size() + 1));
  auto p = canonPath(path);
  auto slash = p.rfind('/');
  if (std::string_view(p).substr(0, slash) != dir_ || slash + 1 == p.size())
    throw BadStorePath("path '" + p + "' is not in the Nix store");
  return StorePath::parse(std::string_view(p).substr(slash + 1));
}

std::optional<StorePath> StoreDir::parsePathOpt(std::string_view path) const {
  try {
    return parsePath(path);
  } catch (BadStorePath&) {
    return std::nullopt;
  }
}

bool StoreDir::isInStore(std::string_view path) const {
  return path.size() > dir_.size() + 1 && hasPrefix(path, dir_) && path[dir_.size()] == '/';
}

bool StoreDir::isStorePath(std::string_view path) const { return parsePathOpt(path).has_value(); }

std::pair<StorePath, std::string> StoreDir::toStorePath(std::string_view path) const {
  if (!isInStore(path)) throw BadStorePath("path '" + std::string(path) + "' is not in the Nix store");
  auto rest = path.substr(dir_.size() + 1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return {StorePath::parse(rest), ""};
  return {StorePath::parse(rest.substr(0, slash)), std::string(rest.substr(slash))};
}

StorePath StoreDir::makeStorePath(std::string_view type, std::string_view hash,
                                  std::string_view name) const {
  std::string s;
  s.reserve(type.size() + hash.size() + dir_.size() + name.size() + 3);
  s.append(type).append(":").append(hash).append(":").append(dir_).append(":").append(name);
  return StorePath(compressHash(hashString(HashAlgo::sha256, s), 20), name);
}

StorePath StoreDir::makeStorePath(std::string_view type, const Hash& hash, std::string_view name) const {
  return makeStorePath(type, hash.to_string(HashFormat::base16, true), name);
}

StorePath StoreDir::makeOutputPath(std::string_view id, const Hash& hash, std::string_view drvName) const {
  return makeStorePath("output:" + std::string(id), hash, outputPathName(drvName, id));
}

namespace {
std::string makeType(const StoreDir& dir, std::string type, const StorePathSet& references,
                     bool hasSelfReference) {
  for (auto& r : references) {
    type += ':';
    type += dir.printPath(r);
  }
  if (hasSelfReference) type += ":self";
  return type;
}
} // namespace

StorePath StoreDir::makeFixedOutputPath(FileIngestionMethod method, const Hash& hash,
                                        std::string_view name, const StorePathSet& references,
                                        bool hasSelfReference) const {
  if (hash.algo() == HashAlgo::sha256 && method == FileIngestionMethod::recursive)
    return makeStorePath(makeType(*this, "source", references, hasSelfReference), hash, name);
  if (!references.empty() || hasSelfReference)
    throw BadStorePath("fixed-output path '" + std::string(name) +
                       "' other than recursive sha256 cannot have references");
  std::string inner = "fixed:out:";
  inner += fileIngestionPrefix(method);
  inner += hash.to_string(HashFormat::base16, true);
  inner += ':';
  return makeStorePath("output:out", hashString(HashAlgo::sha256, inner), name);
}

StorePath StoreDir::makeTextPath(std::string_view name, const Hash& hash,
                                 const StorePathSet& references) const {
  if (hash.algo() != HashAlgo::sha256)
    throw BadStorePath("text path '" + std::string(name) + "' must be addressed by sha256");
  return makeStorePath(makeType(*this, "text", references, false), hash, name);
}

StorePath StoreDir::computeStorePathForText(std::string_view name, std::string_view contents,
                                            const StorePathSet& references) const {
  return makeTextPath(name, hashString(HashAlgo::sha256, contents), references);
}

StorePath StoreDir::makeSourcePath(const Hash& narHash, std::string_view name,
                                   const StorePathSet& references) const {
  return makeFixedOutputPath(FileIngestionMethod::recursive, narHash, name, references);
}

} // namespace nixpp
