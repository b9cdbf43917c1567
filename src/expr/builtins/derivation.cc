// expr/builtins/derivation.cc: derivationStrict (an attribute set -> a .drv written through
// EvalIo, and the paths of its outputs), placeholder, and `derivation`, the Nix-language wrapper
// around derivationStrict that Nix ships as corepkgs/derivation.nix (our own equivalent below).
#include <charconv>
#include <iostream>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/print.h"
#include "format/derivation.h"
#include "util/strings.h"

namespace nixpp {

namespace {

// The `derivation` function: derivationStrict computes the paths; this turns them into the
// usual derivation attribute set, one per output, each knowing all the others.
const char* derivationNix = R"(# «nix-internal»/derivation-internal.nix: nixpp's `derivation` function.
#
# `derivation attrs` describes a build: `attrs` must have `name`, `system` and `builder`; every
# other attribute becomes an environment variable of the builder (lists joined by spaces,
# Booleans as "1" or "", paths copied to the store first), and `args` its arguments. The
# optional `outputs` names the outputs, `[ "out" ]` by default.
#
# The work is done by the built-in `derivationStrict`, which evaluates the attributes, computes
# the `.drv` file and the output paths exactly as Nix does, writes the `.drv` file to the store
# when evaluation may write, and returns `{ drvPath = ...; <output> = <path>; ... }`.
#
# This function turns that into the attribute set Nix users know: the attributes given, plus
#
#   type       = "derivation";
#   drvPath    the path of the .drv file;
#   outPath    the path of the output it stands for;
#   outputName the name of that output;
#   <output>   for every output, the same set standing for that output;
#   all        the list of those sets, one per output;
#   drvAttrs   the attributes given.
#
# Every output's set is a fixed point over the others, so `drv.dev.out.dev` is `drv.dev`. The
# paths are only computed when one of them is looked at (this function is lazy in `strict`),
# so `drv.name` or `drv.meta` never instantiate anything.
#
# Errors in the attributes surface when `outPath` or `drvPath` is first forced: the traces
# then go through `strict` below, and `derivationStrict` adds a frame naming the derivation
# and where its `name` attribute is.
#
# This file's layout is kept so that those trace frames show the same lines as Nix's do
# (a user comparing traces of the two sees the same places).

drvAttrs@{ outputs ? [ "out" ], ... }:
let

  strict = derivationStrict drvAttrs;

  # One output's attribute set, as a { name, value } pair for listToAttrs. `commonAttrs` is
  # shared by all outputs: the attributes given and every output by name, so that each
  # output's set reaches the others.
  #
  # `outPath` and `drvPath` are the only attributes that force `strict`; `type` and
  # `outputName` are known without it, so that e.g. `lib.isDerivation` and
  # `drv.outputName` stay cheap.
  #
  outputSet = outputName: {
    name = outputName;
    value = commonAttrs // {
      outPath = strict.${outputName};
      drvPath = strict.drvPath;
      type = "derivation";
      inherit outputName;
    };
  };

  outputsList = map outputSet outputs;

  commonAttrs = drvAttrs // (builtins.listToAttrs outputsList) // {
    all = map (x: x.value) outputsList;
    inherit drvAttrs;
  };

in (builtins.head outputsList).value
)";


// As in Nix, derivationStrict's own errors carry no position (the frames say where).
[[noreturn]] void evalError(EvalState&, PosIdx, const std::string& msg) { throw EvalError(msg, Pos{}); }

// Nix's check of a derivation name (a store path name), with the message of current Nix.
void checkDerivationName(EvalState& st, PosIdx pos, std::string_view name) {
  auto bad = [&](const std::string& why) {
    evalError(st, pos, "invalid derivation name: " + why + ". Please pass a different 'name'.");
  };
  if (name.empty()) bad("name must not be empty");
  if (name.size() > StorePath::maxNameLen) bad("name '" + std::string(name) + "' must be no longer than 211 characters");
  if (name == "." || name == "..") bad("name '" + std::string(name) + "' is not valid");
  for (char c : name)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' || c == '_' || c == '?' || c == '='))
      bad("name '" + std::string(name) + "' contains illegal character '" + std::string(1, c) + "'");
}

// --- JSON of __structuredAttrs (Nix's printValueAsJSON with copyToStore) ------------------------

void jsonString(std::string_view s, std::string& out) { appendJsonString(out, s); }

