// cli/main.cc: the multi-call binary. Dispatches on the name it was run as (argv[0]) and, for
// `nix`, on the subcommand; reports errors as Nix does ("error: ..." on stderr, non-zero exit).
#include <algorithm>
#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "util/error.h"
#include "util/version.h"

using namespace nixpp;

namespace {

struct Entry {
  std::string_view name;
  int (*run)(Strings);
  std::string_view summary;
};

// Programs answering to argv[0].
const Entry tools[] = {
    {"nix-hash", nixHashMain, "compute the cryptographic hash of a path"},
    {"nix-store", nixStoreMain, "manipulate or query the Nix store"},
    {"nix-instantiate", nixInstantiateMain, "parse (and later evaluate) Nix expressions"},
    {"nix-build", nixBuildMain, "build derivations from Nix expressions"},
    {"nix-env", nixEnvMain, "manipulate or query Nix user environments"},
    {"nix-collect-garbage", nixCollectGarbageMain, "delete unreachable store paths"},
    {"nix-channel", nixChannelMain, "manage Nix channels"},
    {"nix-shell", nixShellMain, "start an interactive shell based on a Nix expression"},
    {"nix-prefetch-url", nixPrefetchUrlMain, "download a file into the Nix store and print its hash"},
};

// `nix <subcommand>`.
const Entry subcommands[] = {
    {"hash", nixHashCommand, "compute and convert cryptographic hashes"},
    {"nar", nixNarCommand, "create or inspect NAR files"},
    {"path-info", nixPathInfoCommand, "query information about store paths"},
    {"store", nixStoreCommand, "manipulate a Nix store"},
    {"derivation", nixDerivationCommand, "work with derivations"},
    {"show-derivation", nixShowDerivationCommand, "show the contents of a store derivation"},
    {"config", nixConfigCommand, "show the Nix configuration"},
    {"show-config", nixShowConfigCommand, "show the Nix configuration"},
    {"eval", nixEvalCommand, "evaluate a Nix expression"},
    {"repl", nixReplCommand, "start an interactive environment for evaluating Nix expressions"},
    {"build", nixBuildCommand, "build a derivation or fetch a store path"},
    {"log", nixLogCommand, "show the build log of the specified packages or paths, if available"},
    {"shell", nixShellCommand, "run a shell in which the specified packages are available"},
    {"run", nixRunCommand, "run a Nix application"},
    {"develop", nixDevelopCommand, "run a bash shell that provides the build environment of a derivation"},
    {"profile", nixProfileCommand, "manage Nix profiles"},
};

void nixHelp() {
  std::cout << "Usage: nix [--help] [--version] <subcommand> [args...]\n\n"
               "nixpp's implementation of the nix command.\n\nSubcommands:\n";
  for (auto& e : subcommands) std::cout << "  " << e.name << "  " << e.summary << "\n";
  std::cout << "\nAlso available as: ";
  for (auto& e : tools) std::cout << e.name << " ";
  std::cout << "\n";
}

int nixMain(Strings args) {
  // Flags may come before the subcommand (`nix --store DIR path-info ...`, `nix
  // --extra-experimental-features nix-command hash ...`): the shared ones are skipped here, by
  // their arity, and handed to the subcommand together with its own arguments.
  ArgParser p("nix", std::move(args));
  CommonFlags common(Frontend::nixCommand);
  while (p.next()) {
    if (p.isFlag()) {
      if (p.arg() == "--help" || p.arg() == "-h") {
        nixHelp();
        return 0;
      }
      if (p.arg() == "--version") {
        printVersion("nix");
        return 0;
      }
      if (common.handle(p)) continue;
      p.unknownFlag();
    }
    const Strings& all = p.allArgs();
    size_t at = p.position();  // just past the subcommand
    // The subcommand's own arguments, then the global flags: after a sub-subcommand such as
    // `store add-file`, but before any "--".
    Strings rest(all.begin() + long(at), all.end());
    auto dashdash = std::find(rest.begin(), rest.end(), "--");
    rest.insert(dashdash, all.begin(), all.begin() + long(at) - 1);
    for (auto& e : subcommands) {
      if (p.arg() != e.name) continue;
      // --version is global: it works after any subcommand too, as in Nix.
      auto end = std::find(rest.begin(), rest.end(), "--");
      if (std::find(rest.begin(), end, "--version") != end) {
        printVersion("nix");
        return 0;
      }
      return e.run(std::move(rest));
    }
    throw UsageError("'" + p.arg() + "' is not a recognised command\nTry 'nix --help' for more information.");
  }
  throw UsageError("no subcommand specified\nTry 'nix --help' for more information.");
}

} // namespace

namespace nixpp {
void printVersion(const std::string& program) {
  std::cout << program << " (Nix) " << nixCompatVersion << " (nixpp " << nixppVersion << ")\n";
}
} // namespace nixpp

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::string_view self = argv[0];
  if (auto slash = self.rfind('/'); slash != std::string_view::npos) self = self.substr(slash + 1);
  Strings args(argv + 1, argv + argc);
  try {
    for (auto& e : tools)
      if (self == e.name) return e.run(std::move(args));
    return nixMain(std::move(args));
  } catch (Error& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << "\n";
    return e.exitStatus();
  } catch (std::bad_alloc&) {
    std::cerr << "error: out of memory\n";
    return 1;
  } catch (std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
