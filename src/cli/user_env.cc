#include "cli/user_env.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "expr/eval.h"
#include "expr/print.h"
#include "format/derivation.h"
#include "store/build/build.h"
#include "store/local_store.h"
#include "store/profiles.h"
#include "store/settings.h"
#include "store/store_db.h"
#include "store/temp_roots.h"
#include "sys/file.h"

namespace nixpp {

namespace {

// Nix's Value::print with repeated values shown in full (as the manifest is written).
void printManifestValue(EvalState& st, Value& v, std::string& out) {
  st.forceValue(v, noPos);
  if (v.type() == ValueType::Attrs) {
    std::vector<const Attr*> sorted;
    for (auto& a : *v.attrs()) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(), [&](auto* x, auto* y) { return st.name(x->name) < st.name(y->name); });
    out += "{ ";
    for (auto* a : sorted) {
      out += st.name(a->name);
      out += " = ";
      printManifestValue(st, *a->value, out);
      out += "; ";
    }
    out += "}";
  } else if (v.type() == ValueType::List) {
    out += "[ ";
    for (size_t i = 0; i < v.listSize(); ++i) {
      printManifestValue(st, *v.listElems()[i], out);
      out += " ";
    }
    out += "]";
  } else {
    PrintOptions opts;
    opts.force = true;
    out += printValue(st, v, opts);
  }
}

Value* mkStr(EvalState& st, std::string_view s) {
  Value* v = st.allocValue();
  st.mkString(*v, s);
  return v;
}

// toString as the derivation primop applies it to `meta.active or "true"` and
// `meta.priority or 5`.
std::string envString(EvalState& st, Value* v, const std::string& def) {
  if (!v) return def;
  st.forceValue(*v, noPos);
  switch (v->type()) {
    case ValueType::String: return std::string(v->string_view());
    case ValueType::Bool: return v->boolean() ? "1" : "";
    case ValueType::Int: return std::to_string(v->integer());
    case ValueType::Null: return "";
    default: {
      NixStringContext context;
      return st.coerceToString(noPos, *v, context, "", true, false);
    }
  }
}

// The derivations that must be built for the outputs of `drvs` to be valid, sorted by path as
// Nix 2.8 lists them.
std::vector<StorePath> missingDerivations(LocalStore& store, const std::vector<StorePath>& drvs) {
  const StoreDir& dir = store.storeDir();
  StorePathSet seen, result;
  std::vector<StorePath> todo(drvs.begin(), drvs.end());
  while (!todo.empty()) {
    StorePath p = todo.back();
    todo.pop_back();
    if (!seen.insert(p).second) continue;
    if (!store.isValidPath(p)) continue;  // the build will say so
    Derivation d = parseDerivation(readFile(store.realPath(p)), dir, derivationNameOf(p));
    bool valid = true;
    for (auto& [_, out] : d.outputsAndOptPaths(dir))
      if (!out || !store.isValidPath(*out)) valid = false;
    if (valid) continue;
    result.insert(p);
    for (auto& [in, _] : d.inputDrvs) todo.push_back(in);
  }
  return {result.begin(), result.end()};
}

// The store path that `profile` (a chain of links: profile -> profile-N-link -> store path)
// points at, if any.
std::optional<StorePath> profileTarget(const StoreDir& dir, std::string path) {
  for (int hops = 0; hops < 8; ++hops) {
    char buf[4096];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n <= 0 || size_t(n) == sizeof buf) return std::nullopt;
    std::string target(buf, size_t(n));
    if (target[0] != '/') {
      auto slash = path.rfind('/');
      target = (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/" + target;
    }
    if (auto p = dir.parsePathOpt(target)) return p;
    path = std::move(target);
  }
  return std::nullopt;
}

} // namespace

DrvInfos queryInstalled(EvalState& state, const std::string& userEnv) {
  DrvInfos elems;
  if (pathExists(userEnv + "/manifest.json"))
    throw Error("profile '" + userEnv + "' is incompatible with 'nix-env'; please use 'nix profile' instead");
  std::string manifest = userEnv + "/manifest.nix";
  if (!pathExists(manifest)) return elems;
  // The evaluator caches files by path: read the manifest by its store path, so that a profile
  // that changed since (nix-env restarting after a concurrent change) is read afresh.
  char* real = ::realpath(manifest.c_str(), nullptr);
  if (real) {
    manifest = real;
    ::free(real);
  }
  Value v;
  state.evalFile(manifest, v);
  getDerivations(state, v, "", state.allocBindings(0), elems, false);
  return elems;
}

void printMissingElems(LocalStore& store, DrvInfos& elems, std::ostream& log) {
  std::vector<StorePath> drvs;
  const StoreDir& dir = store.storeDir();
  for (auto& e : elems)
    if (!e.queryDrvPath().empty()) drvs.push_back(dir.parsePath(e.queryDrvPath()));
  auto missing = missingDerivations(store, drvs);
  if (missing.empty()) return;
  if (missing.size() == 1) log << "this derivation will be built:\n";
  else log << "these " << missing.size() << " derivations will be built:\n";
  for (auto& p : missing) log << "  " << dir.printPath(p) << "\n";
}

