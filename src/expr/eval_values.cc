// expr/eval_values.cc: the EvalState's services around evaluation: allocation, forcing with
// type errors, string coercion, equality, parsing and the base environment.
#include <gc/gc.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <optional>
#include <unordered_set>

#include "expr/base_env.h"
#include "expr/eval.h"
#include "expr/parser.h"
#include "expr/print.h"
#include "expr/restricted_io.h"

namespace nixpp {

// ---------------------------------------------------------------------------------------------
// Value helpers

std::string_view showType(ValueType t) {
  switch (t) {
  case ValueType::Int: return "an integer";
  case ValueType::Float: return "a float";
  case ValueType::Bool: return "a Boolean";
  case ValueType::Null: return "null";
  case ValueType::String: return "a string";
  case ValueType::Path: return "a path";
  case ValueType::Attrs: return "a set";
  case ValueType::List: return "a list";
  case ValueType::Lambda:
  case ValueType::PrimOp:
  case ValueType::PrimOpApp: return "a function";
  case ValueType::Thunk:
  case ValueType::App:
  case ValueType::Blackhole:
  case ValueType::Failed: return "a thunk";
  case ValueType::Uninit: break;
  }
  return "an uninitialised value";
}

std::string_view typeOfName(ValueType t) {
  switch (t) {
  case ValueType::Int: return "int";
  case ValueType::Float: return "float";
  case ValueType::Bool: return "bool";
  case ValueType::Null: return "null";
  case ValueType::String: return "string";
  case ValueType::Path: return "path";
  case ValueType::Attrs: return "set";
  case ValueType::List: return "list";
  case ValueType::Lambda:
  case ValueType::PrimOp:
  case ValueType::PrimOpApp: return "lambda";
  default: return "thunk";
  }
}

const Attr* Bindings::get(Symbol name) const {
  const Attr* b = attrs();
  size_t lo = 0, hi = size;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (b[mid].name < name) lo = mid + 1;
    else hi = mid;
  }
  return lo < size && b[lo].name == name ? &b[lo] : nullptr;
}

void Bindings::sort() {
  std::stable_sort(begin(), end(), [](const Attr& a, const Attr& b) { return a.name < b.name; });
}

std::string EvalState::showType(const Value& v) const {
  switch (v.type()) {
  case ValueType::PrimOp: return "the built-in function '" + v.primOp()->name + "'";
  case ValueType::PrimOpApp: {
    const Value* p = &v;
    while (p->type() == ValueType::PrimOpApp) p = p->primOpAppLeft();
    return "the partially applied built-in function '" + p->primOp()->name + "'";
  }
  case ValueType::String: return v.context() ? "a string with context" : "a string";
  default: return std::string(nixpp::showType(v.type()));
  }
}

// ---------------------------------------------------------------------------------------------
// Allocation

void* EvalState::refillFreeList(int sizeClass) {
  static_assert(sizeof(Value) == 16 && offsetof(Env, values) + sizeof(Value*) == 16);
  void* list = GC_malloc_many(sizeClass == 0 ? 16 : 32);
  if (!list) throw std::bad_alloc();
  return freeLists_[sizeClass] = list;
}

Env& EvalState::allocEnvLarge(size_t size) {
  return *static_cast<Env*>(GC_MALLOC(offsetof(Env, values) + size * sizeof(Value*)));
}

// Sets of this many attributes (1 MiB) or more make the collector grow the heap to twice the
// live data between collections, instead of 5/3 (Boehm's default free-space divisor 3). Every
// collection marks such a set, and copies of it (`big // { ... }`) each allocate a MiB: with the
// default, attrs.nix (a 100k-attribute set updated 200 times) collected 32 times and spent half
// its instructions marking. Evaluations without huge sets keep the default: there a bigger heap
// only costs page faults (lists.nix ran 20 % slower). The GC is per process, so is this switch.
static constexpr size_t hugeSetAttrs = (1u << 20) / sizeof(Attr);
static bool hugeSetSeen = false;

Bindings* EvalState::allocBindings(size_t capacity) {
  if (capacity >= hugeSetAttrs && !hugeSetSeen) {
    hugeSetSeen = true;
    GC_set_free_space_divisor(1);
  }
  auto* b = static_cast<Bindings*>(GC_MALLOC(sizeof(Bindings) + capacity * sizeof(Attr)));
  b->size = 0;
  b->capacity = uint32_t(capacity);
  return b;
}

void EvalState::mkList(Value& v, size_t size) {
  v.mkList(size, size ? static_cast<Value**>(GC_MALLOC(size * sizeof(Value*))) : nullptr);
}

