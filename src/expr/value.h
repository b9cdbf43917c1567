// expr/value.h: the runtime values of the Nix language.
//
// A Value is 16 bytes: two words, the type tag in the low 4 bits of the first. Payloads that are
// two pointers (thunks, applications, lambdas, partial primop applications, strings with a
// context) keep a 16-byte-aligned GC pointer in the first word beside the tag and the other in
// the second word. Values, environments, attribute sets and list arrays live on the Boehm GC
// heap (allocated through EvalState), so nothing here is freed explicitly.
//
// Strings are NixString (length + bytes + NUL) with an optional StringContext: the store paths
// the string refers to, encoded as Nix does ("/nix/store/...", "=/nix/store/....drv" for a
// derivation and its closure, "!out!/nix/store/....drv" for one output of a derivation).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "expr/pos.h"
#include "expr/symbol_table.h"

namespace nixpp {

struct Expr;
struct ExprLambda;
struct Env;
struct PrimOp;
struct Value;
struct FailedValue;  // expr/eval_values.cc

enum class ValueType : uint8_t {
  Uninit = 0, Thunk, App, Blackhole, Failed,  // not yet in weak head normal form
  Int, Float, Bool, Null, String, Path, Attrs, List, Lambda, PrimOp, PrimOpApp,
};

// An immutable string on the GC heap (or in a parse arena): `size` bytes then a NUL.
struct NixString {
  size_t size;
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view view() const { return {data(), size}; }
};

// The sorted, duplicate-free set of context elements of a string.
struct StringContext {
  size_t size;
  const NixString* const* items() const { return reinterpret_cast<const NixString* const*>(this + 1); }
};

// One attribute of a set.
struct Attr {
  Symbol name;
  PosIdx pos;
  Value* value;
};

// An attribute set: attributes sorted by Symbol (Nix's order), looked up by binary search.
// Built by EvalState::allocBindings + push + (if not pushed in order) sort.
struct alignas(8) Bindings {  // aligned so that the attrs after it are (the GC scans aligned words)
  uint32_t size = 0, capacity = 0;
  PosIdx pos;  // where the set was defined (for messages)
  Attr* begin() { return attrs(); }
  Attr* end() { return attrs() + size; }
  const Attr* begin() const { return attrs(); }
  const Attr* end() const { return attrs() + size; }
  Attr* attrs() { return reinterpret_cast<Attr*>(this + 1); }
  const Attr* attrs() const { return reinterpret_cast<const Attr*>(this + 1); }
  // The attribute `name`, or null.
  const Attr* get(Symbol name) const;
  // Appends (REQUIRES size < capacity).
  void push(Symbol name, Value* v, PosIdx pos = noPos) { attrs()[size++] = Attr{name, pos, v}; }
  // Sorts by name; later duplicates are kept after earlier ones (callers avoid duplicates).
  void sort();
};

struct alignas(16) Value {
  uintptr_t w0 = 0;  // tag | (pointer or small payload)
  uintptr_t w1 = 0;

  ValueType type() const { return ValueType(w0 & 15); }
  bool isThunk() const { return uint8_t(uint8_t(type()) - 1) < uint8_t(ValueType::Failed); }
  bool isFunction() const { auto t = type(); return t == ValueType::Lambda || t == ValueType::PrimOp || t == ValueType::PrimOpApp; }

