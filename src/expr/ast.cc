#include "expr/ast.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "expr/eval_error.h"

namespace nixpp {

// ---- Arena ----

Arena::~Arena() {
  for (auto i = dtors_.rbegin(); i != dtors_.rend(); ++i) i->run(i->obj);
}

void* Arena::allocate(size_t size, size_t align) {
  size_t pad = (align - reinterpret_cast<uintptr_t>(cur_) % align) % align;
  if (!cur_ || pad + size > left_) {
    size_t blockSize = std::max<size_t>(size + align, 64 * 1024);
    blocks_.emplace_back(new char[blockSize]);
    cur_ = blocks_.back().get();
    left_ = blockSize;
    pad = (align - reinterpret_cast<uintptr_t>(cur_) % align) % align;
  }
  void* p = cur_ + pad;
  cur_ += pad + size;
  left_ -= pad + size;
  return p;
}

std::string_view Arena::copy(std::string_view s) {
  if (s.empty()) return {};
  char* p = static_cast<char*>(allocate(s.size(), 1));
  std::copy(s.begin(), s.end(), p);
  return {p, s.size()};
}

// ---- ExprAttrs ----

struct ExprAttrs::Index {
  std::unordered_map<uint32_t, uint32_t> slots;  // symbol id -> index in attrs
};

ExprAttrs::ExprAttrs(PosIdx p) : Expr(ExprKind::Attrs, p) {}
ExprAttrs::~ExprAttrs() = default;

AttrDef* ExprAttrs::find(Symbol name) {
  if (index_) {
    auto i = index_->slots.find(name.id());
    return i == index_->slots.end() ? nullptr : &attrs[i->second];
  }
  for (auto& a : attrs)
    if (a.name == name) return &a;
  return nullptr;
}

void ExprAttrs::add(AttrDef def) {
  attrs.push_back(def);
  if (index_) {
    index_->slots.emplace(def.name.id(), uint32_t(attrs.size() - 1));
  } else if (attrs.size() > 16) {
    index_ = std::make_unique<Index>();
    for (uint32_t i = 0; i < attrs.size(); ++i) index_->slots.emplace(attrs[i].name.id(), i);
  }
}

void ExprAttrs::sortAttrs() {
  index_.reset();
  std::sort(attrs.begin(), attrs.end(), [](const AttrDef& a, const AttrDef& b) { return a.name < b.name; });
}

// ---- Static environments and variable binding ----

int64_t StaticEnv::find(Symbol name) const {
  auto i = std::lower_bound(vars.begin(), vars.end(), name,
                            [](const std::pair<Symbol, uint32_t>& v, Symbol n) { return v.first < n; });
  return i != vars.end() && i->first == name ? int64_t(i->second) : -1;
}

void StaticEnv::sort() {
  std::stable_sort(vars.begin(), vars.end(), [](auto& a, auto& b) { return a.first < b.first; });
}

namespace {

struct Binder {
  const SymbolTable& symbols;
  const PosTable& positions;

  void bindAttrPath(AttrPath& path, const StaticEnv* env) {
    for (auto& a : path)
      if (!a.symbol) bind(a.expr, env);
  }

  // Binds the `inherit (e)` sources; returns the hidden env their selections live in.
  void bindInheritSources(ExprAttrs& attrs, const StaticEnv* env) {
    for (auto* from : attrs.inheritFromExprs) bind(from, env);
  }

  const StaticEnv* choose(const AttrDef& a, const StaticEnv* plain, const StaticEnv* inherited,
                          const StaticEnv* inheritedFrom) {
    switch (a.kind) {
    case AttrDef::Kind::Plain: return plain;
    case AttrDef::Kind::Inherited: return inherited;
    case AttrDef::Kind::InheritedFrom: return inheritedFrom;
    }
    return plain;
  }

  void bindRecScope(ExprAttrs& attrs, const StaticEnv* outer, StaticEnv& newEnv) {
    attrs.sortAttrs();
    newEnv.up = outer;
    newEnv.vars.reserve(attrs.attrs.size());
    uint32_t displ = 0;
    for (auto& a : attrs.attrs) newEnv.vars.emplace_back(a.name, a.displ = displ++);
    StaticEnv inheritFromEnv{&newEnv, false, {}};
    bindInheritSources(attrs, &newEnv);
    for (auto& a : attrs.attrs) bind(a.e, choose(a, &newEnv, outer, &inheritFromEnv));
  }