const NixString* EvalState::makeString(std::string_view s) {
  auto* ns = static_cast<NixString*>(GC_MALLOC_ATOMIC(sizeof(NixString) + s.size() + 1));
  ns->size = s.size();
  char* d = const_cast<char*>(ns->data());
  std::memcpy(d, s.data(), s.size());
  d[s.size()] = 0;
  return ns;
}

void EvalState::mkPosAttrs(Value& v, const Pos& p) {
  Bindings* b = allocBindings(3);
  Value* file = allocValue();
  mkString(*file, p.origin ? p.origin->display() : "");
  Value* line = allocValue();
  line->mkInt(p.line);
  Value* col = allocValue();
  col->mkInt(p.column);
  b->push(s.file, file);
  b->push(s.line, line);
  b->push(s.column, col);
  b->sort();
  v.mkAttrs(b);
}

void EvalState::mkString(Value& v, std::string_view s, const NixStringContext& context) {
  const StringContext* ctx = nullptr;
  if (!context.empty()) {
    auto* c = static_cast<StringContext*>(GC_MALLOC(sizeof(StringContext) + context.size() * sizeof(NixString*)));
    c->size = context.size();
    auto** items = const_cast<const NixString**>(c->items());
    size_t i = 0;
    for (auto& e : context) items[i++] = makeString(e);
    ctx = c;
  }
  v.mkString(makeString(s), ctx);
}

void EvalState::mkPath(Value& v, std::string_view path) { v.mkPath(makeString(path)); }

void EvalState::copyContext(const Value& v, NixStringContext& context) {
  if (auto* c = v.context())
    for (size_t i = 0; i < c->size; ++i) context.emplace(c->items()[i]->view());
}

// ---------------------------------------------------------------------------------------------
// Forcing

void EvalState::stackOverflow() { throw StackOverflowError("stack overflow; max-call-depth exceeded", Pos{}); }

// The error a thunk's evaluation failed with (Value::mkFailed). The exception is the one that
// went on propagating then: frames added to it on its way up (addErrorContext of the forcing
// expression...) are part of what later forces see, as in Nix. GC-allocated; its finalizer
// releases the exception.
struct FailedValue {
  std::exception_ptr error;
};

static void finalizeFailedValue(void* obj, void*) { static_cast<FailedValue*>(obj)->~FailedValue(); }

// Makes `v` a failed value holding the exception being handled.
static void memoiseError(Value& v) {
  void* mem = GC_MALLOC(sizeof(FailedValue));
  v.mkFailed(new (mem) FailedValue{std::current_exception()});
  GC_register_finalizer_no_order(mem, finalizeFailedValue, nullptr, nullptr, nullptr);
}

void EvalState::forceThunk(Value& v, PosIdx pos) {
  switch (v.type()) {
  case ValueType::Thunk: {
    Env* env = v.thunkEnv();
    Expr* e = v.thunkExpr();
    v.mkBlackhole();
    try {
      eval(*env, e, v);
    } catch (InfiniteRecursionError& err) {
      v.mkThunk(env, e);
      // This thunk is the one found under evaluation: the recursion was entered here.
      if (err.value == &v) err.addTrace(Pos{}, "entering the infinite recursion");
      throw;
    } catch (StackOverflowError&) {
      v.mkThunk(env, e);  // a resource limit, not the value's meaning
      throw;
    } catch (EvalError&) {
      // As Nix (2.34+): the error is the value's; forcing it again throws it again (a copy)
      // without evaluating anything (no second trace, no second effect).
      memoiseError(v);
      throw;
    } catch (...) {
      v.mkThunk(env, e);
      throw;
    }
    return;
  }
  case ValueType::Failed: {
    try {
      std::rethrow_exception(v.failed()->error);
    } catch (EvalError& err) {
      err.throwCopy();
    }
  }
  case ValueType::App: {
    Value* f = v.appLeft();
    Value* a = v.appRight();
    callFunction(*f, *a, v, pos);
    return;
  }
  case ValueType::Blackhole: throw InfiniteRecursionError("infinite recursion encountered", this->pos(pos), &v);
  default: return;
  }
}

void EvalState::addTrace(EvalError& e, PosIdx p, std::string_view hint) const { e.addTrace(pos(p), std::string(hint)); }