// `depth`: the nesting so far; as Nix, more than max-call-depth levels is a stack overflow.
void valueToJson(EvalState& st, Value& v, PosIdx pos, NixStringContext& context, std::string& out, size_t depth = 0) {
  st.checkStack();
  if (depth > st.settings.maxCallDepth) throw StackOverflowError("stack overflow; max-call-depth exceeded", st.pos(pos));
  st.forceValue(v, pos);
  switch (v.type()) {
  case ValueType::Int: out += std::to_string(v.integer()); break;
  case ValueType::Float: {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v.fpoint());
    out.append(buf, r.ptr);
    break;
  }
  case ValueType::Bool: out += v.boolean() ? "true" : "false"; break;
  case ValueType::Null: out += "null"; break;
  case ValueType::String:
    EvalState::copyContext(v, context);
    jsonString(v.string_view(), out);
    break;
  case ValueType::Path: jsonString(st.copyPathToStore(context, std::string(v.path()->view()), pos), out); break;
  case ValueType::List:
    out += '[';
    for (size_t i = 0; i < v.listSize(); ++i) {
      if (i) out += ',';
      valueToJson(st, *v.listElems()[i], pos, context, out, depth + 1);
    }
    out += ']';
    break;
  case ValueType::Attrs: {
    Bindings* b = v.attrs();
    if (b->get(st.s.toString)) {
      jsonString(st.coerceToString(pos, v, context, "", false, false), out);
      break;
    }
    if (auto* o = b->get(st.s.outPath)) return valueToJson(st, *o->value, pos, context, out, depth + 1);
    std::vector<const Attr*> sorted;
    for (auto& a : *b) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(), [&](const Attr* x, const Attr* y) { return st.name(x->name) < st.name(y->name); });
    out += '{';
    bool first = true;
    for (auto* a : sorted) {
      if (!first) out += ',';
      first = false;
      jsonString(st.name(a->name), out);
      out += ':';
      try {
        valueToJson(st, *a->value, a->pos, context, out, depth + 1);
      } catch (EvalError& e) {
        if (st.settings.showTrace) st.addTrace(e, a->pos, "while evaluating attribute '" + std::string(st.name(a->name)) + "'");
        throw;
      }
    }
    out += '}';
    break;
  }
  default:
    throw TypeError("cannot convert " + st.showType(v) + " to JSON", st.pos(pos));
  }
}

// --- derivationStrict ----------------------------------------------------------------------------

struct DrvBuilder {
  EvalState& st;
  PosIdx pos;
  std::string drvName;
  PosIdx namePos;
  StoreDir dir;
  Derivation drv;
  NixStringContext context;
  std::optional<std::string> outputHash, outputHashAlgo;
  std::optional<ContentAddressMethod> hashMode;
  std::vector<std::string> outputs{"out"};
  bool contentAddressed = false, isImpure = false;
  FinishedDerivation finished{};  // by finish(): the .drv text and its hash modulo

  void handleHashMode(std::string_view s, PosIdx p) {
    if (s == "recursive") hashMode = ContentAddressMethod::nar;
    else if (s == "flat") hashMode = ContentAddressMethod::flat;
    else if (s == "text") hashMode = ContentAddressMethod::text;
    else evalError(st, p, "invalid value '" + std::string(s) + "' for 'outputHashMode' attribute");
  }

  void handleOutputs(const std::vector<std::string>& ss, PosIdx p) {
    outputs.clear();
    std::set<std::string> seen;
    for (auto& o : ss) {
      if (o == "drvPath") evalError(st, p, "invalid derivation output name 'drvPath'");
      if (!seen.insert(o).second) evalError(st, p, "duplicate derivation output '" + o + "'");
      outputs.push_back(o);
    }
    if (outputs.empty()) evalError(st, p, "derivation cannot have an empty set of outputs");
  }

  // The attributes derivationStrict treats specially. Classified by length, then one comparison:
  // chains of string comparisons for every attribute of every derivation showed in profiles
  // (and symbols are not interned for them: the order of symbols is observable).
  enum class Key { other, structuredAttrs, ignoreNulls, contentAddressed, impure, args, builder, system,
                   outputHash, outputHashAlgo, outputHashMode, outputs };
  static Key classify(std::string_view n) {
    switch (n.size()) {
    case 4: return n == "args" ? Key::args : Key::other;
    case 6: return n == "system" ? Key::system : Key::other;
    case 7: return n == "builder" ? Key::builder : n == "outputs" ? Key::outputs : Key::other;
    case 8: return n == "__impure" ? Key::impure : Key::other;
    case 10: return n == "outputHash" ? Key::outputHash : Key::other;
    case 13: return n == "__ignoreNulls" ? Key::ignoreNulls : Key::other;
    case 14:
      return n == "outputHashAlgo" ? Key::outputHashAlgo : n == "outputHashMode" ? Key::outputHashMode : Key::other;
    case 17: return n == "__structuredAttrs" ? Key::structuredAttrs : Key::other;
    case 18: return n == "__contentAddressed" ? Key::contentAddressed : Key::other;
    default: return Key::other;
    }
  }

