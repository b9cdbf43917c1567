// expr/builtins/versions.cc: package names and versions as Nix compares them:
// compareVersions, splitVersion, parseDrvName.
#include <cctype>
#include <charconv>
#include <optional>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/names.h"

namespace nixpp {

namespace {

void primCompareVersions(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view a = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.compareVersions");
  std::string_view b = st.forceStringNoCtx(*args[1], pos, "while evaluating the second argument passed to builtins.compareVersions");
  v.mkInt(compareVersions(a, b));
}

void primSplitVersion(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view s = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.splitVersion");
  std::vector<std::string_view> parts;
  for (size_t p = 0; p < s.size();) {
    auto c = nextVersionComponent(s, p);
    if (c.empty()) break;
    parts.push_back(c);
  }
  st.mkList(v, parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    Value* e = st.allocValue();
    st.mkString(*e, parts[i]);
    v.listElems()[i] = e;
  }
}

void primParseDrvName(EvalState& st, PosIdx pos, Value** args, Value& v) {
  DrvName parsed(st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.parseDrvName"));
  std::string_view name = parsed.name, version = parsed.version;
  Bindings* b = st.allocBindings(2);
  Value* vn = st.allocValue();
  st.mkString(*vn, name);
  Value* vv = st.allocValue();
  st.mkString(*vv, version);
  b->push(st.s.name, vn);
  b->push(st.symbol("version"), vv);
  b->sort();
  v.mkAttrs(b);
}

} // namespace

void registerVersionBuiltins(BuiltinTable& t) {
  t.add("compareVersions", 2, primCompareVersions);
  t.add("splitVersion", 1, primSplitVersion);
  t.add("parseDrvName", 1, primParseDrvName);
}

} // namespace nixpp