void EvalState::typeError(std::string_view expected, Value& v, PosIdx pos, std::string_view errorCtx, bool atPos) {
  TypeError err("expected " + std::string(expected) + " but found " + showType(v) + ": " + printValueForError(*this, v),
                atPos ? this->pos(pos) : Pos{});
  if (!errorCtx.empty()) err.addTrace(this->pos(pos), std::string(errorCtx));
  throw err;
}

// As Nix, the "while evaluating ..." context of a force* is added to type errors only: an error
// while evaluating the value itself keeps its own frames.
static void forceWithCtx(EvalState& st, Value& v, PosIdx pos, std::string_view) { st.forceValue(v, pos); }

int64_t EvalState::forceInt(Value& v, PosIdx pos, std::string_view errorCtx) {
  forceWithCtx(*this, v, pos, errorCtx);
  if (v.type() != ValueType::Int) typeError("an integer", v, pos, errorCtx);
  return v.integer();
}

double EvalState::forceFloat(Value& v, PosIdx pos, std::string_view errorCtx) {
  forceWithCtx(*this, v, pos, errorCtx);
  if (v.type() == ValueType::Int) return double(v.integer());
  if (v.type() != ValueType::Float) typeError("a float", v, pos, errorCtx);
  return v.fpoint();
}

bool EvalState::forceBool(Value& v, PosIdx pos, std::string_view errorCtx) {
  forceWithCtx(*this, v, pos, errorCtx);
  if (v.type() != ValueType::Bool) typeError("a Boolean", v, pos, errorCtx);
  return v.boolean();
}

Bindings* EvalState::forceAttrs(Value& v, PosIdx pos, std::string_view errorCtx) {
  forceWithCtx(*this, v, pos, errorCtx);
  if (v.type() != ValueType::Attrs) typeError("a set", v, pos, errorCtx);
  return v.attrs();
}

void EvalState::forceList(Value& v, PosIdx pos, std::string_view errorCtx) {
  forceWithCtx(*this, v, pos, errorCtx);
  if (v.type() != ValueType::List) typeError("a list", v, pos, errorCtx);
}

void EvalState::forceFunction(Value& v, PosIdx pos, std::string_view errorCtx) {
  forceWithCtx(*this, v, pos, errorCtx);
  if (!v.isFunction() && !(v.type() == ValueType::Attrs && v.attrs()->get(s.functor)))
    typeError("a function", v, pos, errorCtx);
}

std::string_view EvalState::forceString(Value& v, PosIdx pos, std::string_view errorCtx) {
  forceWithCtx(*this, v, pos, errorCtx);
  if (v.type() != ValueType::String) typeError("a string", v, pos, errorCtx, true);
  return v.string_view();
}

std::string_view EvalState::forceString(Value& v, NixStringContext& context, PosIdx pos, std::string_view errorCtx) {
  auto s = forceString(v, pos, errorCtx);
  copyContext(v, context);
  return s;
}

std::string_view EvalState::forceStringNoCtx(Value& v, PosIdx pos, std::string_view errorCtx) {
  auto s = forceString(v, pos, errorCtx);
  if (v.context())
    throw EvalError("the string '" + std::string(s) + "' is not allowed to refer to a store path (such as '" +
                        std::string(v.context()->items()[0]->view()) + "')",
                    this->pos(pos));
  return s;
}

PosIdx EvalState::determinePos(const Value& v, PosIdx fallback) const {
  switch (v.type()) {
  case ValueType::Attrs: return v.attrs()->pos;
  case ValueType::Lambda: return v.lambda()->pos;
  case ValueType::App: return determinePos(*v.appLeft(), fallback);
  default: return fallback;
  }
}

namespace {

// forceValueDeep's walk. As Nix's, it is recursive, counts towards max-call-depth (so a deep
// structure ends in "stack overflow", not a crash) and says which attribute or list element it
// was in when an error passes.
struct DeepForcer {
  EvalState& st;
  size_t& callDepth;
  std::unordered_set<const void*> seen;

  void recurse(Value& v) {
    PosIdx pos = st.determinePos(v, noPos);
    if (callDepth > st.settings.maxCallDepth)
      throw StackOverflowError("stack overflow; max-call-depth exceeded", st.pos(pos));
    ++callDepth;
    struct Guard {
      size_t& d;
      ~Guard() { --d; }
    } guard{callDepth};
    st.checkStack();
    st.forceValue(v, pos);
    if (v.type() == ValueType::Attrs) {
      if (!seen.insert(v.attrs()).second) return;
      for (auto& a : *v.attrs()) {
        try {
          recurse(*a.value);
        } catch (EvalError& e) {
          st.addTrace(e, a.pos, "while evaluating the attribute '" + std::string(st.name(a.name)) + "'");
          throw;
        }
      }
    } else if (v.type() == ValueType::List) {
      if (v.listSize() == 0 || !seen.insert(v.listElems()).second) return;
      for (size_t i = 0; i < v.listSize(); ++i) {
        try {
          recurse(*v.listElems()[i]);
        } catch (EvalError& e) {
          st.addTrace(e, noPos, "while evaluating list element at index " + std::to_string(i));
          throw;
        }
      }
    }
  }
};

} // namespace

