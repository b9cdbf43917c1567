#include "format/profile_manifest.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace nixpp {

ProfileManifest parseProfileManifest(std::string_view text, std::string_view what) {
  using nlohmann::json;
  auto bad = [&](const std::string& why) {
    return Error("error parsing profile manifest '" + std::string(what) + "': " + why);
  };
  json j;
  try {
    j = json::parse(text);
  } catch (json::exception& e) {
    throw bad(e.what());
  }
  if (!j.is_object()) throw bad("not a JSON object");
  long version = 0;
  if (auto v = j.find("version"); v != j.end()) {
    if (!v->is_number_integer()) throw bad("'version' is not an integer");
    version = v->get<long>();
  }
  if (version != 1 && version != 2)
    throw Error("profile manifest '" + std::string(what) + "' has unsupported version " + std::to_string(version));
  const char* sUrl = version == 1 ? "uri" : "url";
  const char* sOriginalUrl = version == 1 ? "originalUri" : "originalUrl";

  ProfileManifest m;
  auto elems = j.find("elements");
  if (elems == j.end()) return m;
  if (!elems->is_array()) throw bad("'elements' is not a list");
  try {
    for (auto& e : *elems) {
      if (!e.is_object()) throw bad("an element is not an object");
      ProfileElement el;
      for (auto& p : e.at("storePaths")) el.storePaths.push_back(p.get<std::string>());
      el.active = e.at("active").get<bool>();
      std::string url = e.contains(sUrl) ? e[sUrl].get<std::string>() : "";
      if (!url.empty())
        el.source = ProfileElementSource{e.at(sOriginalUrl).get<std::string>(), url, e.at("attrPath").get<std::string>()};
      std::sort(el.storePaths.begin(), el.storePaths.end());
      el.storePaths.erase(std::unique(el.storePaths.begin(), el.storePaths.end()), el.storePaths.end());
      m.elements.push_back(std::move(el));
    }
  } catch (json::exception& e) {
    throw bad(e.what());
  }
  return m;
}

std::string unparseProfileManifest(const ProfileManifest& manifest) {
  using nlohmann::json;
  json elems = json::array();
  for (auto& el : manifest.elements) {
    json o = json::object();
    std::vector<std::string> paths = el.storePaths;
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    o["storePaths"] = paths;
    o["active"] = el.active;
    if (el.source) {
      o["originalUrl"] = el.source->originalUrl;
      o["url"] = el.source->url;
      o["attrPath"] = el.source->attrPath;
    }
    elems.push_back(std::move(o));
  }
  json j = json::object();
  j["version"] = 2;
  j["elements"] = std::move(elems);
  return j.dump();
}

} // namespace nixpp