  // --- constructors (the value is overwritten) ---
  void mkInt(int64_t n) { set(ValueType::Int, 0, uintptr_t(n)); }
  void mkFloat(double f) { set(ValueType::Float, 0, std::bit_cast<uintptr_t>(f)); }
  void mkBool(bool b) { set(ValueType::Bool, 0, b); }
  void mkNull() { set(ValueType::Null, 0, 0); }
  void mkString(const NixString* s, const StringContext* ctx = nullptr) { set(ValueType::String, uintptr_t(ctx), uintptr_t(s)); }
  void mkPath(const NixString* s) { set(ValueType::Path, 0, uintptr_t(s)); }
  void mkAttrs(Bindings* b) { set(ValueType::Attrs, 0, uintptr_t(b)); }
  void mkList(size_t size, Value** elems) { set(ValueType::List, size << 4, uintptr_t(elems)); }
  void mkThunk(Env* env, Expr* e) { set(ValueType::Thunk, uintptr_t(env), uintptr_t(e)); }
  void mkApp(Value* fun, Value* arg) { set(ValueType::App, uintptr_t(fun), uintptr_t(arg)); }
  void mkLambda(Env* env, ExprLambda* l) { set(ValueType::Lambda, uintptr_t(env), uintptr_t(l)); }
  void mkPrimOp(const PrimOp* p) { set(ValueType::PrimOp, 0, uintptr_t(p)); }
  void mkPrimOpApp(Value* left, Value* right) { set(ValueType::PrimOpApp, uintptr_t(left), uintptr_t(right)); }
  // A thunk whose evaluation failed: forcing it again throws a copy of that error (as Nix 2.34,
  // which memoises errors); `error` is GC-allocated and owns the exception.
  void mkFailed(struct FailedValue* error) { set(ValueType::Failed, 0, uintptr_t(error)); }
  void mkBlackhole() { w0 = (w0 & ~uintptr_t(15)) | uintptr_t(ValueType::Blackhole); }

  // --- accessors (REQUIRE the matching type) ---
  int64_t integer() const { return int64_t(w1); }
  double fpoint() const { return std::bit_cast<double>(w1); }
  bool boolean() const { return w1 != 0; }
  const NixString* str() const { return reinterpret_cast<const NixString*>(w1); }
  std::string_view string_view() const { return str()->view(); }
  const char* c_str() const { return str()->data(); }
  const StringContext* context() const { return reinterpret_cast<const StringContext*>(ptr0()); }
  const NixString* path() const { return str(); }
  Bindings* attrs() const { return reinterpret_cast<Bindings*>(w1); }
  size_t listSize() const { return w0 >> 4; }
  Value** listElems() const { return reinterpret_cast<Value**>(w1); }
  Env* thunkEnv() const { return reinterpret_cast<Env*>(ptr0()); }
  Expr* thunkExpr() const { return reinterpret_cast<Expr*>(w1); }
  Value* appLeft() const { return reinterpret_cast<Value*>(ptr0()); }
  Value* appRight() const { return reinterpret_cast<Value*>(w1); }
  Env* lambdaEnv() const { return reinterpret_cast<Env*>(ptr0()); }
  ExprLambda* lambda() const { return reinterpret_cast<ExprLambda*>(w1); }
  const PrimOp* primOp() const { return reinterpret_cast<const PrimOp*>(w1); }
  FailedValue* failed() const { return reinterpret_cast<FailedValue*>(w1); }
  Value* primOpAppLeft() const { return appLeft(); }
  Value* primOpAppRight() const { return appRight(); }

private:
  uintptr_t ptr0() const { return w0 & ~uintptr_t(15); }
  void set(ValueType t, uintptr_t a, uintptr_t b) {
    w0 = a | uintptr_t(t);
    w1 = b;
  }
};
static_assert(sizeof(Value) == 16);
static_assert(sizeof(Bindings) % alignof(Attr) == 0);

// A runtime environment: the values of one static scope (expr/ast.h StaticEnv) in slot order.
// A `with` scope has one slot, the (thunk of the) attribute set; the way to the enclosing `with`
// env is static (ExprWith::prevWith). Kept to one word of header: a one-slot env is 16 bytes.
struct Env {
  Env* up;
  Value* values[1];  // really [the scope's size]
};

// Nix's names for types, as in error messages ("a string", "an integer", "a set"...).
std::string_view showType(ValueType t);
// The type name of builtins.typeOf: "int", "float", "bool", "null", "string", "path", "set",
// "list", "lambda".
std::string_view typeOfName(ValueType t);

} // namespace nixpp