  void run(Bindings* attrs) {
    Symbol sStructured = st.symbol("__structuredAttrs"), sIgnoreNulls = st.symbol("__ignoreNulls");
    bool structured = false, ignoreNulls = false;
    if (auto* a = attrs->get(sStructured))
      structured = st.forceBool(*a->value, pos, "while evaluating the `__structuredAttrs` attribute passed to builtins.derivationStrict");
    if (auto* a = attrs->get(sIgnoreNulls))
      ignoreNulls = st.forceBool(*a->value, pos, "while evaluating the `__ignoreNulls` attribute passed to builtins.derivationStrict");

    std::vector<const Attr*> sorted;
    sorted.reserve(attrs->size);
    for (auto& a : *attrs) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(), [&](const Attr* x, const Attr* y) { return st.name(x->name) < st.name(y->name); });

    std::string json;
    bool firstJson = true;
    for (const Attr* a : sorted) {
      std::string_view name = st.name(a->name);
      Key k = classify(name);
      if (k == Key::ignoreNulls) continue;
      try {
        handleAttr(k, name, *a, structured, ignoreNulls, json, firstJson);
      } catch (EvalError& e) {
        st.addTrace(e, a->pos, "while evaluating attribute '" + std::string(st.name(a->name)) + "' of derivation '" + drvName + "'");
        throw;
      }
    }
    if (structured) drv.env["__json"] = "{" + json + "}";
    finish();
  }

  // The output checks that __structuredAttrs replaces by `outputChecks.<output>.<check>`.
  static bool isOutputCheck(std::string_view n) {
    return n == "allowedReferences" || n == "allowedRequisites" || n == "disallowedReferences" ||
           n == "disallowedRequisites" || n == "maxSize" || n == "maxClosureSize";
  }

  // Nix's warning that such an attribute has no effect: rendered as an error with its frame,
  // under "warning:" (two columns further in than an error's lines).
  void warnOutputCheck(std::string_view name, PosIdx at) {
    EvalError w("'structuredAttrs' disables the effect of the derivation attribute '" + std::string(name) +
                    "'; use 'outputChecks.<output>." + std::string(name) + "' instead",
                st.pos(at));
    w.addTrace(Pos{}, "while evaluating derivation '" + drvName + "'", true);
    std::string body = w.render(true);
    if (auto i = body.find("\n       error: "); i != std::string::npos) body.replace(i + 8, 5, "warning");
    std::cerr << "warning:" << indentLines(body, "  ", false) << std::endl;
  }

  void handleAttr(Key key, std::string_view name, const Attr& a, bool structured, bool ignoreNulls, std::string& json,
                  bool& firstJson) {
    Value& v = *a.value;
    if (ignoreNulls) {
      st.forceValue(v, a.pos);
      if (v.type() == ValueType::Null) return;
    }
    if (key == Key::contentAddressed) {
      contentAddressed = st.forceBool(v, a.pos, "");
      return;
    }
    if (key == Key::impure) {
      isImpure = st.forceBool(v, a.pos, "");
      return;
    }
    if (key == Key::args) {
      st.forceList(v, a.pos, "");
      for (size_t i = 0; i < v.listSize(); ++i)
        drv.args.push_back(st.coerceToString(pos, *v.listElems()[i], context, "while evaluating an element of the argument list", true, true));
      return;
    }
    if (structured) {
      if (key == Key::structuredAttrs) return;
      if (isOutputCheck(name)) warnOutputCheck(name, a.pos);
      if (!firstJson) json += ',';
      firstJson = false;
      jsonString(name, json);
      json += ':';
      valueToJson(st, v, a.pos, context, json);
      if (key == Key::builder) drv.builder = std::string(st.forceString(v, context, a.pos, ""));
      else if (key == Key::system) drv.platform = std::string(st.forceStringNoCtx(v, a.pos, ""));
      else if (key == Key::outputHash) outputHash = std::string(st.forceStringNoCtx(v, a.pos, ""));
      else if (key == Key::outputHashAlgo) outputHashAlgo = std::string(st.forceStringNoCtx(v, a.pos, ""));
      else if (key == Key::outputHashMode) handleHashMode(st.forceStringNoCtx(v, a.pos, ""), a.pos);
      else if (key == Key::outputs) {
        st.forceList(v, a.pos, "");
        std::vector<std::string> ss;
        for (size_t i = 0; i < v.listSize(); ++i)
          ss.emplace_back(st.forceStringNoCtx(*v.listElems()[i], a.pos, ""));
        handleOutputs(ss, a.pos);
      }
      return;
    }
    std::string s = st.coerceToString(a.pos, v, context, "", true, true);
    if (key == Key::builder) drv.builder = s;
    else if (key == Key::system) drv.platform = s;
    else if (key == Key::outputHash) outputHash = s;
    else if (key == Key::outputHashAlgo) outputHashAlgo = s;
    else if (key == Key::outputHashMode) handleHashMode(s, a.pos);
    else if (key == Key::outputs) handleOutputs(tokenizeString(s), a.pos);
    // Sorted by name, so each goes at the end of the map.
    drv.env.emplace_hint(drv.env.end(), std::string(name), std::move(s));
  }

  StorePath parseStorePath(const std::string& p) {
    try {
      return dir.parsePath(p);
    } catch (Error& e) {
      evalError(st, pos, e.what());
    }
  }

  Derivation readDrv(const StorePath& p) { return parseDerivation(st.io.readStoreFile(dir.printPath(p)), dir, derivationNameOf(p)); }

  // Adds `path` and everything it refers to (a .drv with all its outputs).
  void addClosure(const StorePath& root) {
    std::vector<StorePath> todo{root};
    StorePathSet seen{root};
    while (!todo.empty()) {
      StorePath p = todo.back();
      todo.pop_back();
      drv.inputSrcs.insert(p);
      std::vector<std::string> refs;
      if (p.isDerivation()) {
        Derivation d = readDrv(p);
        auto& outs = drv.inputDrvs[p];
        for (auto& [o, _] : d.outputs) outs.insert(o);
        for (auto& s : d.inputSrcs) refs.push_back(dir.printPath(s));
        for (auto& [s, _] : d.inputDrvs) refs.push_back(dir.printPath(s));
      } else {
        refs = st.io.queryReferences(dir.printPath(p));
      }
      for (auto& r : refs) {
        StorePath rp = parseStorePath(r);
        if (seen.insert(rp).second) todo.push_back(rp);
      }
    }
  }

  void finish() {
    for (auto& c : context) {
      if (c.starts_with("=")) addClosure(parseStorePath(c.substr(1)));
      else if (c.starts_with("!")) {
        auto bang = c.find('!', 1);
        if (bang == std::string::npos) evalError(st, pos, "invalid context element '" + c + "'");
        drv.inputDrvs[parseStorePath(c.substr(bang + 1))].insert(c.substr(1, bang - 1));
      } else drv.inputSrcs.insert(parseStorePath(c));
    }

    if (drv.builder.empty()) evalError(st, namePos, "required attribute 'builder' missing");
    if (drv.platform.empty()) evalError(st, namePos, "required attribute 'system' missing");
    if (drvName.ends_with(".drv")) evalError(st, namePos, "derivation names are not allowed to end in '.drv'");
    checkDerivationName(st, namePos, drvName);
    drv.name = drvName;

    if (outputHash) {
      if (outputs.size() != 1 || outputs[0] != "out")
        evalError(st, namePos, "multiple outputs are not supported in fixed-output derivations");
      std::optional<HashAlgo> algo;
      if (outputHashAlgo && !outputHashAlgo->empty()) {
        std::string_view an = *outputHashAlgo;
        if (an.starts_with("r:")) {  // legacy "r:sha256"
          an.remove_prefix(2);
          if (!hashMode) hashMode = ContentAddressMethod::nar;
        }
        algo = parseHashAlgo(an);
      }
      Hash h(HashAlgo::sha256);
      if (outputHash->empty()) {
        if (!algo) evalError(st, namePos, "empty hash requires explicit hash type");
        h = Hash(*algo);
        std::cerr << "warning: found empty hash, assuming '" << h.to_string(HashFormat::base64, true) << "'\n";
      } else h = Hash::parseAny(*outputHash, algo);
      auto method = hashMode.value_or(ContentAddressMethod::flat);
      if (method == ContentAddressMethod::text && h.algo() != HashAlgo::sha256)
        evalError(st, namePos, "text-hashed derivation outputs must use sha256");
      drv.outputs.insert_or_assign("out", DerivationOutput{DerivationOutput::CAFixed{ContentAddress{method, h}}});
    } else if (contentAddressed || isImpure) {
      if (contentAddressed && isImpure) evalError(st, namePos, "derivation cannot be both content-addressed and impure");
      HashAlgo algo = HashAlgo::sha256;
      if (outputHashAlgo && !outputHashAlgo->empty()) algo = parseHashAlgo(*outputHashAlgo);
      auto method = hashMode.value_or(ContentAddressMethod::nar);
      for (auto& o : outputs) {
        if (isImpure) drv.outputs.insert_or_assign(o, DerivationOutput{DerivationOutput::Impure{method, algo}});
        else drv.outputs.insert_or_assign(o, DerivationOutput{DerivationOutput::CAFloating{method, algo}});
      }
    } else {
      for (auto& o : outputs) drv.outputs.insert_or_assign(o, DerivationOutput{DerivationOutput::Deferred{}});
    }

    if (!st.drvHashes)
      st.drvHashes = std::make_shared<DrvHashCache>(dir, [&io = st.io, d = dir](const StorePath& p) {
        return parseDerivation(io.readStoreFile(d.printPath(p)), d, derivationNameOf(p));
      });
    finished = finishDerivation(drv, dir, st.drvHashes->lookup());
  }
};

