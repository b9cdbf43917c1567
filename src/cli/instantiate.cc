#include "cli/instantiate.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <iterator>
#include <set>

#include "cli/get_drvs.h"
#include "expr/eval.h"
#include "expr/parser.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

void forEachEvalTarget(EvalState& state, const EvalTargets& t,
                       const std::function<void(Value& v, Bindings* autoArgs)>& f) {
  std::string cwd = currentDir();
  Bindings* args = makeAutoArgs(state, t.autoArgs, cwd);
  std::vector<Expr*> exprs;
  if (t.readStdin) {
    exprs.push_back(state.parseExprFromString(
        std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()), cwd,
        Origin::Kind::Stdin));
  } else if (t.fromExpr) {
    for (auto& e : t.files) exprs.push_back(state.parseExprFromString(e, cwd));
  } else {
    std::vector<std::string> files = t.files.empty() ? std::vector<std::string>{"./default.nix"} : t.files;
    for (auto& f : files) {
      std::string path = f;
      if (f.starts_with("<") && f.ends_with(">")) path = state.findFile(f.substr(1, f.size() - 2), noPos);
      else path = canonPath(f.starts_with("/") ? f : cwd + "/" + f);
      exprs.push_back(state.parseExprFromFile(path));
    }
  }
  std::vector<std::string> paths = t.attrPaths.empty() ? std::vector<std::string>{""} : t.attrPaths;
  for (Expr* e : exprs) {
    Value vRoot;
    state.eval(e, vRoot);
    for (auto& ap : paths) f(findAlongAttrPath(state, ap, args, vRoot), args);
  }
}

std::vector<FoundDerivation> getDerivations(EvalState& st, Value& v, Bindings* autoArgs) {
  std::vector<Value*, traceable_allocator<Value*>> drvs;  // auto-call results live only here
  forEachDerivation(st, v, "", autoArgs, false, [&](Value& d, const std::string&) { drvs.push_back(&d); });
  std::vector<FoundDerivation> res;
  for (Value* d : drvs) {
    Bindings* b = d->attrs();
    auto* dp = b->get(st.s.drvPath);
    if (!dp) throw Error("derivation does not contain a 'drvPath' attribute");
    std::string drvPath(st.forceString(*dp->value, dp->pos, "while evaluating the 'drvPath' attribute of a derivation"));
    std::string outputName;
    if (auto* o = b->get(st.symbol("outputName")))
      outputName = st.forceString(*o->value, o->pos, "while evaluating the output name of a derivation");
    if (outputName.empty()) throw Error("derivation '" + drvPath + "' lacks an 'outputName' attribute");
    res.push_back({std::move(drvPath), std::move(outputName)});
  }
  return res;
}

void instantiateValue(EvalState& st, Value& v, Bindings* autoArgs, const InstantiateOptions& opts, int& rootNr,
                      bool& warned, std::ostream& out) {
  auto drvs = getDerivations(st, v, autoArgs);
  if (opts.flushStore) opts.flushStore();
  for (auto& [drvPath, outputName] : drvs) {
    std::string shown = drvPath;
    if (opts.gcRoot.empty()) {
      if (!warned)
        std::cerr << "warning: you did not specify '--add-root'; the result might be removed by the garbage collector\n";
      warned = true;
    } else {
      std::string rootName = opts.gcRoot;
      if (++rootNr > 1) rootName += "-" + std::to_string(rootNr);
      if (opts.addRoot) shown = opts.addRoot(drvPath, rootName);
    }
    out << shown << (outputName != "out" ? "!" + outputName : "") << "\n";
  }
}

} // namespace nixpp
