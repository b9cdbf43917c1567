// expr/base_env.h: the names bound at the top level of every Nix expression (the builtins that
// are global, `builtins` itself, true/false/null and the `__`-prefixed builtins), so that parsing
// can reject undefined variables before any evaluation. The evaluator's builtins table must bind
// the same names (slot = position in globalNames()).
#pragma once

#include <string_view>
#include <vector>

#include "expr/ast.h"

namespace nixpp {

// The global names, in slot order.
const std::vector<std::string_view>& globalNames();

// A static environment binding globalNames() (slot i = globalNames()[i]).
StaticEnv makeBaseEnv(SymbolTable& symbols);

} // namespace nixpp