void EvalState::forceValueDeep(Value& v) { DeepForcer{*this, callDepth_, {}}.recurse(v); }

bool EvalState::isDerivation(Value& v) {
  if (v.type() != ValueType::Attrs) return false;
  auto* t = v.attrs()->get(s.type);
  if (!t) return false;
  forceValue(*t->value, t->pos);
  return t->value->type() == ValueType::String && t->value->string_view() == "derivation";
}

// ---------------------------------------------------------------------------------------------
// Coercion

std::string EvalState::copyPathToStore(NixStringContext& context, const std::string& path, PosIdx pos) {
  std::string dstPath;
  if (auto i = srcToStore.find(path); i != srcToStore.end()) dstPath = i->second;
  else {
    if (!withPos(*this, pos, [&] { return io.pathExists(path); }))
      throw EvalError("path '" + path + "' does not exist", Pos{});
    auto slash = path.rfind('/');
    std::string name = path.substr(slash + 1);
    try {
      dstPath = io.copyPathToStore(path, name, true, nullptr);
    } catch (EvalError&) {
      throw;
    } catch (Error& e) {
      throw EvalError(e.what(), this->pos(pos));
    }
    srcToStore[path] = dstPath;
  }
  context.insert(dstPath);
  return dstPath;
}

namespace {

// Follows the `__toString` or else the `outPath` attribute of attribute set `v`, with Nix's trace
// frames, and returns what `next` makes of the value it leads to; nullopt when `v` has neither.
template <typename Next>
std::optional<std::string> peelAttrs(EvalState& st, PosIdx pos, Value& v, Next next) {
  if (auto* f = v.attrs()->get(st.s.toString)) {
    Value res;
    Value* self = st.allocValue();
    *self = v;
    try {
      st.callFunction(*f->value, *self, res, f->pos);
    } catch (EvalError& e) {
      st.addTrace(e, f->pos, "while calling the `__toString` attribute");
      throw;
    }
    try {
      return next(res);
    } catch (EvalError& e) {
      st.addTrace(e, f->pos, "while using the result of the `__toString` attribute");
      throw;
    }
  }
  if (auto* o = v.attrs()->get(st.s.outPath)) {
    try {
      st.forceValue(*o->value, pos);
    } catch (EvalError& e) {
      st.addTrace(e, o->pos, "while evaluating the `outPath` attribute");
      throw;
    }
    try {
      return next(*o->value);
    } catch (EvalError& e) {
      st.addTrace(e, o->pos, "while using the `outPath` attribute");
      throw;
    }
  }
  return std::nullopt;
}

} // namespace

std::string EvalState::coerceToString(PosIdx pos, Value& v, NixStringContext& context, std::string_view errorCtx,
                                      bool coerceMore, bool copyToStore) {
  forceWithCtx(*this, v, pos, errorCtx);
  switch (v.type()) {
  case ValueType::String: copyContext(v, context); return std::string(v.string_view());
  case ValueType::Path: {
    std::string p(v.path()->view());
    return copyToStore ? copyPathToStore(context, p, pos) : p;
  }
  case ValueType::Attrs: {
    if (auto r = peelAttrs(*this, pos, v, [&](Value& inner) {
          return coerceToString(pos, inner, context, errorCtx, coerceMore, copyToStore);
        }))
      return *r;
    break;
  }
  case ValueType::Bool:
    if (coerceMore) return v.boolean() ? "1" : "";
    break;
  case ValueType::Int:
    if (coerceMore) return std::to_string(v.integer());
    break;
  case ValueType::Float:
    if (coerceMore) {
      std::string out;
      printFloat(v.fpoint(), out);
      return out;
    }
    break;
  case ValueType::Null:
    if (coerceMore) return "";
    break;
  case ValueType::List:
    if (coerceMore) {
      std::string out;
      for (size_t i = 0; i < v.listSize(); ++i) {
        Value* e = v.listElems()[i];
        try {
          out += coerceToString(pos, *e, context, "while evaluating one element of the list", coerceMore, copyToStore);
        } catch (EvalError& err) {
          if (!errorCtx.empty()) addTrace(err, pos, errorCtx);
          throw;
        }
        if (i + 1 < v.listSize()) {
          forceValue(*e, pos);
          if (!(e->type() == ValueType::List && e->listSize() == 0)) out += ' ';
        }
      }
      return out;
    }
    break;
  default: break;
  }
  TypeError err("cannot coerce " + showType(v) + " to a string: " + printValueForError(*this, v), Pos{});
  if (!errorCtx.empty()) err.addTrace(this->pos(pos), std::string(errorCtx));
  throw err;
}

