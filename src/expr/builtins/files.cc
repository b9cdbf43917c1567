// expr/builtins/files.cc: the builtins that read the file system or add files to the store:
// readFile, readDir, readFileType, pathExists, path, filterSource, toFile, storePath. All file
// system access goes through EvalIo.
#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/parser.h"
#include "format/hash.h"
#include "format/store_path.h"
#include "expr/restricted_io.h"

namespace nixpp {

std::vector<std::string> EvalIo::queryReferences(const std::string& storePath) {
  throw Error("cannot query the references of '" + storePath + "' without a store");
}

namespace {

std::string_view typeName(EvalIo::FileType t) {
  switch (t) {
  case EvalIo::FileType::Regular: return "regular";
  case EvalIo::FileType::Directory: return "directory";
  case EvalIo::FileType::Symlink: return "symlink";
  default: return "unknown";
  }
}

// A path argument as Nix's realisePath: a path, or a string that is an absolute path.
std::string realisePath(EvalState& st, PosIdx pos, Value& v, NixStringContext& ctx) {
  return canonPath(st.coerceToPath(pos, v, ctx, "while realising the context of a path"));
}

// The same, where it is read from: a store path with context where the store keeps it.
std::string realisePath(EvalState& st, PosIdx pos, Value& v) {
  NixStringContext ctx;
  std::string path = realisePath(st, pos, v, ctx);
  return withPos(st, pos, [&] { return st.toRealPath(path, ctx); });
}

void requireExists(EvalState& st, PosIdx pos, const std::string& path, EvalIo* io = nullptr) {
  if (!withPos(st, pos, [&] { return (io ? *io : st.io).pathExists(path); }))
    throw EvalError("path '" + path + "' does not exist", st.pos(pos));
}

void primReadFile(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext pathCtx;
  std::string path = realisePath(st, pos, *args[0], pathCtx);
  std::string s = withPos(st, pos, [&] { return st.io.readFile(st.toRealPath(path, pathCtx)); });
  NixStringContext ctx;
  StoreDir dir(st.io.storeDir());
  if (dir.isInStore(path)) {
    try {
      auto sp = dir.toStorePath(path).first;
      for (auto& r : st.io.queryReferences(dir.printPath(sp))) ctx.insert(r);
    } catch (Error&) {
      // not a valid path: no context, as Nix
    }
  }
  st.mkString(v, s, ctx);
}

void primPathExists(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  st.forceValue(*args[0], pos);
  std::string raw = args[0]->type() == ValueType::Path ? std::string(args[0]->path()->view())
                                                      : st.coerceToPath(pos, *args[0], ctx, "while realising the context of a path");
  // "x/" and "x/." must be directories.
  bool mustBeDir = raw.ends_with("/") || raw.ends_with("/.");
  std::string path = realisePath(st, pos, *args[0]);
  // A path that pure or restricted evaluation may not read does not exist, as in Nix.
  bool exists = withPos(st, pos, [&] {
    try {
      return st.io.pathExists(mustBeDir ? (path == "/" ? "/." : path + "/.") : path);
    } catch (RestrictedPathError&) {
      return false;
    }
  });
  v.mkBool(exists);
}

void primReadDir(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string path = realisePath(st, pos, *args[0]);
  requireExists(st, pos, path);
  if (!withPos(st, pos, [&] { return st.io.pathExists(path + "/."); })) {
    // Named as Nix does, with its symbolic links followed.
    std::string real = withPos(st, pos, [&] { return followSymlinks(st.io, path); });
    throw EvalError("'" + real + "' is not a directory", st.pos(pos));
  }
  auto entries = withPos(st, pos, [&] { return st.io.readDirectory(path); });
  Bindings* b = st.allocBindings(entries.size());
  for (auto& e : entries) {
    Value* t = st.allocValue();
    auto type = e.type == EvalIo::FileType::Unknown ? withPos(st, pos, [&] { return st.io.fileType(path + "/" + e.name); }) : e.type;
    st.mkString(*t, typeName(type));
    b->push(st.symbol(e.name), t);
  }
  b->sort();
  v.mkAttrs(b);
}

void primReadFileType(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string path = realisePath(st, pos, *args[0]);
  requireExists(st, pos, path);
  st.mkString(v, typeName(withPos(st, pos, [&] { return st.io.fileType(path); })));
}

// Copies `path` to the store as `name` (Nix's addPath), through `filter` (a Nix function of
// the path and its type) when not null, checking `expectedHash` when given.
void addPath(EvalState& st, PosIdx pos, const std::string& name, const std::string& path, Value* filter, bool recursive,
             const std::optional<Hash>& expectedHash, Value& v) {
  try {
    StoreDir dir(st.io.storeDir());
    EvalIo::PathFilter f = [&](const std::string& p, EvalIo::FileType t) {
      Value* args[2] = {st.allocValue(), st.allocValue()};
      st.mkString(*args[0], p);
      st.mkString(*args[1], typeName(t));
      Value res;
      st.callFunction(*filter, 2, args, res, pos);
      return st.forceBool(res, pos, "while evaluating the return value of the path filter function");
    };
    auto method = recursive ? FileIngestionMethod::recursive : FileIngestionMethod::flat;
    std::optional<std::string> expected;
    if (expectedHash) expected = dir.printPath(dir.makeFixedOutputPath(method, *expectedHash, name));
    std::string dst;
    if (expected && st.io.isValidPath(*expected)) dst = *expected;
    else {
      // As Nix, a path with a hash is not checked in pure evaluation: its contents are fixed.
      EvalIo& io = st.settings.pureEval && expectedHash ? st.uncheckedIo() : st.io;
      requireExists(st, pos, path, &io);
      dst = withPos(st, pos, [&] { return io.copyPathToStore(path, name, recursive, filter ? &f : nullptr); });
      if (expected && dst != *expected)
        throw EvalError("store path mismatch in (possibly filtered) path added from '" + path + "'", st.pos(pos));
    }
    st.allowPath(dst);
    st.mkString(v, dst, {dst});
  } catch (EvalError& e) {
    e.addTrace(Pos{}, "while adding path '" + path + "'");
    throw;
  }
}

std::string baseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void primFilterSource(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string path;
  try {
    path = canonPath(st.coerceToPath(pos, *args[1], ctx, ""));
  } catch (EvalError& e) {
    e.addTrace(Pos{}, "while evaluating the second argument (the path to filter) passed to 'builtins.filterSource'");
    throw;
  }
  st.forceFunction(*args[0], pos, "while evaluating the first argument passed to builtins.filterSource");
  addPath(st, pos, baseName(path), path, args[0], true, std::nullopt, v);
}

void primPath(EvalState& st, PosIdx pos, Value** args, Value& v) {
  Bindings* attrs = st.forceAttrs(*args[0], pos, "while evaluating the argument passed to 'builtins.path'");
  std::string path, name;
  Value* filter = nullptr;
  bool recursive = true;
  std::optional<Hash> expectedHash;
  for (auto& a : *attrs) {
    std::string_view n = st.name(a.name);
    if (n == "path") {
      NixStringContext ctx;
      path = canonPath(st.coerceToPath(a.pos, *a.value, ctx, "while evaluating the 'path' attribute passed to 'builtins.path'"));
    } else if (n == "name") name = st.forceStringNoCtx(*a.value, a.pos, "while evaluating the `name` attribute passed to builtins.path");
    else if (n == "filter") {
      st.forceFunction(*a.value, a.pos, "while evaluating the `filter` parameter passed to builtins.path");
      filter = a.value;
    } else if (n == "recursive") recursive = st.forceBool(*a.value, a.pos, "while evaluating the `recursive` attribute passed to builtins.path");
    else if (n == "sha256") {
      std::string h(st.forceStringNoCtx(*a.value, a.pos, "while evaluating the `sha256` attribute passed to builtins.path"));
      expectedHash = h.empty() ? Hash(HashAlgo::sha256) : withPos(st, a.pos, [&] { return Hash::parseAny(h, HashAlgo::sha256); });
    } else throw EvalError("unsupported argument '" + std::string(n) + "' to 'addPath'", st.pos(a.pos));
  }
  if (path.empty()) throw EvalError("missing required 'path' attribute in the first argument to builtins.path", st.pos(pos));
  if (name.empty()) name = baseName(path);
  addPath(st, pos, name, path, filter, recursive, expectedHash, v);
}

void primToFile(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string name(st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.toFile"));
  NixStringContext ctx;
  std::string contents(st.forceString(*args[1], ctx, pos, "while evaluating the second argument passed to builtins.toFile"));
  std::vector<std::string> refs;
  for (auto& c : ctx) {
    if (c.empty() || c[0] != '/')
      throw EvalError("in 'toFile': the file named '" + name + "' must not contain a reference to a derivation but contains (" + c + ")", st.pos(pos));
    refs.push_back(c);
  }
  std::string path = withPos(st, pos, [&] { return st.io.addTextToStore(name, contents, refs); });
  st.mkString(v, path, {path});
}

void primStorePath(EvalState& st, PosIdx pos, Value** args, Value& v) {
  if (st.settings.pureEval) throw EvalError("'builtins.storePath' is not allowed in pure evaluation mode", st.pos(pos));
  NixStringContext ctx;
  std::string path;
  try {
    path = canonPath(st.coerceToPath(pos, *args[0], ctx, ""));
  } catch (EvalError& e) {
    e.addTrace(Pos{}, "while evaluating the first argument passed to 'builtins.storePath'");
    throw;
  }
  withPos(st, pos, [&] { st.checkSourcePath(path); });  // restricted evaluation, as Nix
  StoreDir dir(st.io.storeDir());
  if (!dir.isInStore(path)) throw EvalError("path '" + path + "' is not in the Nix store", st.pos(pos));
  std::string sp = dir.printPath(withPos(st, pos, [&] { return dir.toStorePath(path).first; }));
  if (!st.io.isValidPath(sp)) throw EvalError("path '" + sp + "' is not valid", st.pos(pos));
  st.mkString(v, path, {sp});
}

} // namespace

void registerFileBuiltins(BuiltinTable& t) {
  t.add("readFile", 1, primReadFile);
  t.add("pathExists", 1, primPathExists);
  t.add("readDir", 1, primReadDir);
  t.add("readFileType", 1, primReadFileType);
  t.add("filterSource", 2, primFilterSource);
  t.add("path", 1, primPath);
  t.add("toFile", 2, primToFile);
  t.add("storePath", 1, primStorePath);
}

} // namespace nixpp
