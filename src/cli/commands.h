// cli/commands.h: the entry points of nixpp's front-ends. The multi-call binary `nix` picks one
// by the name it was run as (argv[0]); `nix` itself dispatches on its first argument.
// Each entry point gets the arguments after the program name and returns the exit status;
// errors are thrown (nixpp::Error) and reported by main().
#pragma once

#include <string>
#include <vector>

namespace nixpp {

using Strings = std::vector<std::string>;

// Legacy tools, one per argv[0].
int nixHashMain(Strings args);   // cli/nix_hash.cc
int nixStoreMain(Strings args);  // cli/nix_store.cc
int nixInstantiateMain(Strings args);  // cli/nix_instantiate.cc
int nixBuildMain(Strings args);        // cli/nix_build.cc
int nixEnvMain(Strings args);          // cli/nix_env.cc
int nixCollectGarbageMain(Strings args);  // cli/gc_cli.cc
int nixChannelMain(Strings args);         // cli/nix_channel.cc
int nixShellMain(Strings args);           // cli/nix_shell.cc
int nixPrefetchUrlMain(Strings args);     // cli/nix_prefetch_url.cc

// `nix <subcommand>`: `program` is e.g. "nix hash", `args` what follows the subcommand.
int nixHashCommand(Strings args);  // cli/nix_hash.cc: nix hash file|path|convert|to-*
int nixNarCommand(Strings args);   // cli/nix_nar.cc:  nix nar ls|cat|dump-path
int nixPathInfoCommand(Strings args);  // cli/nix_path_info.cc: nix path-info
int nixStoreCommand(Strings args);     // cli/nix_store_cmd.cc: nix store cat|add-file|add-path|dump-path
int nixDerivationCommand(Strings args);      // cli/nix_derivation.cc: nix derivation show
int nixShowDerivationCommand(Strings args);  // cli/nix_derivation.cc: nix show-derivation (2.8)
int nixConfigCommand(Strings args);      // cli/nix_config.cc: nix config show [NAME]
int nixShowConfigCommand(Strings args);  // cli/nix_config.cc: nix show-config (Nix 2.8's name)
int nixEvalCommand(Strings args);        // cli/nix_eval.cc: nix eval --expr|--file [ATTRPATH]
int nixReplCommand(Strings args);        // cli/nix_repl.cc: nix repl
int nixBuildCommand(Strings args);       // cli/nix_build_cmd.cc: nix build
int nixLogCommand(Strings args);         // cli/nix_build_cmd.cc: nix log
int nixShellCommand(Strings args);       // cli/nix_shell_cmd.cc: nix shell
int nixRunCommand(Strings args);         // cli/nix_shell_cmd.cc: nix run
int nixDevelopCommand(Strings args);     // cli/nix_shell_cmd.cc: nix develop
int nixProfileCommand(Strings args);     // cli/nix_profile.cc: nix profile install|remove|upgrade|list|...

// Prints "<program> (Nix) <version>" as Nix does for --version.
void printVersion(const std::string& program);

} // namespace nixpp
