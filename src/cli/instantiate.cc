#include "cli/instantiate.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <set>

#include "expr/eval.h"
#include "expr/parser.h"
#include "format/hash.h"
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

void instantiateValue(EvalState& st, Value& v, Bindings* autoArgs, const InstantiateOptions& opts, int& rootNr,
                      bool& warned, std::ostream& out) {
  Collector c{st, autoArgs, {}, {}};
  c.collect(v);
  for (Value* d : c.drvs) {
    Bindings* b = d->attrs();
    auto* dp = b->get(st.s.drvPath);
    if (!dp) throw Error("derivation does not contain a 'drvPath' attribute");
    std::string drvPath(st.forceString(*dp->value, dp->pos, "while evaluating the 'drvPath' attribute of a derivation"));
    std::string outputName;
    if (auto* o = b->get(st.symbol("outputName")))
      outputName = st.forceString(*o->value, o->pos, "while evaluating the output name of a derivation");
    if (outputName.empty()) throw Error("derivation '" + drvPath + "' lacks an 'outputName' attribute");
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

std::string addPermRoot(const std::string& stateDir, const std::string& target, const std::string& rootName) {
  std::string root = rootName;
  if (!root.starts_with("/")) root = currentDir() + "/" + root;
  root = canonPath(root);
  auto replaceLink = [](const std::string& to, const std::string& link) {
    std::string tmp = link + ".tmp-" + std::to_string(getpid());
    unlink(tmp.c_str());
    if (symlink(to.c_str(), tmp.c_str()) != 0) throw SysError(errno, "creating symlink '" + link + "'");
    if (rename(tmp.c_str(), link.c_str()) != 0) {
      int err = errno;
      unlink(tmp.c_str());
      throw SysError(err, "renaming '" + tmp + "' to '" + link + "'");
    }
  };
  replaceLink(target, root);
  std::string autoDir = stateDir + "/gcroots/auto";
  for (std::string d : {stateDir + "/gcroots", autoDir})
    if (mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) throw SysError(errno, "creating directory '" + d + "'");
  replaceLink(root, autoDir + "/" + hashString(HashAlgo::sha1, root).to_string(HashFormat::nix32, false));
  return root;
}

} // namespace nixpp