  void bind(Expr* e, const StaticEnv* env) {
    switch (e->kind) {
    case ExprKind::Int:
    case ExprKind::Float:
    case ExprKind::String:
    case ExprKind::Path:
    case ExprKind::CurPos:
    case ExprKind::InheritFrom: return;
    case ExprKind::Var: {
      auto& v = static_cast<ExprVar&>(*e);
      v.fromWith = false;
      int64_t withLevel = -1;
      uint32_t level = 0;
      for (auto* cur = env; cur; cur = cur->up, ++level) {
        if (cur->isWith) {
          if (withLevel == -1) {
            withLevel = level;
            v.with = cur->with;
          }
        } else if (auto d = cur->find(v.name); d >= 0) {
          v.level = level;
          v.displ = uint32_t(d);
          return;
        }
      }
      if (withLevel == -1)
        throw UndefinedVarError("undefined variable '" + std::string(symbols[v.name]) + "'", positions[v.pos]);
      v.fromWith = true;
      v.level = uint32_t(withLevel);
      return;
    }
    case ExprKind::Select: {
      auto& s = static_cast<ExprSelect&>(*e);
      bind(s.e, env);
      if (s.def) bind(s.def, env);
      bindAttrPath(s.path, env);
      return;
    }
    case ExprKind::OpHasAttr: {
      auto& h = static_cast<ExprOpHasAttr&>(*e);
      bind(h.e, env);
      bindAttrPath(h.path, env);
      return;
    }
    case ExprKind::Attrs: {
      auto& a = static_cast<ExprAttrs&>(*e);
      if (a.recursive) {
        StaticEnv newEnv;
        bindRecScope(a, env, newEnv);
        for (auto& d : a.dynamicAttrs) {
          bind(d.nameExpr, &newEnv);
          bind(d.valueExpr, &newEnv);
        }
      } else {
        a.sortAttrs();
        StaticEnv inheritFromEnv{env, false, {}};
        bindInheritSources(a, env);
        for (auto& d : a.attrs) bind(d.e, choose(d, env, env, &inheritFromEnv));
        for (auto& d : a.dynamicAttrs) {
          bind(d.nameExpr, env);
          bind(d.valueExpr, env);
        }
      }
      return;
    }
    case ExprKind::List:
      for (auto* x : static_cast<ExprList&>(*e).elems) bind(x, env);
      return;
    case ExprKind::Lambda: {
      auto& l = static_cast<ExprLambda&>(*e);
      StaticEnv newEnv{env, false, {}};
      uint32_t displ = 0;
      if (l.arg) newEnv.vars.emplace_back(l.arg, displ++);
      for (auto& f : l.formals) newEnv.vars.emplace_back(f.name, displ++);
      newEnv.sort();
      for (auto& f : l.formals)
        if (f.def) bind(f.def, &newEnv);
      bind(l.body, &newEnv);
      return;
    }
    case ExprKind::Call: {
      auto& c = static_cast<ExprCall&>(*e);
      bind(c.fun, env);
      for (auto* x : c.args) bind(x, env);
      return;
    }
    case ExprKind::Let: {
      auto& l = static_cast<ExprLet&>(*e);
      StaticEnv newEnv;
      bindRecScope(*l.attrs, env, newEnv);
      bind(l.body, &newEnv);
      return;
    }
    case ExprKind::With: {
      auto& w = static_cast<ExprWith&>(*e);
      w.prevWith = 0;
      w.parentWith = nullptr;
      uint32_t level = 1;
      for (auto* cur = env; cur; cur = cur->up, ++level)
        if (cur->isWith) {
          w.prevWith = level;
          w.parentWith = cur->with;
          break;
        }
      bind(w.attrs, env);
      StaticEnv withEnv{env, true, {}, &w};
      bind(w.body, &withEnv);
      return;
    }
    case ExprKind::If: {
      auto& i = static_cast<ExprIf&>(*e);
      bind(i.cond, env);
      bind(i.then, env);
      bind(i.else_, env);
      return;
    }
    case ExprKind::Assert: {
      auto& a = static_cast<ExprAssert&>(*e);
      bind(a.cond, env);
      bind(a.body, env);
      return;
    }
    case ExprKind::OpNot: bind(static_cast<ExprOpNot&>(*e).e, env); return;
    case ExprKind::OpEq:
    case ExprKind::OpNEq:
    case ExprKind::OpAnd:
    case ExprKind::OpOr:
    case ExprKind::OpImpl:
    case ExprKind::OpUpdate:
    case ExprKind::OpConcatLists: {
      auto& b = static_cast<ExprBinOp&>(*e);
      bind(b.e1, env);
      bind(b.e2, env);
      return;
    }
    case ExprKind::ConcatStrings:
      for (auto& [p, x] : static_cast<ExprConcatStrings&>(*e).es) bind(x, env);
      return;
    }
  }
};

} // namespace

void bindVars(Expr* e, const StaticEnv* env, const SymbolTable& symbols, const PosTable& positions) {
  Binder{symbols, positions}.bind(e, env);
}

// ---- Printing ----

void printLiteralString(std::string_view s, std::string& out) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '$' && i + 1 < s.size() && s[i + 1] == '{') out += "\\$";
    else out += c;
  }
  out += '"';
}

