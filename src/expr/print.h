// expr/print.h: values printed as Nix prints them (nix-instantiate --eval, nix eval, error
// messages), and as JSON and XML.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "expr/value.h"

namespace nixpp {

class EvalState;

struct PrintOptions {
  bool force = false;          // force thunks while printing (--strict); else show «thunk»
  bool derivationPaths = false;  // show derivations as «derivation /nix/store/...drv»
  bool location = true;        // XML: add positions
  size_t maxDepth = SIZE_MAX;
};

// Nix's textual form: `{ a = 1; b = [ 1 2 ]; }`, "strings", «lambda @ f:1:2», «repeated»...
std::string printValue(EvalState& state, Value& v, const PrintOptions& opts = {});
// The short form used in error messages ("expected a string but found an integer: 42"): no
// forcing, nested values abbreviated as Nix does.
std::string printValueForError(EvalState& state, Value& v);
// Appends a float as Nix prints it (like %g with up to 6 significant digits... see print.cc).
void printFloat(double f, std::string& out);
// `builtins.toJSON` / --json: forces `v` deeply; copies paths to the store (context collected).
std::string printValueAsJson(EvalState& state, Value& v, PosIdx pos, bool strict, std::set<std::string>& context,
                             bool copyToStore = true);
// --xml (builtins.toXML): forces `v` deeply.
std::string printValueAsXml(EvalState& state, Value& v, bool location, std::set<std::string>& context, PosIdx pos);

} // namespace nixpp
