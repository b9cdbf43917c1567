// cli/nix_path_info.cc: `nix path-info [-r] [-s] [-S] [--json] PATH...`, as Nix 2.8 prints it:
// text in references-first order, sizes as "\t%11d" columns after paths padded to one width;
// JSON as a list sorted by path with Nix's field order.
#include <cinttypes>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/store_cli.h"

namespace nixpp {

namespace {

uint64_t closureSize(Store& store, const StorePath& p) {
  uint64_t total = 0;
  for (auto& q : computeFSClosure(store, {p})) total += store.queryPathInfo(q).narSize;
  return total;
}

std::string column(uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "\t%11" PRIu64, n);
  return buf;
}

} // namespace

int nixPathInfoCommand(Strings args) {
  bool recursive = false, showSize = false, showClosureSize = false, json = false;
  Strings paths;
  CommonFlags common(Frontend::nixCommand);
  ArgParser p("nix path-info", std::move(args));
  while (p.next()) {
    const std::string& a = p.arg();
    if (!p.isFlag()) paths.push_back(a);
    else if (a == "-r" || a == "--recursive") recursive = true;
    else if (a == "-s" || a == "--size") showSize = true;
    else if (a == "-S" || a == "--closure-size") showClosureSize = true;
    else if (a == "--json") json = true;
    else if (a == "--help") {
      std::cout << "Usage: nix path-info [-r] [-s] [-S] [--json] PATH...\n";
      return 0;
    } else if (!common.handle(p)) p.unknownFlag();
  }
  StoreRef storeRef(common.load(SettingsHost::real(), std::cerr));
  Store& store = *storeRef;
  StorePathSet set;
  for (auto& a : paths) {
    StorePath sp = followLinksToStorePath(store, a);
    store.queryPathInfo(sp);  // "path '...' is not valid"
    set.insert(sp);
  }
  if (recursive) set = computeFSClosure(store, set);
  const StoreDir& dir = store.storeDir();

  if (json) {
    auto list = nlohmann::ordered_json::array();
    for (auto& sp : set) {
      auto info = store.queryPathInfo(sp);
      nlohmann::ordered_json j;
      j["path"] = dir.printPath(sp);
      j["narHash"] = info.narHash.to_string(HashFormat::sri, true);
      j["narSize"] = info.narSize;
      auto refs = nlohmann::ordered_json::array();
      for (auto& r : info.references) refs.push_back(dir.printPath(r));
      j["references"] = refs;
      if (info.ca) j["ca"] = info.ca->to_string();
      if (showClosureSize) j["closureSize"] = closureSize(store, sp);
      if (info.deriver) j["deriver"] = dir.printPath(*info.deriver);
      if (info.registrationTime) j["registrationTime"] = int64_t(info.registrationTime);
      if (info.ultimate) j["ultimate"] = true;
      if (!info.sigs.empty()) j["signatures"] = info.sigs;
      list.push_back(std::move(j));
    }
    std::cout << list.dump() << "\n";
    return 0;
  }
  size_t width = 0;
  for (auto& sp : set) width = std::max(width, dir.printPath(sp).size());
  for (auto& sp : referencesFirst(store, set)) {
    auto info = store.queryPathInfo(sp);
    std::string line = dir.printPath(sp);
    if (showSize || showClosureSize) line += std::string(width - line.size(), ' ');
    if (showSize) line += column(info.narSize);
    if (showClosureSize) line += column(closureSize(store, sp));
    std::cout << line << "\n";
  }
  return 0;
}

} // namespace nixpp