void printIdentifier(std::string_view s, std::string& out) {
  static const std::string_view reserved[] = {"if", "then", "else", "assert", "with", "let", "in", "rec", "inherit"};
  if (s.empty()) {
    out += "\"\"";
    return;
  }
  for (auto r : reserved)
    if (s == r) {
      out += '"';
      out += s;
      out += '"';
      return;
    }
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  bool ok = alpha(s[0]) || s[0] == '_';
  for (char c : s)
    if (!(alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '\'' || c == '-')) ok = false;
  if (ok) out += s;
  else printLiteralString(s, out);
}

namespace {

struct Printer {
  const SymbolTable& symbols;
  std::string& out;

  void sym(Symbol s) { printIdentifier(symbols[s], out); }

  void attrPath(const AttrPath& path) {
    bool first = true;
    for (auto& a : path) {
      if (!first) out += '.';
      first = false;
      if (a.symbol) sym(a.symbol);
      else {
        out += "\"${";
        show(*a.expr);
        out += "}\"";
      }
    }
  }

  void bindings(const ExprAttrs& a) {
    std::vector<const AttrDef*> sorted;
    for (auto& d : a.attrs) sorted.push_back(&d);
    std::sort(sorted.begin(), sorted.end(),
              [&](const AttrDef* x, const AttrDef* y) { return symbols[x->name] < symbols[y->name]; });
    std::vector<Symbol> inherits;
    std::map<uint32_t, std::vector<Symbol>> inheritsFrom;
    for (auto* d : sorted) {
      if (d->kind == AttrDef::Kind::Inherited) inherits.push_back(d->name);
      else if (d->kind == AttrDef::Kind::InheritedFrom) {
        auto& sel = static_cast<const ExprSelect&>(*d->e);
        inheritsFrom[static_cast<const ExprInheritFrom&>(*sel.e).displ].push_back(d->name);
      }
    }
    if (!inherits.empty()) {
      out += "inherit";
      for (auto s : inherits) {
        out += ' ';
        sym(s);
      }
      out += "; ";
    }
    for (auto& [from, syms] : inheritsFrom) {
      out += "inherit (";
      show(*a.inheritFromExprs[from]);
      out += ")";
      for (auto s : syms) {
        out += ' ';
        sym(s);
      }
      out += "; ";
    }
    for (auto* d : sorted)
      if (d->kind == AttrDef::Kind::Plain) {
        sym(d->name);
        out += " = ";
        show(*d->e);
        out += "; ";
      }
    for (auto& d : a.dynamicAttrs) {
      out += "\"${";
      show(*d.nameExpr);
      out += "}\" = ";
      show(*d.valueExpr);
      out += "; ";
    }
  }

  void binOp(const Expr& e, std::string_view op) {
    auto& b = static_cast<const ExprBinOp&>(e);
    out += '(';
    show(*b.e1);
    out += ' ';
    out += op;
    out += ' ';
    show(*b.e2);
    out += ')';
  }

