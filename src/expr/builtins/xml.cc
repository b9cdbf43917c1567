// expr/builtins/xml.cc: builtins.toXML, over the XML printer of expr/print.h (shared with
// nix-instantiate --xml). The result keeps the context of the strings inside.
#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/print.h"

namespace nixpp {

namespace {

void primToXML(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string xml = printValueAsXml(st, *args[0], false, ctx, pos);
  st.mkString(v, xml, ctx);
}

} // namespace

void registerXmlBuiltins(BuiltinTable& t) { t.add("toXML", 1, primToXML); }

} // namespace nixpp
