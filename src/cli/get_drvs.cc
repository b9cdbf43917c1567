#include "cli/get_drvs.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "expr/eval.h"

namespace nixpp {

std::optional<std::string> DrvInfo::stringAttr(const char* name, bool coerce) {
  if (!attrs_) return std::nullopt;
  auto* a = attrs_->get(state_->symbol(name));
  if (!a) return std::nullopt;
  std::string ctx = std::string("while evaluating the '") + name + "' attribute of a derivation";
  if (coerce) {
    NixStringContext context;
    return state_->coerceToString(a->pos, *a->value, context, ctx, false, false);
  }
  return std::string(state_->forceString(*a->value, a->pos, ctx));
}

const std::string& DrvInfo::queryName() {
  if (!name_) {
    name_ = stringAttr("name", false);
    if (!name_) throw TypeError("derivation name missing", Pos{});
  }
  return *name_;
}

const std::string& DrvInfo::querySystem() {
  if (!system_) system_ = attrs_ ? stringAttr("system", false).value_or("unknown") : "";
  return *system_;
}

const std::string& DrvInfo::queryDrvPath() {
  if (!drvPath_) drvPath_ = stringAttr("drvPath", true).value_or("");
  return *drvPath_;
}

const std::string& DrvInfo::queryOutPath() {
  if (!outPath_) {
    outPath_ = stringAttr("outPath", true);
    if (!outPath_) throw TypeError("derivation '" + queryName() + "' lacks an 'outPath' attribute", Pos{});
  }
  return *outPath_;
}

const std::string& DrvInfo::queryOutputName() {
  if (!outputName_) outputName_ = stringAttr("outputName", false).value_or("");
  return *outputName_;
}

DrvInfo::Outputs DrvInfo::queryOutputs(bool withPaths, bool onlyToInstall) {
  if (!outputs_ || (withPaths && std::any_of(outputs_->begin(), outputs_->end(), [](auto& o) { return !o.second; }))) {
    Outputs outs;
    const Attr* list = attrs_ ? attrs_->get(state_->s.outputs) : nullptr;
    if (list) {
      state_->forceList(*list->value, list->pos, "while evaluating the 'outputs' attribute of a derivation");
      for (size_t i = 0; i < list->value->listSize(); ++i) {
        std::string name(state_->forceStringNoCtx(*list->value->listElems()[i], list->pos,
                                                  "while evaluating the name of an output of a derivation"));
        if (!withPaths) {
          outs.emplace(name, std::nullopt);
          continue;
        }
        auto* out = attrs_->get(state_->symbol(name));
        if (!out) continue;
        Bindings* ob = state_->forceAttrs(*out->value, list->pos, "while evaluating an output of a derivation");
        auto* op = ob->get(state_->s.outPath);
        if (!op) continue;
        NixStringContext context;
        outs.emplace(name, state_->coerceToString(op->pos, *op->value, context,
                                                  "while evaluating the output path of a derivation", false, false));
      }
    } else {
      outs.emplace("out", withPaths ? std::optional<std::string>(queryOutPath()) : std::nullopt);
    }
    outputs_ = std::move(outs);
  }
  if (!onlyToInstall || !attrs_) return *outputs_;
  if (auto* spec = attrs_->get(state_->symbol("outputSpecified"));
      spec && state_->forceBool(*spec->value, spec->pos, "")) {
    auto it = outputs_->find(queryOutputName());
    if (it == outputs_->end()) throw Error("derivation does not have output '" + queryOutputName() + "'");
    return Outputs{*it};
  }
  Value* toInstall = queryMeta("outputsToInstall");
  if (!toInstall) return *outputs_;
  Error bad("this derivation has bad 'meta.outputsToInstall'");
  if (toInstall->type() != ValueType::List) throw bad;
  Outputs res;
  for (size_t i = 0; i < toInstall->listSize(); ++i) {
    Value* e = toInstall->listElems()[i];
    state_->forceValue(*e, noPos);
    if (e->type() != ValueType::String) throw bad;
    auto it = outputs_->find(std::string(e->string_view()));
    if (it == outputs_->end()) throw bad;
    res.insert(*it);
  }
  return res;
}

Bindings* DrvInfo::meta() {
  if (!metaRead_) {
    metaRead_ = true;
    if (attrs_)
      if (auto* m = attrs_->get(state_->symbol("meta")))
        meta_ = state_->forceAttrs(*m->value, m->pos, "while evaluating the 'meta' attribute of a derivation");
  }
  return meta_;
}

std::vector<std::string> DrvInfo::queryMetaNames() {
  std::vector<std::string> names;
  if (Bindings* m = meta())
    for (auto& a : *m) names.emplace_back(state_->name(a.name));
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// Nix 2.8's checkMeta: only integers, Booleans, strings and floats, in lists and sets at any
// depth; a derivation (a set with outPath) is invalid.
bool validMeta(EvalState& st, Value& v) {
  st.forceValue(v, noPos);
  switch (v.type()) {
    case ValueType::List:
      for (size_t i = 0; i < v.listSize(); ++i)
        if (!validMeta(st, *v.listElems()[i])) return false;
      return true;
    case ValueType::Attrs: {
      if (v.attrs()->get(st.s.outPath)) return false;
      for (auto& a : *v.attrs())
        if (!validMeta(st, *a.value)) return false;
      return true;
    }
    case ValueType::Int:
    case ValueType::Bool:
    case ValueType::String:
    case ValueType::Float:
      return true;
    default:  // functions, and (in Nix 2.8) null and paths
      return false;
  }
}

} // namespace

Value* DrvInfo::queryMeta(const std::string& name) {
  Bindings* m = meta();
  if (!m) return nullptr;
  auto* a = m->get(state_->symbol(name));
  if (!a || !validMeta(*state_, *a->value)) return nullptr;
  return a->value;
}

long DrvInfo::queryMetaInt(const std::string& name, long def) {
  Value* v = queryMeta(name);
  if (!v) return def;
  if (v->type() == ValueType::Int) return long(v->integer());
  if (v->type() == ValueType::String) {
    auto s = v->string_view();
    long n;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (!s.empty() && ec == std::errc() && p == s.data() + s.size()) return n;
  }
  return def;
}

std::string DrvInfo::queryMetaString(const std::string& name) {
  Value* v = queryMeta(name);
  if (!v || v->type() != ValueType::String) return "";
  return std::string(v->string_view());
}

void DrvInfo::setMeta(const std::string& name, const std::string& value) {
  Bindings* old = meta();
  Symbol sym = state_->symbol(name);
  Bindings* b = state_->allocBindings((old ? old->size : 0) + 1);
  if (old)
    for (auto& a : *old)
      if (a.name != sym) b->push(a.name, a.value, a.pos);
  Value* v = state_->allocValue();
  state_->mkString(*v, value);
  b->push(sym, v);
  b->sort();
  meta_ = b;
  metaRead_ = true;
}

namespace {

// Nix's get-drvs walk; `found` is called for each derivation (each attribute set once).
struct Walker {
  EvalState& st;
  Bindings* autoArgs;
  const DerivationFound& found;
  bool ignoreAssertionFailures;
  std::set<const Bindings*> done;

