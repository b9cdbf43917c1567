// expr/builtins/context.cc: string context introspection and manipulation: getContext,
// appendContext, hasContext, unsafeDiscardStringContext, unsafeDiscardOutputDependency,
// addDrvOutputDependencies. Context elements are encoded as in expr/value.h: "/nix/store/x"
// (a path), "=/nix/store/x.drv" (a derivation and all its outputs), "!out!/nix/store/x.drv"
// (one output of a derivation).
#include <map>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "format/store_path.h"

namespace nixpp {

namespace {

void primHasContext(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  st.forceString(*args[0], ctx, pos, "while evaluating the argument passed to builtins.hasContext");
  v.mkBool(!ctx.empty());
}

void primUnsafeDiscardStringContext(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string s = st.coerceToString(pos, *args[0], ctx, "while evaluating the argument passed to builtins.unsafeDiscardStringContext");
  st.mkString(v, s);
}

void primUnsafeDiscardOutputDependency(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string s = st.coerceToString(pos, *args[0], ctx, "while evaluating the argument passed to builtins.unsafeDiscardOutputDependency");
  NixStringContext out;
  for (auto& e : ctx) out.insert(e[0] == '=' ? e.substr(1) : e);
  st.mkString(v, s, out);
}

void primAddDrvOutputDependencies(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string s = st.coerceToString(pos, *args[0], ctx, "while evaluating the argument passed to builtins.addDrvOutputDependencies");
  if (ctx.size() != 1)
    throw EvalError("context of string '" + s + "' must have exactly one element, but has " + std::to_string(ctx.size()), st.pos(pos));
  const std::string& e = *ctx.begin();
  std::string deep;
  if (e[0] == '=') deep = e;
  else if (e[0] == '!') {
    size_t bang = e.find('!', 1);
    throw EvalError("`addDrvOutputDependencies` can only act on derivations, not on a derivation output such as '" +
                        e.substr(1, bang - 1) + "'",
                    st.pos(pos));
  } else {
    if (!e.ends_with(".drv")) throw EvalError("path '" + e + "' is not a derivation", st.pos(pos));
    deep = "=" + e;
  }
  st.mkString(v, s, NixStringContext{deep});
}

// { "/nix/store/x" = { path = true; allOutputs = true; outputs = [ "out" ]; }; ... }
void primGetContext(EvalState& st, PosIdx pos, Value** args, Value& v) {
  struct Info {
    bool path = false, allOutputs = false;
    std::vector<std::string> outputs;
  };
  NixStringContext ctx;
  st.forceString(*args[0], ctx, pos, "while evaluating the argument passed to builtins.getContext");
  std::map<std::string, Info> infos;
  for (auto& e : ctx) {
    if (e[0] == '=') infos[e.substr(1)].allOutputs = true;
    else if (e[0] == '!') {
      size_t bang = e.find('!', 1);
      infos[e.substr(bang + 1)].outputs.push_back(e.substr(1, bang - 1));
    } else infos[e].path = true;
  }
  Symbol sPath = st.s.path, sAllOutputs = st.symbol("allOutputs");
  Bindings* b = st.allocBindings(infos.size());
  for (auto& [path, info] : infos) {
    Bindings* ib = st.allocBindings(3);
    auto addTrue = [&](Symbol name) {
      Value* t = st.allocValue();
      t->mkBool(true);
      ib->push(name, t);
    };
    if (info.path) addTrue(sPath);
    if (info.allOutputs) addTrue(sAllOutputs);
    if (!info.outputs.empty()) {
      Value* list = st.allocValue();
      st.mkList(*list, info.outputs.size());
      for (size_t i = 0; i < info.outputs.size(); ++i) {
        Value* o = st.allocValue();
        st.mkString(*o, info.outputs[i]);
        list->listElems()[i] = o;
      }
      ib->push(st.s.outputs, list);
    }
    ib->sort();
    Value* iv = st.allocValue();
    iv->mkAttrs(ib);
    b->push(st.symbol(path), iv);
  }
  b->sort();
  v.mkAttrs(b);
}

void primAppendContext(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string_view orig = st.forceString(*args[0], ctx, noPos, "while evaluating the first argument passed to builtins.appendContext");
  Bindings* b = st.forceAttrs(*args[1], pos, "while evaluating the second argument passed to builtins.appendContext");
  StoreDir storeDir(st.io.storeDir());
  Symbol sAllOutputs = st.symbol("allOutputs");
  for (auto& a : *b) {
    std::string name(st.name(a.name));
    if (!storeDir.isStorePath(name)) throw EvalError("context key '" + name + "' is not a store path", st.pos(a.pos));
    bool isDrv = name.ends_with(".drv");
    Bindings* info = st.forceAttrs(*a.value, a.pos, "while evaluating the value of a string context");
    if (auto* p = info->get(st.s.path))
      if (st.forceBool(*p->value, p->pos, "while evaluating the `path` attribute of a string context")) ctx.insert(name);
    if (auto* p = info->get(sAllOutputs))
      if (st.forceBool(*p->value, p->pos, "while evaluating the `allOutputs` attribute of a string context")) {
        if (!isDrv)
          throw EvalError("tried to add all-outputs context of " + name + ", which is not a derivation, to a string", st.pos(a.pos));
        ctx.insert("=" + name);
      }
    if (auto* p = info->get(st.s.outputs)) {
      st.forceList(*p->value, p->pos, "while evaluating the `outputs` attribute of a string context");
      if (p->value->listSize() && !isDrv)
        throw EvalError("tried to add derivation output context of " + name + ", which is not a derivation, to a string", st.pos(a.pos));
      for (size_t i = 0; i < p->value->listSize(); ++i) {
        std::string_view out = st.forceStringNoCtx(*p->value->listElems()[i], p->pos, "while evaluating an output name within a string context");
        ctx.insert("!" + std::string(out) + "!" + name);
      }
    }
  }
  st.mkString(v, orig, ctx);
}

} // namespace

void registerContextBuiltins(BuiltinTable& t) {
  t.add("hasContext", 1, primHasContext);
  t.add("unsafeDiscardStringContext", 1, primUnsafeDiscardStringContext);
  t.add("unsafeDiscardOutputDependency", 1, primUnsafeDiscardOutputDependency);
  t.add("addDrvOutputDependencies", 1, primAddDrvOutputDependencies);
  t.add("getContext", 1, primGetContext);
  t.add("appendContext", 2, primAppendContext);
}

} // namespace nixpp
