// cli/nix_shell.h: the shell environment of a derivation, shared by nix-shell and nix develop
// (cli/nix_shell.cc), and exec with an explicit environment (nix shell, nix run).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/settings.h"

namespace nixpp {

class LocalStore;

struct ShellOptions {
  const Settings& settings;
  LocalStore* store = nullptr;
  std::string drvPath;      // the derivation whose environment to enter (printed path)
  std::string shell = "bash";
  std::string program = "nix-shell";  // names the temp dir
  bool pure = false;
  bool interactive = true;
  std::string envCommand;   // appended to the rcfile (e.g. "CMD\nexit")
  std::vector<std::string> keep, exclude;
};

// Builds the inputs of o.drvPath and execs bash in its environment, as nix-shell does. Does not
// return; throws Error (build failures, exec failure).
[[noreturn]] void runShellEnvironment(ShellOptions& o);

// The current process environment.
std::map<std::string, std::string> currentEnvironment();

// Execs `program` (searched in PATH of the current environment) with `args` (args[0] included)
// and environment `env`. Throws SysError if the exec fails.
[[noreturn]] void execWithEnv(const std::string& program, const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env);

} // namespace nixpp
