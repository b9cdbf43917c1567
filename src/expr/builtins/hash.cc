// expr/builtins/hash.cc: hashing builtins: hashString, hashFile, convertHash.
#include <iostream>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "format/hash.h"

namespace nixpp {

namespace {

// Errors of format/hash.h (bad hash strings, unknown algorithms) as evaluation errors without a
// position, as Nix reports them.
HashAlgo parseAlgo(std::string_view name) {
  if (auto a = parseHashAlgoOpt(name)) return *a;
  throw EvalUsageError("unknown hash algorithm '" + std::string(name) + "', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'", Pos{});
}

void primHashString(EvalState& st, PosIdx pos, Value** args, Value& v) {
  HashAlgo algo = parseAlgo(st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.hashString"));
  NixStringContext ctx;  // discarded
  std::string_view s = st.forceString(*args[1], ctx, pos, "while evaluating the second argument passed to builtins.hashString");
  st.mkString(v, hashString(algo, s).to_string(HashFormat::base16, false));
}

void primHashFile(EvalState& st, PosIdx pos, Value** args, Value& v) {
  HashAlgo algo = parseAlgo(st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.hashFile"));
  NixStringContext ctx;
  std::string path = st.coerceToPath(pos, *args[1], ctx, "while evaluating the second argument passed to builtins.hashFile");
  path = withPos(st, pos, [&] { return st.toRealPath(path, ctx); });
  if (!withPos(st, pos, [&] { return st.io.pathExists(path); }))
    throw EvalError("path '" + path + "' does not exist", Pos{});
  std::string contents;
  try {
    contents = st.io.readFile(path);
  } catch (EvalError&) {
    throw;
  } catch (Error& e) {
    throw EvalError(e.what(), st.pos(pos));
  }
  st.mkString(v, hashString(algo, contents).to_string(HashFormat::base16, false));
}

const Attr& requireAttr(EvalState& st, Bindings* b, std::string_view name, PosIdx pos) {
  if (auto* a = b->get(st.symbol(name))) return *a;
  EvalError err("attribute '" + std::string(name) + "' missing", st.pos(pos));
  st.addTrace(err, pos, "while locating the attribute '" + std::string(name) + "'");
  throw err;
}

HashFormat parseFormat(std::string_view f) {
  if (f == "base16") return HashFormat::base16;
  if (f == "nix32") return HashFormat::nix32;
  if (f == "base32") {
    std::cerr << "warning: \"base32\" is a deprecated alias for hash format \"nix32\".\n";
    return HashFormat::nix32;
  }
  if (f == "base64") return HashFormat::base64;
  if (f == "sri") return HashFormat::sri;
  throw EvalError("unknown hash format '" + std::string(f) + "', expect 'base16', 'base32', 'base64', or 'sri'", Pos{});
}

// convertHash { hash; hashAlgo ? <from the prefix>; toHashFormat; }
void primConvertHash(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* b = st.forceAttrs(*args[0], pos, "while evaluating the first argument passed to builtins.convertHash");
  std::string_view hash = st.forceStringNoCtx(*requireAttr(st, b, "hash", pos).value, pos, "while evaluating the attribute 'hash'");
  std::optional<HashAlgo> algo;
  if (auto* a = b->get(st.symbol("hashAlgo")))
    algo = parseAlgo(st.forceStringNoCtx(*a->value, pos, "while evaluating the attribute 'hashAlgo'"));
  HashFormat fmt = parseFormat(
      st.forceStringNoCtx(*requireAttr(st, b, "toHashFormat", pos).value, pos, "while evaluating the attribute 'toHashFormat'"));
  try {
    st.mkString(v, Hash::parseAny(hash, algo).to_string(fmt, fmt == HashFormat::sri));
  } catch (BadHash& e) {
    throw EvalError(e.what(), Pos{});
  }
}

} // namespace

void registerHashBuiltins(BuiltinTable& t) {
  t.add("hashString", 2, primHashString);
  t.add("hashFile", 2, primHashFile);
  t.add("convertHash", 1, primConvertHash);
}

} // namespace nixpp
