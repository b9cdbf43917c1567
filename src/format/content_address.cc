#include "format/content_address.h"

#include "util/strings.h"

namespace nixpp {

std::string printContentAddressMethodPrefix(ContentAddressMethod m) {
  switch (m) {
    case ContentAddressMethod::text: return "text:";
    case ContentAddressMethod::flat: return "fixed:";
    case ContentAddressMethod::nar: return "fixed:r:";
  }
  return "";
}

FileIngestionMethod toFileIngestionMethod(ContentAddressMethod m) {
  return m == ContentAddressMethod::nar ? FileIngestionMethod::recursive : FileIngestionMethod::flat;
}

ContentAddressMethod fromFileIngestionMethod(FileIngestionMethod m) {
  return m == FileIngestionMethod::recursive ? ContentAddressMethod::nar : ContentAddressMethod::flat;
}

ContentAddress ContentAddress::parse(std::string_view raw) {
  std::string rawS(raw);
  auto rest = raw;
  auto colon = rest.find(':');
  if (colon == std::string_view::npos)
    throw BadContentAddress("not a content address because it is not in the form '<prefix>:<rest>': " + rawS);
  auto prefix = rest.substr(0, colon);
  rest.remove_prefix(colon + 1);

  auto parseAlgo = [&]() {
    auto c = rest.find(':');
    if (c == std::string_view::npos)
      throw BadContentAddress("content address hash must be in form '<algo>:<hash>', but found: " + rawS);
    auto algo = parseHashAlgo(rest.substr(0, c));
    rest.remove_prefix(c + 1);
    return algo;
  };

  if (prefix == "text") {
    auto algo = parseAlgo();
    if (algo != HashAlgo::sha256)
      throw BadContentAddress("text content address hash should use sha256, but instead uses " +
                              std::string(printHashAlgo(algo)));
    return {ContentAddressMethod::text, Hash::parseNonSRIUnprefixed(rest, algo)};
  }
  if (prefix == "fixed") {
    auto method = ContentAddressMethod::flat;
    if (hasPrefix(rest, "r:")) {
      method = ContentAddressMethod::nar;
      rest.remove_prefix(2);
    }
    auto algo = parseAlgo();
    return {method, Hash::parseNonSRIUnprefixed(rest, algo)};
  }
  throw BadContentAddress("content address prefix '" + std::string(prefix) +
                          "' is unrecognized. Recogonized prefixes are 'text' or 'fixed'");
}

std::string ContentAddress::to_string() const {
  return printContentAddressMethodPrefix(method) + hash.to_string(HashFormat::nix32, true);
}

std::string ContentAddress::printMethodAlgo() const {
  std::string r;
  if (method == ContentAddressMethod::text) r = "text:";
  else if (method == ContentAddressMethod::nar) r = "r:";
  r += printHashAlgo(hash.algo());
  return r;
}

StorePath ContentAddress::storePath(const StoreDir& dir, std::string_view name,
                                    const StorePathSet& references, bool hasSelfReference) const {
  if (method == ContentAddressMethod::text) {
    if (hasSelfReference) throw BadStorePath("text path '" + std::string(name) + "' cannot refer to itself");
    return dir.makeTextPath(name, hash, references);
  }
  return dir.makeFixedOutputPath(toFileIngestionMethod(method), hash, name, references, hasSelfReference);
}

} // namespace nixpp