  void show(const Expr& e) {
    switch (e.kind) {
    case ExprKind::Int: out += std::to_string(static_cast<const ExprInt&>(e).n); return;
    case ExprKind::Float: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", static_cast<const ExprFloat&>(e).f);
      out += buf;
      return;
    }
    case ExprKind::String: printLiteralString(static_cast<const ExprString&>(e).s, out); return;
    case ExprKind::Path: out += static_cast<const ExprPath&>(e).path; return;
    case ExprKind::Var: sym(static_cast<const ExprVar&>(e).name); return;
    case ExprKind::Select: {
      auto& s = static_cast<const ExprSelect&>(e);
      out += '(';
      show(*s.e);
      out += ").";
      attrPath(s.path);
      if (s.def) {
        out += " or (";
        show(*s.def);
        out += ')';
      }
      return;
    }
    case ExprKind::OpHasAttr: {
      auto& h = static_cast<const ExprOpHasAttr&>(e);
      out += "((";
      show(*h.e);
      out += ") ? ";
      attrPath(h.path);
      out += ')';
      return;
    }
    case ExprKind::Attrs: {
      auto& a = static_cast<const ExprAttrs&>(e);
      if (a.recursive) out += "rec ";
      out += "{ ";
      bindings(a);
      out += '}';
      return;
    }
    case ExprKind::List:
      out += "[ ";
      for (auto* x : static_cast<const ExprList&>(e).elems) {
        out += '(';
        show(*x);
        out += ") ";
      }
      out += ']';
      return;
    case ExprKind::Lambda: {
      auto& l = static_cast<const ExprLambda&>(e);
      out += '(';
      if (l.hasFormals) {
        out += "{ ";
        std::vector<const Formal*> sorted;
        for (auto& f : l.formals) sorted.push_back(&f);
        std::sort(sorted.begin(), sorted.end(),
                  [&](const Formal* a, const Formal* b) { return symbols[a->name] < symbols[b->name]; });
        bool first = true;
        for (auto* f : sorted) {
          if (!first) out += ", ";
          first = false;
          sym(f->name);
          if (f->def) {
            out += " ? ";
            show(*f->def);
          }
        }
        if (l.ellipsis) {
          if (!first) out += ", ";
          out += "...";
        }
        out += " }";
        if (l.arg) out += " @ ";
      }
      if (l.arg) sym(l.arg);
      out += ": ";
      show(*l.body);
      out += ')';
      return;
    }
    case ExprKind::Call: {
      auto& c = static_cast<const ExprCall&>(e);
      out += '(';
      show(*c.fun);
      for (auto* x : c.args) {
        out += ' ';
        show(*x);
      }
      out += ')';
      return;
    }
    case ExprKind::Let: {
      auto& l = static_cast<const ExprLet&>(e);
      out += "(let ";
      bindings(*l.attrs);
      out += "in ";
      show(*l.body);
      out += ')';
      return;
    }
    case ExprKind::With: {
      auto& w = static_cast<const ExprWith&>(e);
      out += "(with ";
      show(*w.attrs);
      out += "; ";
      show(*w.body);
      out += ')';
      return;
    }
    case ExprKind::If: {
      auto& i = static_cast<const ExprIf&>(e);
      out += "(if ";
      show(*i.cond);
      out += " then ";
      show(*i.then);
      out += " else ";
      show(*i.else_);
      out += ')';
      return;
    }
    case ExprKind::Assert: {
      auto& a = static_cast<const ExprAssert&>(e);
      out += "assert ";
      show(*a.cond);
      out += "; ";
      show(*a.body);
      return;
    }
    case ExprKind::OpNot:
      out += "(! ";
      show(*static_cast<const ExprOpNot&>(e).e);
      out += ')';
      return;
    case ExprKind::OpEq: binOp(e, "=="); return;
    case ExprKind::OpNEq: binOp(e, "!="); return;
    case ExprKind::OpAnd: binOp(e, "&&"); return;
    case ExprKind::OpOr: binOp(e, "||"); return;
    case ExprKind::OpImpl: binOp(e, "->"); return;
    case ExprKind::OpUpdate: binOp(e, "//"); return;
    case ExprKind::OpConcatLists: binOp(e, "++"); return;
    case ExprKind::ConcatStrings: {
      bool first = true;
      out += '(';
      for (auto& [p, x] : static_cast<const ExprConcatStrings&>(e).es) {
        if (!first) out += " + ";
        first = false;
        show(*x);
      }
      out += ')';
      return;
    }
    case ExprKind::CurPos: out += "__curPos"; return;
    case ExprKind::InheritFrom: return;
    }
  }
};

} // namespace

void showExpr(const Expr& e, const SymbolTable& symbols, std::string& out) { Printer{symbols, out}.show(e); }

} // namespace nixpp
