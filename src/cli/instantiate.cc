#include "cli/instantiate.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <iterator>
#include <set>

#include "expr/eval.h"
#include "expr/parser.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

struct Collector {
  EvalState& st;
  Bindings* autoArgs;
  std::set<const Bindings*> done;
  std::vector<Value*> drvs;

  // Nix's getDerivation: true if `v` is NOT a derivation (the caller may look inside it).
  bool addIfDerivation(Value& v) {
    st.forceValue(v, noPos);
    if (!st.isDerivation(v)) return true;
    if (done.insert(v.attrs()).second) drvs.push_back(&v);
    return false;
  }

  static bool validAttrName(std::string_view n) {
    if (n.empty() || !(isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
    for (char c : n)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '+' || c == '\'')) return false;
    return true;
  }

  void collect(Value& vIn) {
    Value* v = st.allocValue();
    st.autoCallFunction(autoArgs, vIn, *v);
    if (!addIfDerivation(*v)) return;
    if (v->type() == ValueType::Attrs) {
      std::vector<const Attr*> sorted;
      for (auto& a : *v->attrs()) sorted.push_back(&a);
      std::sort(sorted.begin(), sorted.end(), [&](auto* x, auto* y) { return st.name(x->name) < st.name(y->name); });
      bool combine = v->attrs()->get(st.symbol("_combineChannels")) != nullptr;
      Symbol sRecurse = st.symbol("recurseForDerivations");
      for (auto* a : sorted) {
        if (!validAttrName(st.name(a->name))) continue;
        if (combine) collect(*a->value);
        else if (addIfDerivation(*a->value) && a->value->type() == ValueType::Attrs) {
          auto* r = a->value->attrs()->get(sRecurse);
          if (r && st.forceBool(*r->value, r->pos, "")) collect(*a->value);
        }
      }
    } else if (v->type() == ValueType::List) {
      for (size_t i = 0; i < v->listSize(); ++i)
        if (addIfDerivation(*v->listElems()[i])) collect(*v->listElems()[i]);
    } else {
      throw TypeError("expression does not evaluate to a derivation (or a set or list of those)", Pos{});
    }
  }
};

} // namespace

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
  Collector c{st, autoArgs, {}, {}};
  c.collect(v);
  std::vector<FoundDerivation> res;
  for (Value* d : c.drvs) {
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
  for (auto& [drvPath, outputName] : getDerivations(st, v, autoArgs)) {
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
