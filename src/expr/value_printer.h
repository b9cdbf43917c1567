// expr/value_printer.h: the printer of current Nix's `nix eval` and `nix repl` (Nix's
// ValuePrinter): forces as it goes, shows derivations as «derivation /nix/store/...drv»,
// functions as «lambda f @ file:1:2» / «primop map», repeated sets as «repeated», and, with a
// pretty indent (the repl), sets and lists of more than one item on several lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nixpp {

class EvalState;
struct Value;

struct ValuePrinterOptions {
  bool force = true;              // force thunks while printing
  bool derivationPaths = true;    // derivations as «derivation <drvPath>»
  size_t maxDepth = SIZE_MAX;     // deeper sets/lists print as { ... } / [ ... ]
  size_t prettyIndent = 0;        // 0: one line (nix eval); 2: the repl's layout
  bool errorsAtTopLevelOnly = false;  // nested evaluation errors print as «error: msg» (repl)
};

// Prints `v` as Nix does. Throws EvalError for an error while forcing (only at the top level
// when errorsAtTopLevelOnly).
std::string printValueAsNix(EvalState& state, Value& v, const ValuePrinterOptions& opts);

} // namespace nixpp
