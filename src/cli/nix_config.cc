// cli/nix_config.cc: `nix config show [NAME]` and its Nix 2.8 name `nix show-config`: print the
// settings in effect, "name = value" sorted by name, as Nix does.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "util/strings.h"

namespace nixpp {

namespace {

int showConfig(const std::string& program, Strings args) {
  ArgParser p(program, std::move(args));
  CommonFlags common(Frontend::nixCommand);
  std::vector<std::string> names;
  while (p.next()) {
    if (!p.isFlag()) {
      names.push_back(p.arg());
    } else if (p.arg() == "--help") {
      std::cout << "Usage: " << program << " [option...] [NAME]\n\n"
                << "Show the Nix configuration, or the value of one setting.\n";
      return 0;
    } else if (!common.handle(p)) {
      p.unknownFlag();
    }
  }
  // Nix 2.8's `nix show-config` takes no arguments; `nix config show` takes at most one name.
  if (names.size() > (program == "nix show-config" ? 0u : 1u))
    p.fail("unexpected argument " + quoted(names.back()));
  Settings settings = common.load(SettingsHost::real(), std::cerr);
  if (!names.empty()) {
    auto v = settings.get(names[0]);
    if (!v) throw Error("could not find setting " + quoted(names[0]));
    std::cout << *v << "\n";
    return 0;
  }
  for (auto& [name, value] : settings.all()) std::cout << name << " = " << value << "\n";
  std::cout << "\n";  // Nix 2.8 ends the listing with a blank line
  return 0;
}

} // namespace

int nixShowConfigCommand(Strings args) { return showConfig("nix show-config", std::move(args)); }

int nixConfigCommand(Strings args) {
  if (args.empty()) throw UsageError("'nix config' requires a sub-command.\nTry 'nix config --help' for more information.");
  std::string sub = args[0];
  args.erase(args.begin());
  if (sub == "show") return showConfig("nix config show", std::move(args));
  if (sub == "--help") {
    std::cout << "Usage: nix config show [NAME]\n";
    return 0;
  }
  throw UsageError("'" + sub + "' is not a recognised command\nTry 'nix config --help' for more information.");
}

} // namespace nixpp
