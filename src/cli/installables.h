// cli/installables.h: the installables of the new CLI (`nix build`, `nix log`, `nix profile
// install`), for what nixpp supports instead of flakes: attribute paths in --file FILE / --expr
// EXPR, and store paths (`/nix/store/...drv` = all its outputs, `...drv^out,dev`, an output
// path, ./result). A flake reference ("nixpkgs#hello", "hello") gets Nix 2.8's error when the
// `flakes` experimental feature is off, and a "not supported by nixpp" error otherwise.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/eval_cli.h"
#include "format/store_path.h"

namespace nixpp {

// The installables and the evaluation flags that go with them.
struct InstallableArgs {
  std::optional<std::string> expr, file;
  std::vector<std::string> installables, includes;
  std::vector<AutoArg> autoArgs;
  bool impure = false, showTrace = false;

  // Consumes the flag at `p` if it is one of these (--expr, -f/--file, --impure, --show-trace,
  // -I, --arg, --argstr, and the flake flags that mean nothing here).
  bool handle(ArgParser& p);
};

// What one installable stands for.
struct Target {
  std::optional<StorePath> drvPath;        // a derivation (with `outputs`), or
  std::optional<StorePath> path;           // an opaque store path
  std::optional<std::set<std::string>> outputs;  // nullopt: all outputs
};

// Resolves the installables into `out` (evaluating in a new `session` when --file/--expr is
// given; the session is made in any case). Returns false (after printing the error as Nix does)
// on an evaluation error. Throws UsageError, Error (flake references), BadStorePath.
bool resolveInstallables(const InstallableArgs& ia, ArgParser& ap, Settings& settings,
                         std::unique_ptr<EvalSession>& session, std::vector<Target>& out);

} // namespace nixpp