bool createUserEnv(EvalState& st, LocalStore& store, const Settings& settings, DrvInfos& elems,
                   const std::string& profile, bool keepDerivations, const std::string& lockToken) {
  const StoreDir& dir = store.storeDir();
  std::vector<StorePath> drvs;
  for (auto& e : elems)
    if (!e.queryDrvPath().empty()) drvs.push_back(dir.parsePath(e.queryDrvPath()));
  if (!drvs.empty()) buildDerivations(store, settings, drvs);

  // The manifest, and the `derivations` attribute of the builder: per element its active flag,
  // priority, number of outputs and output paths.
  // As Nix: every element's outputs held by temporary roots (until the new generation links to
  // the environment) before they are checked, in one write.
  std::set<std::string> invalidOutputs;
  {
    std::vector<std::string> outPaths;
    for (auto& e : elems)
      for (auto& [_, path] : e.queryOutputs(true, true))
        if (path) outPaths.push_back(*path);
    store.tempRoots().add(outPaths);
    // Their validity, in one read transaction (one lock of the WAL index, not one per path;
    // nothing is evaluated meanwhile, which could write to the store).
    SqliteReadTxn txn(store.db().sqlite());
    for (auto& p : outPaths)
      if (auto sp = dir.parsePathOpt(p); sp && !store.isValidPath(*sp)) invalidOutputs.insert(p);
  }
  StorePathSet references;
  std::string manifest = "[ ";
  std::string derivations;
  for (auto& e : elems) {
    std::string drvPath = keepDerivations ? e.queryDrvPath() : "";
    auto outputs = e.queryOutputs(true, true);
    size_t n = 5 + outputs.size() + (drvPath.empty() ? 0 : 1) + 1;
    Bindings* b = st.allocBindings(n);
    b->push(st.s.type, mkStr(st, "derivation"));
    b->push(st.s.name, mkStr(st, e.queryName()));
    const std::string& system = e.querySystem();
    if (!system.empty()) b->push(st.symbol("system"), mkStr(st, system));
    b->push(st.s.outPath, mkStr(st, e.queryOutPath()));
    if (!drvPath.empty()) {
      b->push(st.s.drvPath, mkStr(st, drvPath));
      references.insert(dir.parsePath(drvPath));
    }
    Value* vOutputs = st.allocValue();
    st.mkList(*vOutputs, outputs.size());
    size_t i = 0;
    std::string outPaths;
    for (auto& [name, path] : outputs) {
      if (!path) throw Error("output '" + name + "' of '" + e.queryName() + "' has no path");
      vOutputs->listElems()[i++] = mkStr(st, name);
      Bindings* ob = st.allocBindings(1);
      ob->push(st.s.outPath, mkStr(st, *path));
      Value* vo = st.allocValue();
      vo->mkAttrs(ob);
      b->push(st.symbol(name), vo);
      StorePath sp = dir.parsePath(*path);
      if (invalidOutputs.count(*path)) throw InvalidPath("path '" + *path + "' is not valid");
      references.insert(sp);
      outPaths += " " + *path;
    }
    b->push(st.s.outputs, vOutputs);
    auto metaNames = e.queryMetaNames();
    Bindings* mb = st.allocBindings(metaNames.size());
    for (auto& m : metaNames)
      if (Value* mv = e.queryMeta(m)) mb->push(st.symbol(m), mv);
    mb->sort();
    Value* vMeta = st.allocValue();
    vMeta->mkAttrs(mb);
    b->push(st.symbol("meta"), vMeta);
    b->sort();
    Value velem;
    velem.mkAttrs(b);
    printManifestValue(st, velem, manifest);
    manifest += " ";
    if (!derivations.empty()) derivations += " ";
    derivations += envString(st, e.queryMeta("active"), "true") + " " + envString(st, e.queryMeta("priority"), "5") +
                   " " + std::to_string(outputs.size()) + outPaths;
  }
  manifest += "]";
  StorePath manifestPath = store.addTextToStore("env-manifest.nix", manifest, references);

  Derivation drv;
  drv.name = "user-environment";
  drv.outputs.emplace("out", DerivationOutput{DerivationOutput::Deferred{}});
  drv.inputSrcs.insert(manifestPath);
  drv.platform = "builtin";
  drv.builder = "builtin:buildenv";
  drv.env = {{"allowSubstitutes", ""},
             {"builder", "builtin:buildenv"},
             {"derivations", derivations},
             {"manifest", dir.printPath(manifestPath)},
             {"name", "user-environment"},
             {"out", ""},
             {"preferLocalBuild", "1"},
             {"system", "builtin"}};
  fillInOutputPaths(drv, dir, [](const StorePath&) -> DrvHash { throw Error("user environments have no input derivations"); });
  StorePath drvPath = store.addTextToStore("user-environment.drv", drv.unparse(dir, false), drv.inputSrcs);
  // The new environment mostly has the links of the current one: they are shared (hard links),
  // not made again.
  BuildReporting reporting;
  reporting.shareLinksFrom = profileTarget(dir, profile);
  buildDerivations(store, settings, {drvPath}, BuildMode::normal, reporting);
  auto out = drv.outputsAndOptPaths(dir).at("out");
  if (!out) throw Error("user environment has no output path");

  auto lock = lockProfile(profile);
  if (optimisticLockProfile(profile) != lockToken) {
    std::cerr << "profile '" << profile << "' changed while we were busy; restarting\n";
    return false;
  }
  std::string generation = createGeneration(store, profile, *out);
  switchLink(profile, generation);
  return true;
}

} // namespace nixpp
