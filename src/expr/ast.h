// expr/ast.h: the abstract syntax tree of the Nix language, as Nix's parser builds it (with
// its desugarings: `a - b` is `__sub a b`, `<p>` is `__findFile __nixPath "p"`, ...).
//
// Nodes are plain structs tagged with an ExprKind (dispatch by switch, no virtual calls) and
// allocated in an Arena owned by the parse result, so a tree is freed all at once. Variables are
// resolved before evaluation by bindVars(): each ExprVar gets a (level, displacement) into the
// chain of static environments, or is marked as coming from the nearest enclosing `with`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "expr/pos.h"
#include "expr/symbol_table.h"

namespace nixpp {

struct Value;

// A bump allocator for AST nodes and their strings. Destructors of non-trivial objects run when
// the arena dies (in reverse order). Not thread-safe.
class Arena {
public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  template <class T, class... Args>
  T* make(Args&&... args) {
    void* mem = allocate(sizeof(T), alignof(T));
    T* obj = new (mem) T(std::forward<Args>(args)...);
    if constexpr (!std::is_trivially_destructible_v<T>)
      dtors_.push_back({obj, [](void* p) { static_cast<T*>(p)->~T(); }});
    return obj;
  }
  // Copies `s` into the arena.
  std::string_view copy(std::string_view s);
  void* allocate(size_t size, size_t align);

private:
  struct Dtor {
    void* obj;
    void (*run)(void*);
  };
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = nullptr;
  size_t left_ = 0;
  std::vector<Dtor> dtors_;
};

enum class ExprKind : uint8_t {
  Int, Float, String, Path, Var, Select, OpHasAttr, Attrs, List, Lambda, Call, Let, With, If,
  Assert, OpNot, OpEq, OpNEq, OpAnd, OpOr, OpImpl, OpUpdate, OpConcatLists, ConcatStrings, CurPos,
  InheritFrom,
};

struct Expr {
  ExprKind kind;
  PosIdx pos;
  explicit Expr(ExprKind k, PosIdx p = noPos) : kind(k), pos(p) {}
};

struct ExprInt : Expr {
  int64_t n;
  Value* value = nullptr;  // the evaluator's constant Value, made on first use (never written after)
  explicit ExprInt(int64_t v) : Expr(ExprKind::Int), n(v) {}
};

struct ExprFloat : Expr {
  double f;
  Value* value = nullptr;  // as ExprInt::value
  explicit ExprFloat(double v) : Expr(ExprKind::Float), f(v) {}
};

struct ExprString : Expr {
  std::string_view s;  // in the arena
  Value* value = nullptr;  // the evaluator's constant string Value, made on first use
  explicit ExprString(std::string_view v) : Expr(ExprKind::String), s(v) {}
};

// A path literal, already made absolute (relative ones against the base directory, `~/`
// against $HOME).
struct ExprPath : Expr {
  std::string_view path;
  Value* value = nullptr;  // the evaluator's constant path Value, made on first use
  explicit ExprPath(std::string_view p) : Expr(ExprKind::Path), path(p) {}
};

struct ExprWith;

struct ExprVar : Expr {
  Symbol name;
  // Set by bindVars: either found statically at `level` envs up, slot `displ`; or (fromWith)
  // to be looked up dynamically in the `with` that is `level` envs up (`with`), then the ones
  // around it (ExprWith::parentWith).
  bool fromWith = false;
  uint32_t level = 0, displ = 0;
  const ExprWith* with = nullptr;
  ExprVar(PosIdx p, Symbol n) : Expr(ExprKind::Var, p), name(n) {}
};

// One element of an attribute path: a static name, or a dynamic `${expr}` / "string${...}".
struct AttrName {
  Symbol symbol;
  Expr* expr = nullptr;
};
using AttrPath = std::vector<AttrName>;

struct ExprSelect : Expr {
  Expr* e;
  AttrPath path;
  Expr* def;  // the `or` default, or null
  ExprSelect(PosIdx p, Expr* e_, AttrPath path_, Expr* def_)
      : Expr(ExprKind::Select, p), e(e_), path(std::move(path_)), def(def_) {}
};

struct ExprOpHasAttr : Expr {
  Expr* e;
  AttrPath path;
  ExprOpHasAttr(Expr* e_, AttrPath path_) : Expr(ExprKind::OpHasAttr), e(e_), path(std::move(path_)) {}
};

// Reads slot `displ` of the hidden environment holding the `inherit (expr)` sources of the
// enclosing attribute set / let.
struct ExprInheritFrom : Expr {
  uint32_t displ;
  ExprInheritFrom(PosIdx p, uint32_t d) : Expr(ExprKind::InheritFrom, p), displ(d) {}
};

struct AttrDef {
  enum class Kind : uint8_t { Plain, Inherited, InheritedFrom };
  Symbol name;
  Kind kind = Kind::Plain;
  Expr* e;
  PosIdx pos;
  uint32_t displ = 0;  // slot in a rec/let environment (set by bindVars)
};

struct DynamicAttrDef {
  Expr* nameExpr;
  Expr* valueExpr;
  PosIdx pos;
};

// `{ ... }`, `rec { ... }`, and the bindings of a `let`. After bindVars, `attrs` is sorted by
// symbol number and displacements equal indices.
struct ExprAttrs : Expr {
  bool recursive = false;
  std::vector<AttrDef> attrs;
  std::vector<DynamicAttrDef> dynamicAttrs;
  std::vector<Expr*> inheritFromExprs;
  explicit ExprAttrs(PosIdx p = noPos);
  ~ExprAttrs();
  // The definition of `name`, or null.
  AttrDef* find(Symbol name);
  // Appends a definition (the caller checked that `def.name` is not defined yet).
  void add(AttrDef def);
  // Drops the lookup index and sorts `attrs` by symbol.
  void sortAttrs();

private:
  struct Index;
  std::unique_ptr<Index> index_;
};

struct ExprList : Expr {
  std::vector<Expr*> elems;
  ExprList() : Expr(ExprKind::List) {}
};

struct Formal {
  PosIdx pos;
  Symbol name;
  Expr* def = nullptr;
};

struct ExprLambda : Expr {
  Symbol arg;                   // `x:` or the `@` name; empty if none
  bool hasFormals = false;
  bool ellipsis = false;
  std::vector<Formal> formals;  // sorted by symbol number
  Expr* body = nullptr;
  Symbol name;                  // the attribute it was bound to, for messages
  // Set by the evaluator at the first call (-1: not yet): k > 0 when this is a plain-argument
  // lambda whose body, after k - 1 more plain-argument lambdas (`a: b: ...`), is unlikely to
  // capture its environments or return anything that does; a call with at least k arguments
  // then keeps those k environments on the C stack (copied to the GC heap if captured after all).
  int8_t stackChain = -1;
  // Set by the evaluator at the first call (-1: not yet): 1 when a call forces the argument
  // before anything else can happen or see it (formals; a body such as `if n < 2 then ...`), so
  // that an argument computed at once (EvalState::evalReadyArith) cannot be told from a thunk.
  int8_t strictArg = -1;
  explicit ExprLambda(PosIdx p) : Expr(ExprKind::Lambda, p) {}
};

// Application to one or more arguments (Nix merges `f a b` into one call).
struct ExprCall : Expr {
  Expr* fun;
  std::vector<Expr*> args;
  ExprCall(PosIdx p, Expr* f, std::vector<Expr*> a) : Expr(ExprKind::Call, p), fun(f), args(std::move(a)) {}
};

struct ExprLet : Expr {
  ExprAttrs* attrs;
  Expr* body;
  ExprLet(ExprAttrs* a, Expr* b) : Expr(ExprKind::Let), attrs(a), body(b) {}
};

struct ExprWith : Expr {
  Expr* attrs;
  Expr* body;
  uint32_t prevWith = 0;  // levels up to the enclosing `with`, 0 if none (set by bindVars)
  const ExprWith* parentWith = nullptr;  // that enclosing `with` (set by bindVars)
  ExprWith(PosIdx p, Expr* a, Expr* b) : Expr(ExprKind::With, p), attrs(a), body(b) {}
};

struct ExprIf : Expr {
  Expr *cond, *then, *else_;
  ExprIf(PosIdx p, Expr* c, Expr* t, Expr* e) : Expr(ExprKind::If, p), cond(c), then(t), else_(e) {}
};

struct ExprAssert : Expr {
  Expr *cond, *body;
  ExprAssert(PosIdx p, Expr* c, Expr* b) : Expr(ExprKind::Assert, p), cond(c), body(b) {}
};

struct ExprOpNot : Expr {
  Expr* e;
  explicit ExprOpNot(Expr* e_) : Expr(ExprKind::OpNot), e(e_) {}
};

// ==, !=, &&, ||, ->, //, ++ (kind tells which).
struct ExprBinOp : Expr {
  Expr *e1, *e2;
  ExprBinOp(ExprKind k, PosIdx p, Expr* a, Expr* b) : Expr(k, p), e1(a), e2(b) {}
};

// String interpolation and `+` (forceString false: `+` of any two values).
struct ExprConcatStrings : Expr {
  bool forceString;
  std::vector<std::pair<PosIdx, Expr*>> es;
  ExprConcatStrings(PosIdx p, bool force, std::vector<std::pair<PosIdx, Expr*>> parts)
      : Expr(ExprKind::ConcatStrings, p), forceString(force), es(std::move(parts)) {}
};

struct ExprCurPos : Expr {
  explicit ExprCurPos(PosIdx p) : Expr(ExprKind::CurPos, p) {}
};

// A static environment: the names a scope binds, in slot order, or a `with` scope.
struct StaticEnv {
  const StaticEnv* up = nullptr;
  bool isWith = false;
  std::vector<std::pair<Symbol, uint32_t>> vars;  // sorted by symbol
  const ExprWith* with = nullptr;  // the `with` of a with scope
  // The slot of `name` in this env, or -1.
  int64_t find(Symbol name) const;
  void sort();
};

// Resolves every variable of `e` against `env` (the builtins scope at the top). Throws
// UndefinedVarError "undefined variable 'x'" (with its position) for a variable bound nowhere
// and not under a `with`. Also finalizes attribute sets (sorted, displacements assigned).
void bindVars(Expr* e, const StaticEnv* env, const SymbolTable& symbols, const PosTable& positions);

// Appends Nix's textual form of `e` (what `nix-instantiate --parse` prints).
void showExpr(const Expr& e, const SymbolTable& symbols, std::string& out);

// Appends `s` as a Nix string literal ("..." with \" \\ \n \r \t \${ escaped).
void printLiteralString(std::string_view s, std::string& out);
// Appends an attribute name: bare if it is a valid identifier and not a keyword, else quoted.
void printIdentifier(std::string_view s, std::string& out);

} // namespace nixpp
