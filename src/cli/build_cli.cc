#include "cli/build_cli.h"

#include "cli/store_cli.h"
#include "format/derivation.h"
#include "store/build/build_log.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

LocalStore& requireLocalStore(Store& store, const std::string& what) {
  auto* local = dynamic_cast<LocalStore*>(&store);
  if (!local) throw Error(what + " is only supported on local stores");
  return *local;
}

std::map<std::string, StorePath> derivationOutputPaths(LocalStore& store, const StorePath& drvPath) {
  const StoreDir& dir = store.storeDir();
  if (!store.isValidPath(drvPath)) throw InvalidPath("path '" + dir.printPath(drvPath) + "' is not valid");
  auto drv = parseDerivation(readFile(store.realPath(drvPath)), dir, derivationNameOf(drvPath));
  std::map<std::string, StorePath> res;
  for (auto& [name, out] : drv.outputsAndOptPaths(dir))
    if (out) res.emplace(name, *out);
  return res;
}

std::optional<std::string> findBuildLog(LocalStore& store, const StorePath& path) {
  if (path.isDerivation()) return readBuildLog(store.config().logDir, path);
  if (auto info = store.queryPathInfoOpt(path); info && info->deriver)
    return readBuildLog(store.config().logDir, *info->deriver);
  return std::nullopt;
}

PathInstallable parsePathInstallable(Store& store, const std::string& arg) {
  std::string p = arg;
  std::optional<std::set<std::string>> outputs;
  auto sep = arg.find_last_of("^!");
  if (sep != std::string::npos && arg.substr(0, sep).ends_with(".drv")) {
    p = arg.substr(0, sep);
    outputs.emplace();
    for (auto& o : splitString(arg.substr(sep + 1), ',')) outputs->insert(o);
  }
  PathInstallable res{followLinksToStorePath(store, p), outputs};
  if (res.outputs && res.outputs->count("*")) res.outputs.reset();
  return res;
}

} // namespace nixpp