std::string EvalState::coerceToPath(PosIdx pos, Value& v, NixStringContext& context, std::string_view errorCtx) {
  forceValue(v, pos);
  if (v.type() == ValueType::Path) return std::string(v.path()->view());
  // __toString and outPath may lead to a path value, so they are followed here, each with its
  // frames, as Nix does.
  if (v.type() == ValueType::Attrs) {
    if (auto r = peelAttrs(*this, pos, v, [&](Value& inner) { return coerceToPath(pos, inner, context, errorCtx); }))
      return *r;
  }
  std::string p = coerceToString(pos, v, context, errorCtx, false, false);
  if (p.empty() || p[0] != '/') {
    EvalError err("string '" + p + "' doesn't represent an absolute path", Pos{});
    if (!errorCtx.empty()) err.addTrace(this->pos(pos), std::string(errorCtx));
    throw err;
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Equality

bool EvalState::eqValues(Value& a, Value& b, PosIdx pos, std::string_view errorCtx) {
  forceWithCtx(*this, a, pos, errorCtx);
  forceWithCtx(*this, b, pos, errorCtx);
  if (&a == &b) return true;
  if (a.type() == ValueType::Int && b.type() == ValueType::Float) return double(a.integer()) == b.fpoint();
  if (a.type() == ValueType::Float && b.type() == ValueType::Int) return a.fpoint() == double(b.integer());
  if (a.type() != b.type()) return false;
  switch (a.type()) {
  case ValueType::Int: return a.integer() == b.integer();
  case ValueType::Float: return a.fpoint() == b.fpoint();
  case ValueType::Bool: return a.boolean() == b.boolean();
  case ValueType::Null: return true;
  case ValueType::String: return a.string_view() == b.string_view();
  case ValueType::Path: return a.path()->view() == b.path()->view();
  case ValueType::List:
    if (a.listSize() != b.listSize()) return false;
    for (size_t i = 0; i < a.listSize(); ++i)
      if (!eqValues(*a.listElems()[i], *b.listElems()[i], pos, errorCtx)) return false;
    return true;
  case ValueType::Attrs: {
    if (isDerivation(a) && isDerivation(b)) {
      auto* o1 = a.attrs()->get(s.outPath);
      auto* o2 = b.attrs()->get(s.outPath);
      if (o1 && o2) return eqValues(*o1->value, *o2->value, pos, errorCtx);
    }
    if (a.attrs()->size != b.attrs()->size) return false;
    for (uint32_t i = 0; i < a.attrs()->size; ++i) {
      const Attr& x = a.attrs()->attrs()[i];
      const Attr& y = b.attrs()->attrs()[i];
      if (x.name != y.name || !eqValues(*x.value, *y.value, pos, errorCtx)) return false;
    }
    return true;
  }
  default: return false;  // functions are never equal
  }
}

// ---------------------------------------------------------------------------------------------
// Setup, parsing, files

namespace {

std::unique_ptr<RestrictedEvalIo> makeRestrictedIo(EvalIo& io, const EvalSettings& s) {
  if (!s.pureEval && !s.restrictEval) return nullptr;
  return std::make_unique<RestrictedEvalIo>(io, s.pureEval, s.restrictEval, s.allowedUris);
}

// As Nix: pure evaluation has no search path (neither -I nor NIX_PATH).
EvalSettings effectiveSettings(EvalSettings s) {
  if (s.pureEval) s.nixPath.clear();
  return s;
}

} // namespace

EvalState::EvalState(EvalIo& io_, EvalSettings settings_)
    : restricted_(makeRestrictedIo(io_, settings_)), io(restricted_ ? *restricted_ : io_),
      settings(effectiveSettings(std::move(settings_))) {
  GC_INIT();
  // No collection before 2 MiB have been allocated since the last one: Boehm's default
  // (collect after allocating 2/3 of the live pointer data) made small evaluations collect
  // every few hundred KiB while their heap grew, marking data that was nearly all live
  // (3000 derivations: 7 collections, 4 % of the instructions). Costs at most 2 MiB of
  // garbage kept a little longer.
  GC_set_min_bytes_allocd(2u << 20);
  freeLists_ = static_cast<void**>(GC_MALLOC_UNCOLLECTABLE(2 * sizeof(void*)));
  stackLimit_ = settings.maxStackBytes;
  struct rlimit rl;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    size_t avail = rl.rlim_cur > (1u << 20) ? size_t(rl.rlim_cur) - (1u << 20) : size_t(rl.rlim_cur) / 2;
    stackLimit_ = std::min(stackLimit_, avail);
  }
  s.outPath = symbol("outPath");
  s.type = symbol("type");
  s.drvPath = symbol("drvPath");
  s.name = symbol("name");
  s.value = symbol("value");
  s.file = symbol("file");
  s.line = symbol("line");
  s.column = symbol("column");
  s.functor = symbol("__functor");
  s.toString = symbol("__toString");
  s.derivation = symbol("derivation");
  s.outputs = symbol("outputs");
  s.out = symbol("out");
  s.success = symbol("success");
  s.prefix = symbol("prefix");
  s.path = symbol("path");
  s.body = symbol("body");
  s.self = symbol("self");
  createBaseEnv();
  if (restricted_) allowSearchPath();
}

EvalState::~EvalState() { GC_FREE(freeLists_); }

void EvalState::allowSearchPath() {
  // As Nix's EvalState constructor: every entry of the search path, and for an entry in the
  // store the closure of its store path (the entry itself when that is not a valid path).
  std::string storeDir = io.storeDir();
  for (auto& entry : settings.nixPath) {
    auto eq = entry.find('=');
    auto dir = resolveSearchPathEntry(eq == std::string::npos ? entry : entry.substr(eq + 1));
    if (!dir) continue;
    std::string path = canonPath(*dir);
    if (!path.starts_with(storeDir + "/")) {
      restricted_->allowPath(path);
      continue;
    }
    std::string top = storeDir + "/" + path.substr(storeDir.size() + 1, path.find('/', storeDir.size() + 1) - storeDir.size() - 1);
    try {
      std::set<std::string> closure{top};
      std::vector<std::string> todo{top};
      while (!todo.empty()) {
        std::string p = todo.back();
        todo.pop_back();
        for (auto& r : uncheckedIo().queryReferences(p))
          if (closure.insert(r).second) todo.push_back(r);
      }
      for (auto& p : closure) restricted_->allowPath(p);
    } catch (Error&) {
      restricted_->allowPath(path);
    }
  }
}

void EvalState::allowPath(const std::string& path) {
  if (restricted_) restricted_->allowPath(path);
}

void EvalState::checkSourcePath(const std::string& path) {
  if (restricted_) restricted_->checkSourcePath(path);
}

void EvalState::checkUri(const std::string& uri) {
  if (restricted_) restricted_->checkUri(uri);
}

std::string EvalState::toRealPath(const std::string& path, const NixStringContext& context) {
  std::string storeDir = io.storeDir();
  if (context.empty() || !path.starts_with(storeDir + "/")) return path;
  return io.toRealPath(path);
}

EvalIo& EvalState::uncheckedIo() { return restricted_ ? restricted_->inner() : io; }

const PrimOp* EvalState::findPrimOp(std::string_view n) const {
  for (auto& p : primOps_)
    if (p->name == n) return p.get();
  return nullptr;
}

static void primNotImplemented(EvalState& st, PosIdx pos, Value**, Value&) {
  throw EvalError("this builtin is not implemented yet in nixpp", st.pos(pos));
}

void EvalState::createBaseEnv() {
  staticBaseEnv_ = makeBaseEnv(symbols);
  const auto& names = globalNames();
  baseEnv_ = static_cast<Env*>(GC_MALLOC_UNCOLLECTABLE(offsetof(Env, values) + names.size() * sizeof(Value*)));
  BuiltinTable table;
  registerAllBuiltins(table);
  std::unordered_map<std::string_view, size_t> slotOf;
  for (size_t i = 0; i < names.size(); ++i) slotOf[names[i]] = i;

  std::vector<std::pair<Symbol, Value*>> all;
  auto bind = [&](const std::string& n, Value* v) {
    all.emplace_back(symbol(n), v);
    if (auto i = slotOf.find(n); i != slotOf.end()) baseEnv_->values[i->second] = v;
    else if (auto j = slotOf.find("__" + n); j != slotOf.end()) baseEnv_->values[j->second] = v;
  };
  for (auto& p : table.primOps) {
    if (!p.feature.empty() && !settings.hasFeature(p.feature)) continue;
    primOps_.push_back(std::make_unique<PrimOp>(p));
    primOps_.back()->symbol = symbol(p.name);
    auto* v = static_cast<Value*>(GC_MALLOC_UNCOLLECTABLE(sizeof(Value)));
    v->mkPrimOp(primOps_.back().get());
    bind(p.name, v);
  }
  builtins_ = static_cast<Value*>(GC_MALLOC_UNCOLLECTABLE(sizeof(Value)));
  bind("builtins", builtins_);
  std::vector<std::pair<BuiltinTable::Constant*, Value*>> constants;
  for (auto& c : table.constants) {
    if (c.purity == BuiltinTable::Purity::impure && settings.pureEval) continue;
    auto* v = static_cast<Value*>(GC_MALLOC_UNCOLLECTABLE(sizeof(Value)));
    v->mkNull();
    bind(c.name, v);
    constants.emplace_back(&c, v);
  }
  // Names the base env declares that nixpp does not implement yet: a primop that says so.
  for (size_t i = 0; i < names.size(); ++i) {
    if (baseEnv_->values[i]) continue;
    std::string n(names[i].starts_with("__") ? names[i].substr(2) : names[i]);
    primOps_.push_back(std::make_unique<PrimOp>(PrimOp{n, 1, primNotImplemented, symbol(n), {}}));
    auto* v = static_cast<Value*>(GC_MALLOC_UNCOLLECTABLE(sizeof(Value)));
    v->mkPrimOp(primOps_.back().get());
    baseEnv_->values[i] = v;
  }
  Bindings* b = static_cast<Bindings*>(GC_MALLOC_UNCOLLECTABLE(sizeof(Bindings) + all.size() * sizeof(Attr)));
  b->capacity = uint32_t(all.size());
  for (auto& [sym, v] : all) b->push(sym, v);
  b->sort();
  builtins_->mkAttrs(b);
  for (auto& [c, v] : constants) c->init(*this, *v);
  opAdd_ = findPrimOp("add");
  opSub_ = findPrimOp("sub");
  opMul_ = findPrimOp("mul");
  opDiv_ = findPrimOp("div");
  opLessThan_ = findPrimOp("lessThan");
}

Expr* EvalState::parseExprFromString(std::string text, const std::string& basePath, Origin::Kind kind,
                                      std::string originName) {
  Origin origin;
  origin.kind = kind;
  origin.path = std::move(originName);
  origin.source = std::make_shared<std::string>(std::move(text));
  uint32_t nr = positions.addOrigin(std::move(origin));
  arenas_.push_back(std::make_unique<Arena>());
  ParseContext ctx{symbols, positions, *arenas_.back(), basePath, settings.home, settings.lexer};
  Expr* e = parseNix(ctx, nr);
  bindVars(e, &staticBaseEnv_, symbols, positions);
  return e;
}

static std::string dirOfPath(const std::string& p) {
  auto slash = p.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

std::string followSymlinks(EvalIo& io, std::string path) {
  std::string original = path;
  for (int follow = 0; io.fileType(path) == EvalIo::FileType::Symlink; ++follow) {
    if (follow >= 1024) throw Error("too many symbolic links encountered while traversing the path '" + original + "'");
    std::string target = io.readLink(path);
    path = canonPath(target.starts_with("/") ? target : dirOfPath(path) + "/" + target);
  }
  return path;
}

Expr* EvalState::parseExprFromFile(const std::string& path0) {
  std::string path = path0;
  const char* corepkg = corepkgSource(path);
  if (!corepkg && io.pathExists(path)) {
    // As Nix's resolveExprPath: follow symlinks (so relative paths in the file are relative to
    // its real place), then a directory means its default.nix.
    path = followSymlinks(io, path);
    if (io.fileType(path) == EvalIo::FileType::Directory) path += "/default.nix";
  }
  if (auto i = parseCache_.find(path); i != parseCache_.end()) return i->second;
  Origin origin;
  origin.kind = Origin::Kind::File;
  origin.path = path;
  origin.source = std::make_shared<std::string>(corepkg ? std::string(corepkg) : io.readFile(path));
  uint32_t nr = positions.addOrigin(std::move(origin));
  arenas_.push_back(std::make_unique<Arena>());
  ParseContext ctx{symbols, positions, *arenas_.back(), dirOfPath(path), settings.home, settings.lexer};
  Expr* e = parseNix(ctx, nr);
  bindVars(e, &staticBaseEnv_, symbols, positions);
  parseCache_[path] = e;
  return e;
}

Expr* EvalState::parseExprFromFile(const std::string& path0, const StaticEnv& env) {
  std::string path = path0;
  if (io.fileType(path) == EvalIo::FileType::Directory) path += "/default.nix";
  Origin origin;
  origin.kind = Origin::Kind::File;
  origin.path = path;
  origin.source = std::make_shared<std::string>(io.readFile(path));
  uint32_t nr = positions.addOrigin(std::move(origin));
  arenas_.push_back(std::make_unique<Arena>());
  ParseContext ctx{symbols, positions, *arenas_.back(), dirOfPath(path), settings.home, settings.lexer};
  Expr* e = parseNix(ctx, nr);
  bindVars(e, &env, symbols, positions);
  return e;
}

void EvalState::evalFile(const std::string& path, Value& v) {
  if (auto i = fileEvalCache.find(path); i != fileEvalCache.end()) {
    v = *i->second;
    return;
  }
  Expr* e = parseExprFromFile(path);
  auto* cached = static_cast<Value*>(GC_MALLOC_UNCOLLECTABLE(sizeof(Value)));
  eval(e, *cached);
  fileEvalCache[path] = cached;
  v = *cached;
}

std::string resolveUri(const std::string& uri) {
  if (uri.starts_with("channel:")) return "https://nixos.org/channels/" + uri.substr(8) + "/nixexprs.tar.xz";
  return uri;
}

std::optional<std::string> EvalState::resolveSearchPathEntry(const std::string& path) {
  // Nix 2.8's isUri.
  auto scheme = path.find("://");
  std::string s = scheme == std::string::npos ? "" : path.substr(0, scheme);
  bool isUri = path.starts_with("channel:") || s == "http" || s == "https" || s == "file" || s == "channel" ||
               s == "git" || s == "s3" || s == "ssh";
  if (auto i = searchPathResolved_.find(path); i != searchPathResolved_.end()) return i->second;
  if (!isUri) {
    // As Nix: a missing directory is skipped, with a warning the first time.
    std::optional<std::string> res = canonPath(uncheckedIo().absPath(path));
    if (!uncheckedIo().pathExists(*res)) {
      std::cerr << "warning: Nix search path entry '" << path << "' does not exist, ignoring\n";
      res.reset();
    }
    searchPathResolved_[path] = res;
    return res;
  }
  std::optional<std::string> res;
  try {
    FetchRequest req;
    req.type = FetchRequest::Type::tarball;
    req.url = resolveUri(path);
    req.name = "source";
    // Unchecked (no allowed-uris), as Nix 2.8; the result is where it is on disk.
    res = io.toRealPath(uncheckedIo().fetch(req).storePath);
  } catch (Error&) {
    std::cerr << "warning: Nix search path entry '" << path << "' cannot be downloaded, ignoring\n";
  }
  searchPathResolved_[path] = res;
  return res;
}

std::string EvalState::findFile(std::string_view name, PosIdx pos) {
  if (name.starts_with("nix/")) return "/__corepkgs__/" + std::string(name.substr(4));
  for (auto& entry : settings.nixPath) {
    std::string prefix, path = entry;
    if (auto eq = entry.find('='); eq != std::string::npos) {
      prefix = entry.substr(0, eq);
      path = entry.substr(eq + 1);
    }
    std::string rest;
    if (prefix.empty()) rest = std::string(name);
    else if (name == prefix) rest = "";
    else if (name.starts_with(prefix) && name.size() > prefix.size() && name[prefix.size()] == '/')
      rest = std::string(name.substr(prefix.size() + 1));
    else continue;
    auto dir = resolveSearchPathEntry(path);
    if (!dir) continue;
    path = *dir;
    std::string full = canonPath(rest.empty() ? path : path + "/" + rest);
    if (uncheckedIo().pathExists(full)) return full;  // unchecked, as Nix: reading it is checked
  }
  throw ThrownError(searchPathMiss(name), this->pos(pos));
}

std::string EvalState::searchPathMiss(std::string_view name) const {
  if (settings.pureEval)
    return "cannot look up '<" + std::string(name) + ">' in pure evaluation mode (use '--impure' to override)";
  return "file '" + std::string(name) + "' was not found in the Nix search path (add it using $NIX_PATH or -I)";
}

void EvalState::printTrace(std::string_view msg) { std::cerr << "trace: " << msg << std::endl; }

} // namespace nixpp
