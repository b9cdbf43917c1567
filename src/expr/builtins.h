// expr/builtins.h: how builtins (primops) are declared. Builtins live by theme in
// src/expr/builtins/<theme>.cc, each file exporting one `void registerXBuiltins(BuiltinTable&)`
// that is listed in builtins/registry.cc (the only shared line to add).
//
// A primop of arity n receives its n arguments unevaluated (thunks possibly) and forces what it
// needs through the EvalState (forceString, forceAttrs, ...), then writes its result:
//
//   static void primSubstring(EvalState& state, PosIdx pos, Value** args, Value& v) {
//     int64_t start = state.forceInt(*args[0], pos, "while evaluating the first argument passed to builtins.substring");
//     ...
//     state.mkString(v, result, context);
//   }
//   void registerStringBuiltins(BuiltinTable& t) { t.add("substring", 3, primSubstring); }
//
// Names are given without the "__" prefix; a builtin is also bound at the top level (as `name`
// or `__name`) when expr/base_env.cc lists it, else it is only reachable as builtins.<name>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "expr/pos.h"
#include "expr/symbol_table.h"

namespace nixpp {

class EvalState;
struct Value;

using PrimOpFun = void (*)(EvalState& state, PosIdx pos, Value** args, Value& v);
// Computes the value of a builtin constant (builtins.nixVersion, currentSystem...).
using ConstantInit = void (*)(EvalState& state, Value& v);

struct PrimOp {
  std::string name;  // without "__"
  uint32_t arity;
  PrimOpFun fun;
  Symbol symbol;     // set when installed
  std::string feature;  // the experimental feature it needs ("" for none)
};

// The builtins to install in an EvalState. Registration order does not matter.
class BuiltinTable {
public:
  enum class Purity { pure, impure };  // impure constants do not exist in pure evaluation
  struct Constant {
    std::string name;
    ConstantInit init;
    Purity purity = Purity::pure;
  };
  // `feature`: the experimental feature without which the builtin does not exist (Nix's
  // PrimOp::experimentalFeature), e.g. "flakes" for parseFlakeRef.
  void add(std::string_view name, uint32_t arity, PrimOpFun fun, std::string_view feature = {}) {
    primOps.push_back({std::string(name), arity, fun, {}, std::string(feature)});
  }
  void addConstant(std::string_view name, ConstantInit init, Purity purity = Purity::pure) {
    constants.push_back({std::string(name), init, purity});
  }

  std::vector<PrimOp> primOps;
  std::vector<Constant> constants;
};

// Nix's `<` (builtins.lessThan, sort order of genericClosure keys): numbers, strings, paths,
// lists lexicographically; throws EvalError "cannot compare ..." otherwise (builtins/core.cc).
bool lessThan(EvalState& st, Value& a, Value& b, PosIdx pos);

// Every builtin nixpp has (builtins/registry.cc calls each theme's register function).
void registerAllBuiltins(BuiltinTable& t);

// Themes (one file each in builtins/).
void registerCoreBuiltins(BuiltinTable& t);  // builtins/core.cc: operators, types, control, import
void registerAttrBuiltins(BuiltinTable& t);  // builtins/attrs.cc
void registerListBuiltins(BuiltinTable& t);  // builtins/lists.cc
void registerDerivationBuiltins(BuiltinTable& t);  // builtins/derivation.cc: derivationStrict, derivation, placeholder
void registerFileBuiltins(BuiltinTable& t);  // builtins/files.cc: readFile, readDir, path, toFile, storePath...
void registerStringBuiltins(BuiltinTable& t);  // builtins/strings.cc: substring, replaceStrings, match, split...
void registerVersionBuiltins(BuiltinTable& t);  // builtins/versions.cc: compareVersions, splitVersion, parseDrvName
void registerContextBuiltins(BuiltinTable& t);  // builtins/context.cc: getContext, appendContext...
void registerJsonBuiltins(BuiltinTable& t);     // builtins/json.cc: toJSON, fromJSON
void registerTomlBuiltins(BuiltinTable& t);     // builtins/toml.cc: fromTOML
void registerXmlBuiltins(BuiltinTable& t);      // builtins/xml.cc: toXML
void registerHashBuiltins(BuiltinTable& t);     // builtins/hash.cc: hashString, hashFile, convertHash
void registerSortBuiltins(BuiltinTable& t);     // builtins/sort.cc: sort, partition, groupBy
void registerFetchBuiltins(BuiltinTable& t);    // builtins/fetch.cc: fetchurl, fetchTarball, fetchGit, fetchTree
void registerFlakeRefBuiltins(BuiltinTable& t); // builtins/flakeref.cc: parseFlakeRef, flakeRefToString
// The attribute set of the flake reference `url` (builtins.parseFlakeRef); throws at `pos` if
// it is not one.
void flakeRefAttrs(EvalState& st, PosIdx pos, const std::string& url, Value& v);

} // namespace nixpp
