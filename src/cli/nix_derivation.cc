// cli/nix_derivation.cc: `nix derivation show [--recursive] DRV...` and its Nix 2.8 name
// `nix show-derivation`: prints .drv files as the JSON of Nix 2.8.
//
// The .drv files are read straight from the file system: each argument is a file whose base name
// must be a .drv store path name ("<hash>-<name>.drv"); it is shown under "<store dir>/<base
// name>", the store dir of the settings (NIX_STORE_DIR, store-dir). With --recursive, an input
// derivation is read from the directory of the derivation that uses it if it is there, else from
// its store path.
#include <iostream>
#include <map>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "format/derivation.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

struct DrvFile {
  StorePath path;
  std::string file;  // where it is read from
};

std::string dirOf(const std::string& file) {
  auto slash = file.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : file.substr(0, slash);
}

// The .drv named by a command-line argument.
DrvFile drvFromArg(const std::string& arg) {
  std::string base = arg;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (auto slash = base.rfind('/'); slash != std::string::npos) base = base.substr(slash + 1);
  auto path = StorePath::parse(base);
  if (!path.isDerivation()) throw UsageError("'" + arg + "' is not a derivation (.drv) file");
  return {path, arg};
}

Derivation readDrv(const StoreDir& storeDir, const DrvFile& f) {
  std::string text = readFile(f.file);
  try {
    return parseDerivation(text, storeDir, derivationNameOf(f.path));
  } catch (FormatError& e) {
    throw Error("error parsing derivation '" + storeDir.printPath(f.path) + "': " + e.what());
  }
}

int show(const std::string& program, Strings args) {
  bool recursive = false;
  Strings paths;
  CommonFlags common(Frontend::nixCommand);
  ArgParser p(program, std::move(args));
  while (p.next()) {
    if (!p.isFlag()) {
      paths.push_back(p.arg());
    } else if (p.arg() == "--recursive" || p.arg() == "-r") {
      recursive = true;
    } else if (p.arg() == "--help") {
      std::cout << "Usage: " << program << " [--recursive] DRV...\n\n"
                   "Show the contents of store derivations (.drv files) as JSON.\n\n"
                   "  -r, --recursive  include the dependencies of the specified derivations\n";
      return 0;
    } else if (!common.handle(p)) {
      p.unknownFlag();
    }
  }
  if (paths.empty()) p.fail("more arguments are required");

  StoreDir storeDir(common.load(SettingsHost::real(), std::cerr).storeDir);
  std::map<StorePath, Derivation> drvs;
  std::vector<DrvFile> todo;
  for (auto& a : paths) todo.push_back(drvFromArg(a));
  while (!todo.empty()) {
    auto f = std::move(todo.back());
    todo.pop_back();
    if (drvs.count(f.path)) continue;
    auto drv = readDrv(storeDir, f);
    if (recursive)
      for (auto& [input, _] : drv.inputDrvs) {
        std::string beside = dirOf(f.file) + "/" + input.to_string();
        todo.push_back({input, pathExists(beside) ? beside : storeDir.printPath(input)});
      }
    drvs.emplace(f.path, std::move(drv));
  }
  std::cout << derivationsToJson(drvs, storeDir);
  return 0;
}

} // namespace

int nixDerivationCommand(Strings args) {
  auto usage = [](const std::string& msg) -> int {
    throw UsageError(msg + "\nTry 'nix --help' for more information.");
  };
  if (args.empty()) return usage("'nix derivation' requires a sub-command.");
  if (args[0] == "--help") {
    std::cout << "Usage: nix derivation COMMAND [ARGS...]\n\nWork with derivations.\n\nCommands:\n"
                 "  show  show the contents of a store derivation\n";
    return 0;
  }
  if (args[0] == "show") return show("nix derivation show", Strings(args.begin() + 1, args.end()));
  if (!args[0].empty() && args[0][0] == '-') return usage("unrecognised flag '" + args[0] + "'");
  return usage("'" + args[0] + "' is not a recognised command");
}

int nixShowDerivationCommand(Strings args) { return show("nix show-derivation", std::move(args)); }

} // namespace nixpp