  static bool validAttrName(std::string_view n) {
    if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
    for (char c : n)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '+' || c == '\'')) return false;
    return true;
  }

  static std::string addToPath(const std::string& prefix, std::string_view name) {
    return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
  }

  // Nix's getDerivation: true if `v` is not a derivation (the caller may look inside it).
  bool getDerivation(Value& v, const std::string& attrPath) {
    try {
      st.forceValue(v, noPos);
      if (!st.isDerivation(v)) return true;
      if (done.insert(v.attrs()).second) found(v, attrPath);
      return false;
    } catch (AssertionError&) {
      if (ignoreAssertionFailures) return false;
      throw;
    }
  }

  void walk(Value& vIn, const std::string& prefix) {
    Value* v = st.allocValue();
    st.autoCallFunction(autoArgs, vIn, *v);
    if (!getDerivation(*v, prefix)) return;
    if (v->type() == ValueType::Attrs) {
      std::vector<const Attr*> sorted;
      for (auto& a : *v->attrs()) sorted.push_back(&a);
      std::sort(sorted.begin(), sorted.end(), [&](auto* x, auto* y) { return st.name(x->name) < st.name(y->name); });
      bool combine = v->attrs()->get(st.symbol("_combineChannels")) != nullptr;
      Symbol sRecurse = st.symbol("recurseForDerivations");
      for (auto* a : sorted) {
        std::string_view name = st.name(a->name);
        if (!validAttrName(name)) continue;
        std::string path2 = addToPath(prefix, name);
        if (combine) {
          walk(*a->value, path2);
        } else if (getDerivation(*a->value, path2) && a->value->type() == ValueType::Attrs) {
          auto* r = a->value->attrs()->get(sRecurse);
          if (r && st.forceBool(*r->value, r->pos, "")) walk(*a->value, path2);
        }
      }
    } else if (v->type() == ValueType::List) {
      for (size_t i = 0; i < v->listSize(); ++i) {
        std::string path2 = addToPath(prefix, std::to_string(i));
        if (getDerivation(*v->listElems()[i], path2)) walk(*v->listElems()[i], path2);
      }
    } else {
      throw TypeError("expression does not evaluate to a derivation (or a set or list of those)", Pos{});
    }
  }
};

} // namespace

void forEachDerivation(EvalState& state, Value& v, const std::string& pathPrefix, Bindings* autoArgs,
                       bool ignoreAssertionFailures, const DerivationFound& found) {
  Walker w{state, autoArgs, found, ignoreAssertionFailures, {}};
  w.walk(v, pathPrefix);
}

void getDerivations(EvalState& state, Value& v, const std::string& pathPrefix, Bindings* autoArgs, DrvInfos& out,
                    bool ignoreAssertionFailures) {
  forEachDerivation(state, v, pathPrefix, autoArgs, ignoreAssertionFailures, [&](Value& drv, const std::string& path) {
    DrvInfo d(state, path, drv.attrs());
    d.queryName();
    out.push_back(std::move(d));
  });
}

} // namespace nixpp
