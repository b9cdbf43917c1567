// expr/builtins/registry.cc: the list of builtin themes. Adding a theme = one line here.
#include "expr/builtins.h"

namespace nixpp {

void registerAllBuiltins(BuiltinTable& t) {
  registerCoreBuiltins(t);
  registerAttrBuiltins(t);
  registerListBuiltins(t);
  registerDerivationBuiltins(t);
  registerFileBuiltins(t);
  registerStringBuiltins(t);
  registerVersionBuiltins(t);
  registerContextBuiltins(t);
  registerJsonBuiltins(t);
  registerTomlBuiltins(t);
  registerXmlBuiltins(t);
  registerHashBuiltins(t);
  registerSortBuiltins(t);
  registerFetchBuiltins(t);
  registerFlakeRefBuiltins(t);
}

} // namespace nixpp