void primDerivationStrict(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* attrs = st.forceAttrs(*args[0], pos, "while evaluating the argument passed to builtins.derivationStrict");
  const Attr* nameAttr = attrs->get(st.s.name);
  if (!nameAttr) {
    EvalError e("attribute 'name' missing", Pos{});
    e.addTrace(Pos{}, "in the attrset passed as argument to builtins.derivationStrict");
    throw e;
  }
  std::string drvName;
  try {
    drvName = std::string(st.forceStringNoCtx(*nameAttr->value, pos, "while evaluating the `name` attribute passed to builtins.derivationStrict"));
  } catch (EvalError& e) {
    st.addTrace(e, nameAttr->pos, "while evaluating the derivation attribute 'name'");
    throw;
  }

  DrvBuilder b{st, pos, drvName, nameAttr->pos, StoreDir(st.io.storeDir()), {}, {}, {}, {}, {}, {"out"}, false, false, {}};
  std::string drvPath;
  try {
    try {
      b.run(attrs);
      drvPath = st.io.writeDerivation(b.drv, b.finished.text);
      // Needed in read-only mode, where the .drv is never written and so cannot be read back
      // when a later derivation depends on this one (as Nix does).
      st.drvHashes->insert(b.dir.parsePath(drvPath), std::move(b.finished.hashModulo));
    } catch (EvalError&) {
      throw;
    } catch (Error& e) {
      throw EvalError(e.what(), Pos{});
    }
  } catch (EvalError& e) {
    // Printed even when the trace is truncated, so that users see which package failed.
    e.addTrace(Pos{},
               "while evaluating derivation '" + drvName + "'\n  whose name attribute is located at " +
                   st.pos(nameAttr->pos).toString(),
               true);
    throw;
  }

  Bindings* out = st.allocBindings(1 + b.drv.outputs.size());
  Value* vDrv = st.allocValue();
  st.mkString(*vDrv, drvPath, {"=" + drvPath});
  out->push(st.s.drvPath, vDrv);
  StorePath drvStorePath = b.dir.parsePath(drvPath);
  for (auto& [name, o] : b.drv.outputs) {
    auto path = o.path(b.dir, b.drv.name, name);
    Value* vo = st.allocValue();
    st.mkString(*vo, path ? b.dir.printPath(*path) : downstreamPlaceholder(drvStorePath, name), {"!" + name + "!" + drvPath});
    out->push(st.symbol(name), vo);
  }
  out->sort();
  v.mkAttrs(out);
}

void primPlaceholder(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view name = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.placeholder");
  st.mkString(v, hashPlaceholder(name));
}

void initDerivation(EvalState& st, Value& v) {
  Expr* e = st.parseExprFromString(derivationNix, "/", Origin::Kind::Internal, "derivation-internal.nix");
  st.eval(e, v);
}

} // namespace

void registerDerivationBuiltins(BuiltinTable& t) {
  t.add("derivationStrict", 1, primDerivationStrict);
  t.add("placeholder", 1, primPlaceholder);
  t.addConstant("derivation", initDerivation);
}

} // namespace nixpp
