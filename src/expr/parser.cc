#include "expr/parser.h"

#include <algorithm>
#include <deque>
#include <iostream>
#include <optional>
#include <variant>

#include "expr/eval_error.h"
#include "util/strings.h"

namespace nixpp {

std::string canonPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part.empty() || part == ".") {
    } else if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(part);
    }
    i = j;
  }
  std::string out;
  for (auto p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

namespace {

bool startsSelect(Tok t) {
  switch (t) {
  case Tok::Id: case Tok::Int: case Tok::Float: case Tok::Quote: case Tok::IndStringOpen:
  case Tok::Path: case Tok::HPath: case Tok::SPath: case Tok::Uri: case Tok::LParen:
  case Tok::Let: case Tok::Rec: case Tok::LBrace: case Tok::LBracket:
    return true;
  default: return false;
  }
}

bool startsAttr(Tok t) { return t == Tok::Id || t == Tok::OrKw || t == Tok::Quote || t == Tok::DollarCurly; }

// Binary operator precedence levels, as in Nix's grammar (low to high).
enum Level { LNone = 0, LImpl = 1, LOr, LAnd, LEq, LCmp, LUpdate, LNot, LAdd, LMul, LConcat, LHasAttr, LNegate };

Level binLevel(Tok t) {
  switch (t) {
  case Tok::Impl: return LImpl;
  case Tok::Or: return LOr;
  case Tok::And: return LAnd;
  case Tok::Eq: case Tok::NEq: return LEq;
  case Tok::Lt: case Tok::Gt: case Tok::Leq: case Tok::Geq: return LCmp;
  case Tok::Update: return LUpdate;
  case Tok::Plus: case Tok::Minus: return LAdd;
  case Tok::Star: case Tok::Slash: return LMul;
  case Tok::Concat: return LConcat;
  case Tok::Question: return LHasAttr;
  default: return LNone;
  }
}

enum class BindsMode { Plain, RecBrace, LetIn };

struct IndPart {
  PosIdx pos;
  Expr* expr = nullptr;  // an interpolation, or null for text
  std::string text;
  bool hasIndentation = false;
};

class Parser {
public:
  Parser(ParseContext& ctx, uint32_t originNr)
      : ctx_(ctx), originNr_(originNr), source_(*ctx.positions.origin(originNr).source),
        lexer_(source_, ctx.positions, originNr, ctx.lexer) {
    stackBase_ = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  }

  Expr* parseAll() {
    Expr* e = parseExpr();
    if (peek().kind != Tok::Eof) syntaxError(peek(), {Tok::Eof});
    return e;
  }

private:
  ParseContext& ctx_;
  uint32_t originNr_;
  const std::string& source_;
  Lexer lexer_;
  std::deque<Token> la_;
  uintptr_t stackBase_;
  Symbol sSub_, sLessThan_, sMul_, sDiv_, sOr_, sFindFile_, sNixPath_, sBody_, sCurPos_;

  // ---- tokens ----
  const Token& peek(size_t k = 0) {
    while (la_.size() <= k) la_.push_back(lexer_.next());
    return la_[k];
  }
  Token take() {
    peek();
    Token t = std::move(la_.front());
    la_.pop_front();
    return t;
  }
  PosIdx at(uint32_t offset) const { return ctx_.positions.add(originNr_, offset); }
  Pos resolve(PosIdx p) const { return ctx_.positions[p]; }
  Symbol sym(std::string_view s) { return ctx_.symbols.create(s); }
  Symbol cached(Symbol& s, std::string_view name) {
    if (!s) s = sym(name);
    return s;
  }

  [[noreturn]] void syntaxError(const Token& t, std::initializer_list<Tok> expected) {
    std::string msg = "syntax error, unexpected " + std::string(tokenName(t.kind));
    if (expected.size() > 0 && expected.size() <= 4) {
      std::vector<Tok> exp(expected);
      std::sort(exp.begin(), exp.end());
      msg += ", expecting ";
      for (size_t i = 0; i < exp.size(); ++i) {
        if (i) msg += " or ";
        msg += tokenName(exp[i]);
      }
    }
    throw ParseError(msg, resolve(at(t.kind == Tok::Eof ? t.end : t.begin)));
  }
  [[noreturn]] void fail(const std::string& msg, PosIdx pos) { throw ParseError(msg, resolve(pos)); }

  // Nix strings cannot hold NUL bytes (they are C strings in Nix): a literal with one is an
  // error, shown with the NUL as "␀".
  void checkNoNul(std::string_view text, PosIdx pos) {
    if (text.find('\0') == std::string_view::npos) return;
    std::string shown;
    for (char c : text) shown += c == '\0' ? std::string("\u2400") : std::string(1, c);
    fail("input string '" + shown + "' cannot be represented as Nix string because it contains null bytes", pos);
  }

  Token expect(Tok kind, std::initializer_list<Tok> expected) {
    if (peek().kind != kind) syntaxError(peek(), expected);
    return take();
  }

  // Bounds native recursion: every recursive production goes through one of these.
  struct DepthGuard {
    explicit DepthGuard(Parser& p) {
      auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
      if (here < p.stackBase_ && p.stackBase_ - here > p.ctx_.maxStackBytes)
        p.fail("stack overflow; expression is nested too deeply", p.at(p.peek().begin));
    }
  };

  template <class T, class... Args>
  T* make(Args&&... args) {
    return ctx_.arena.make<T>(std::forward<Args>(args)...);
  }
  ExprVar* var(Symbol s, PosIdx p = noPos) { return make<ExprVar>(p, s); }
  ExprString* str(std::string_view s) { return make<ExprString>(ctx_.arena.copy(s)); }

  Expr* makeCall(PosIdx pos, Expr* fn, Expr* arg) {
    if (fn->kind == ExprKind::Call) {
      static_cast<ExprCall*>(fn)->args.push_back(arg);
      return fn;
    }
    return make<ExprCall>(pos, fn, std::vector<Expr*>{arg});
  }

  static void setName(Expr* e, Symbol name) {
    while (e->kind == ExprKind::Lambda) {
      auto* l = static_cast<ExprLambda*>(e);
      l->name = name;
      e = l->body;
    }
  }

  // ---- expressions ----
  Expr* parseExpr() {
    DepthGuard g(*this);
    return parseFunction();
  }

  Expr* parseFunction() {
    DepthGuard g(*this);
    const Token& t = peek();
    switch (t.kind) {
    case Tok::Id: {
      Tok n = peek(1).kind;
      if (n == Tok::Colon) {
        Token id = take();
        take();
        auto* l = make<ExprLambda>(at(id.begin));
        l->arg = sym(id.raw);
        l->body = parseFunction();
        return l;
      }
      if (n == Tok::At) {
        Token id = take();
        take();
        auto* l = make<ExprLambda>(at(id.begin));
        l->arg = sym(id.raw);
        expect(Tok::LBrace, {Tok::LBrace});
        parseFormals(*l);
        validateFormals(*l);
        expect(Tok::Colon, {Tok::Colon});
        l->body = parseFunction();
        return l;
      }
      break;
    }
    case Tok::LBrace: {
      Tok n1 = peek(1).kind;
      bool formals = n1 == Tok::Ellipsis;
      if (n1 == Tok::RBrace) formals = peek(2).kind == Tok::Colon || peek(2).kind == Tok::At;
      if (n1 == Tok::Id) {
        Tok n2 = peek(2).kind;
        formals = n2 == Tok::Comma || n2 == Tok::RBrace || n2 == Tok::Question;
      }
      if (!formals) break;
      Token lb = take();
      auto* l = make<ExprLambda>(at(lb.begin));
      parseFormals(*l);
      if (peek().kind == Tok::At) {
        take();
        Token id = expect(Tok::Id, {Tok::Id});
        l->arg = sym(id.raw);
      } else if (peek().kind != Tok::Colon) {
        syntaxError(peek(), {Tok::Colon, Tok::At});
      }
      validateFormals(*l);
      expect(Tok::Colon, {Tok::Colon});
      l->body = parseFunction();
      return l;
    }
    case Tok::Assert: {
      Token kw = take();
      Expr* cond = parseExpr();
      expect(Tok::Semicolon, {Tok::Semicolon});
      Expr* body = parseFunction();
      return make<ExprAssert>(at(kw.begin), cond, body);
    }
    case Tok::With: {
      Token kw = take();
      Expr* attrs = parseExpr();
      expect(Tok::Semicolon, {Tok::Semicolon});
      Expr* body = parseFunction();
      return make<ExprWith>(at(kw.begin), attrs, body);
    }
    case Tok::Let: {
      if (peek(1).kind == Tok::LBrace) break;
      Token kw = take();
      auto* attrs = make<ExprAttrs>();
      parseBinds(*attrs, BindsMode::LetIn);
      take();  // 'in'
      if (!attrs->dynamicAttrs.empty()) fail("dynamic attributes not allowed in let", at(kw.begin));
      Expr* body = parseFunction();
      return make<ExprLet>(attrs, body);
    }
    default: break;
    }
    return parseIf();
  }

  // After '{': formals up to and including '}'.
  void parseFormals(ExprLambda& l) {
    l.hasFormals = true;
    if (peek().kind == Tok::RBrace) {
      take();
      return;
    }
    if (peek().kind == Tok::Ellipsis) {
      take();
      l.ellipsis = true;
      expect(Tok::RBrace, {Tok::RBrace});
      return;
    }
    for (;;) {
      Token id = expect(Tok::Id, {Tok::Id});
      Formal f{at(id.begin), sym(id.raw), nullptr};
      if (peek().kind == Tok::Question) {
        take();
        f.def = parseExpr();
      }
      l.formals.push_back(f);
      if (peek().kind == Tok::RBrace) {
        take();
        return;
      }
      if (peek().kind != Tok::Comma) syntaxError(peek(), {Tok::RBrace, Tok::Comma});
      take();
      Tok k = peek().kind;
      if (k == Tok::RBrace) {
        take();
        return;
      }
      if (k == Tok::Ellipsis) {
        take();
        l.ellipsis = true;
        expect(Tok::RBrace, {Tok::RBrace});
        return;
      }
      if (k != Tok::Id) syntaxError(peek(), {Tok::Id, Tok::Ellipsis, Tok::RBrace});
    }
  }

  void validateFormals(ExprLambda& l) {
    auto& fs = l.formals;
    std::sort(fs.begin(), fs.end(), [](const Formal& a, const Formal& b) {
      return a.name != b.name ? a.name < b.name : a.pos < b.pos;
    });
    std::optional<std::pair<Symbol, PosIdx>> dup;
    for (size_t i = 0; i + 1 < fs.size(); ++i) {
      if (fs[i].name != fs[i + 1].name) continue;
      std::pair<Symbol, PosIdx> d{fs[i].name, fs[i + 1].pos};
      if (!dup || d < *dup) dup = d;
    }
    if (dup) fail("duplicate formal function argument '" + std::string(ctx_.symbols[dup->first]) + "'", dup->second);
    if (l.arg)
      for (auto& f : fs)
        if (f.name == l.arg)
          fail("duplicate formal function argument '" + std::string(ctx_.symbols[l.arg]) + "'", l.pos);
  }

  Expr* parseIf() {
    if (peek().kind == Tok::If) {
      Token kw = take();
      Expr* c = parseExpr();
      expect(Tok::Then, {Tok::Then});
      Expr* t = parseExpr();
      expect(Tok::Else, {Tok::Else});
      Expr* e = parseExpr();
      return make<ExprIf>(at(kw.begin), c, t, e);
    }
    return parsePipe();
  }

  Expr* parsePipe() {
    Expr* lhs = parseOp(LImpl);
    if (peek().kind == Tok::PipeInto) {
      while (peek().kind == Tok::PipeInto) {
        Token op = take();
        Expr* rhs = parseOp(LImpl);
        lhs = makeCall(at(op.begin), rhs, lhs);
      }
    } else if (peek().kind == Tok::PipeFrom) {
      std::vector<Expr*> operands{lhs};
      std::vector<PosIdx> ops;
      while (peek().kind == Tok::PipeFrom) {
        ops.push_back(at(take().begin));
        operands.push_back(parseOp(LImpl));
      }
      Expr* r = operands.back();
      for (size_t i = ops.size(); i-- > 0;) r = makeCall(ops[i], operands[i], r);
      lhs = r;
    }
    return lhs;
  }

  Expr* binary(Tok op, PosIdx opPos, PosIdx lhsPos, Expr* a, PosIdx rhsPos, Expr* b) {
    switch (op) {
    case Tok::Impl: return make<ExprBinOp>(ExprKind::OpImpl, opPos, a, b);
    case Tok::Or: return make<ExprBinOp>(ExprKind::OpOr, opPos, a, b);
    case Tok::And: return make<ExprBinOp>(ExprKind::OpAnd, opPos, a, b);
    case Tok::Eq: return make<ExprBinOp>(ExprKind::OpEq, opPos, a, b);
    case Tok::NEq: return make<ExprBinOp>(ExprKind::OpNEq, opPos, a, b);
    case Tok::Lt: return make<ExprCall>(opPos, var(cached(sLessThan_, "__lessThan")), std::vector<Expr*>{a, b});
    case Tok::Gt: return make<ExprCall>(opPos, var(cached(sLessThan_, "__lessThan")), std::vector<Expr*>{b, a});
    case Tok::Leq:
      return make<ExprOpNot>(make<ExprCall>(opPos, var(cached(sLessThan_, "__lessThan")), std::vector<Expr*>{b, a}));
    case Tok::Geq:
      return make<ExprOpNot>(make<ExprCall>(opPos, var(cached(sLessThan_, "__lessThan")), std::vector<Expr*>{a, b}));
    case Tok::Update: return make<ExprBinOp>(ExprKind::OpUpdate, opPos, a, b);
    case Tok::Plus:
      return make<ExprConcatStrings>(opPos, false, std::vector<std::pair<PosIdx, Expr*>>{{lhsPos, a}, {rhsPos, b}});
    case Tok::Minus: return make<ExprCall>(opPos, var(cached(sSub_, "__sub")), std::vector<Expr*>{a, b});
    case Tok::Star: return make<ExprCall>(opPos, var(cached(sMul_, "__mul")), std::vector<Expr*>{a, b});
    case Tok::Slash: return make<ExprCall>(opPos, var(cached(sDiv_, "__div")), std::vector<Expr*>{a, b});
    case Tok::Concat: return make<ExprBinOp>(ExprKind::OpConcatLists, opPos, a, b);
    default: return a;
    }
  }

  // expr_op with operators of at least `minLevel`, by precedence climbing.
  Expr* parseOp(int minLevel) {
    DepthGuard g(*this);
    PosIdx lhsPos = at(peek().begin);
    Expr* lhs = parseUnary();
    for (;;) {
      Tok op = peek().kind;
      int level = binLevel(op);
      if (level == LNone || level < minLevel) return lhs;
      Token opTok = take();
      if (op == Tok::Question) {
        lhs = make<ExprOpHasAttr>(lhs, parseAttrPath());
        continue;
      }
      bool right = op == Tok::Impl || op == Tok::Update || op == Tok::Concat;
      PosIdx rhsPos = at(peek().begin);
      Expr* rhs = parseOp(right ? level : level + 1);
      lhs = binary(op, at(opTok.begin), lhsPos, lhs, rhsPos, rhs);
      if ((level == LEq || level == LCmp) && binLevel(peek().kind) == level) syntaxError(peek(), {});
    }
  }

  Expr* parseUnary() {
    DepthGuard g(*this);
    if (peek().kind == Tok::Bang) {
      take();
      return make<ExprOpNot>(parseOp(LAdd));
    }
    if (peek().kind == Tok::Minus) {
      Token t = take();
      Expr* e = parseOp(LNegate + 1);
      return make<ExprCall>(at(t.begin), var(cached(sSub_, "__sub")), std::vector<Expr*>{make<ExprInt>(0), e});
    }
    return parseApp();
  }

  Expr* parseApp() {
    PosIdx pos = at(peek().begin);
    // The head of an application may be `f or` (an application of f to the variable `or`,
    // which Nixpkgs relies on: `map or [...]`); elsewhere that parse is deprecated.
    Expr* e = parseSelect(true);
    while (startsSelect(peek().kind)) e = makeCall(pos, e, parseSelect());
    return e;
  }

  Expr* parseSelect(bool appHead = false) {
    DepthGuard g(*this);
    uint32_t begin = peek().begin;
    PosIdx pos = at(begin);
    Expr* e = parseSimple();
    if (peek().kind == Tok::Dot) {
      take();
      AttrPath path = parseAttrPath();
      Expr* def = nullptr;
      if (peek().kind == Tok::OrKw) {
        take();
        def = parseSelect();
      }
      return make<ExprSelect>(pos, e, std::move(path), def);
    }
    if (peek().kind == Tok::OrKw) {
      uint32_t end = take().end;
      // As Nix (2.24+): `e or` as an argument, a list element or a default is deprecated (its
      // meaning will change); the warning quotes the source.
      if (!appHead)
        std::cerr << "warning: at " << resolve(pos).toString()
                  << ": This expression uses `or` as an identifier in a way that will change in a future Nix "
                     "release.\nWrap this entire expression in parentheses to preserve its current meaning:\n    ("
                  << std::string_view(source_).substr(begin, end - begin)
                  << ")\nGive feedback at https://github.com/NixOS/nix/pull/11121" << std::endl;
      return make<ExprCall>(pos, e, std::vector<Expr*>{var(cached(sOr_, "or"), pos)});
    }
    return e;
  }

  // attr: ID | 'or' | string_attr
  AttrName parseAttr(bool inInherit = false) {
    const Token& t = peek();
    switch (t.kind) {
    case Tok::Id: return {sym(take().raw), nullptr};
    case Tok::OrKw: take(); return {cached(sOr_, "or"), nullptr};
    case Tok::Quote: {
      Token q = take();
      Expr* e = parseStringParts();
      expect(Tok::Quote, {Tok::Quote});
      if (e->kind == ExprKind::String) return {sym(static_cast<ExprString*>(e)->s), nullptr};
      if (inInherit) fail("dynamic attributes not allowed in inherit", at(q.begin));
      return {Symbol(), e};
    }
    case Tok::DollarCurly: {
      Token d = take();
      Expr* e = parseExpr();
      expect(Tok::RBrace, {Tok::RBrace});
      if (e->kind == ExprKind::String) return {sym(static_cast<ExprString*>(e)->s), nullptr};
      if (inInherit) fail("dynamic attributes not allowed in inherit", at(d.begin));
      return {Symbol(), e};
    }
    default: syntaxError(t, {Tok::Id, Tok::OrKw, Tok::DollarCurly, Tok::Quote});
    }
  }

  AttrPath parseAttrPath() {
    AttrPath path;
    path.push_back(parseAttr());
    while (peek().kind == Tok::Dot) {
      take();
      path.push_back(parseAttr());
    }
    return path;
  }

  // The contents of "...", up to (not including) the closing quote.
  Expr* parseStringParts() {
    std::vector<std::pair<PosIdx, Expr*>> parts;
    bool onlyStr = true;
    PosIdx first = at(peek().begin);
    for (;;) {
      const Token& t = peek();
      if (t.kind == Tok::Str) {
        Token s = take();
        checkNoNul(s.str, at(s.begin));
        parts.emplace_back(at(s.begin), str(s.str));
      } else if (t.kind == Tok::DollarCurly) {
        Token d = take();
        Expr* e = parseExpr();
        expect(Tok::RBrace, {Tok::RBrace});
        parts.emplace_back(at(d.begin), e);
        onlyStr = false;
      } else {
        break;
      }
    }
    if (parts.empty()) return str("");
    if (parts.size() == 1 && onlyStr) return parts[0].second;
    return make<ExprConcatStrings>(first, true, std::move(parts));
  }

  Expr* parseIndString(PosIdx pos) {
    std::vector<IndPart> parts;
    for (;;) {
      const Token& t = peek();
      if (t.kind == Tok::IndStr) {
        Token s = take();
        checkNoNul(s.str, at(s.begin));
        parts.push_back({at(s.begin), nullptr, std::move(s.str), s.hasIndentation});
      } else if (t.kind == Tok::DollarCurly) {
        Token d = take();
        Expr* e = parseExpr();
        expect(Tok::RBrace, {Tok::RBrace});
        parts.push_back({at(d.begin), e, {}, false});
      } else if (t.kind == Tok::IndStringClose) {
        take();
        break;
      } else {
        syntaxError(t, {Tok::IndStr, Tok::DollarCurly, Tok::IndStringClose});
      }
    }
    return stripIndentation(pos, parts);
  }

  Expr* stripIndentation(PosIdx pos, std::vector<IndPart>& es) {
    if (es.empty()) return str("");
    bool atStartOfLine = true;
    size_t minIndent = 1000000, curIndent = 0;
    for (auto& p : es) {
      if (p.expr || !p.hasIndentation) {
        if (atStartOfLine) {
          atStartOfLine = false;
          minIndent = std::min(minIndent, curIndent);
        }
        continue;
      }
      for (char c : p.text) {
        if (atStartOfLine) {
          if (c == ' ') curIndent++;
          else if (c == '\n') curIndent = 0;
          else {
            atStartOfLine = false;
            minIndent = std::min(minIndent, curIndent);
          }
        } else if (c == '\n') {
          atStartOfLine = true;
          curIndent = 0;
        }
      }
    }
    std::vector<std::pair<PosIdx, Expr*>> es2;
    atStartOfLine = true;
    size_t curDropped = 0;
    size_t n = es.size();
    for (auto& p : es) {
      if (p.expr) {
        atStartOfLine = false;
        curDropped = 0;
        es2.emplace_back(p.pos, p.expr);
      } else {
        std::string s2;
        for (char c : p.text) {
          if (atStartOfLine) {
            if (c == ' ') {
              if (curDropped++ >= minIndent) s2 += c;
            } else if (c == '\n') {
              curDropped = 0;
              s2 += c;
            } else {
              atStartOfLine = false;
              curDropped = 0;
              s2 += c;
            }
          } else {
            s2 += c;
            if (c == '\n') atStartOfLine = true;
          }
        }
        if (n == 1) {
          auto q = s2.find_last_of('\n');
          if (q != std::string::npos && s2.find_first_not_of(' ', q + 1) == std::string::npos) s2.resize(q + 1);
        }
        if (!s2.empty()) es2.emplace_back(p.pos, str(s2));
      }
      --n;
    }
    if (es2.empty()) return str("");
    if (es2.size() == 1 && es2[0].second->kind == ExprKind::String) return es2[0].second;
    return make<ExprConcatStrings>(pos, true, std::move(es2));
  }

  // Nix's path and URL literal lints: a warning on stderr or a parse error, as configured.
  void lint(LexerOptions::Lint level, const std::string& msg, const Token& t) {
    if (level == LexerOptions::Lint::ignore) return;
    Pos p = resolve(at(t.begin));
    if (level == LexerOptions::Lint::fatal) throw ParseError(msg, p);
    // Under "warning: ", two columns wider than "error: ".
    std::cerr << "warning: " << indentLines(renderErrorWithPos(msg, p), "  ") << std::endl;
  }

  void lintPath(const Token& t) {
    std::string lit(t.raw);
    if (t.kind == Tok::HPath)
      lint(ctx_.lexer.lintAbsolutePaths,
           "home path literals are not portable. Consider replacing path literal '" + lit +
               "' by a string, relative path, or parameter (lint-absolute-path-literals)",
           t);
    else if (lit.front() == '/')
      lint(ctx_.lexer.lintAbsolutePaths,
           "absolute path literals are not portable. Consider replacing path literal '" + lit +
               "' by a string, relative path, or parameter (lint-absolute-path-literals)",
           t);
    else if (!lit.starts_with("./") && !lit.starts_with("../"))
      lint(ctx_.lexer.lintShortPaths,
           "relative path literal '" + lit + "' should be prefixed with '.' for clarity: './" + lit +
               "' (lint-short-path-literals)",
           t);
  }

  Expr* pathLiteral(const Token& t) {
    lintPath(t);
    std::string_view lit = t.raw;
    std::string path;
    if (t.kind == Tok::HPath) {
      path = ctx_.home + std::string(lit.substr(1));
    } else {
      path = lit.front() == '/' ? canonPath(lit) : canonPath(ctx_.basePath + "/" + std::string(lit));
      if (lit.size() > 1 && lit.back() == '/') path += '/';
    }
    return make<ExprPath>(ctx_.arena.copy(path));
  }

  Expr* parseSimple() {
    DepthGuard g(*this);
    const Token& t = peek();
    PosIdx pos = at(t.begin);
    switch (t.kind) {
    case Tok::Id: {
      Token id = take();
      Symbol s = sym(id.raw);
      if (s == cached(sCurPos_, "__curPos")) return make<ExprCurPos>(pos);
      return var(s, pos);
    }
    case Tok::Int: return make<ExprInt>(take().i);
    case Tok::Float: return make<ExprFloat>(take().f);
    case Tok::Quote: {
      take();
      Expr* e = parseStringParts();
      expect(Tok::Quote, {Tok::Quote});
      return e;
    }
    case Tok::IndStringOpen: take(); return parseIndString(pos);
    case Tok::Path:
    case Tok::HPath: {
      Token p = take();
      Expr* start = pathLiteral(p);
      if (peek().kind == Tok::PathEnd) {
        take();
        return start;
      }
      std::vector<std::pair<PosIdx, Expr*>> parts{{pos, start}};
      for (;;) {
        const Token& n = peek();
        if (n.kind == Tok::Str) {
          Token s = take();
          parts.emplace_back(at(s.begin), str(s.str));
        } else if (n.kind == Tok::DollarCurly) {
          Token d = take();
          Expr* e = parseExpr();
          expect(Tok::RBrace, {Tok::RBrace});
          parts.emplace_back(at(d.begin), e);
        } else if (n.kind == Tok::PathEnd) {
          take();
          break;
        } else {
          syntaxError(n, parts.size() == 1 ? std::initializer_list<Tok>{Tok::Str, Tok::PathEnd, Tok::DollarCurly}
                                           : std::initializer_list<Tok>{Tok::Str, Tok::PathEnd, Tok::DollarCurly});
        }
      }
      return make<ExprConcatStrings>(pos, false, std::move(parts));
    }
    case Tok::SPath: {
      Token p = take();
      std::string_view inner = p.raw.substr(1, p.raw.size() - 2);
      return make<ExprCall>(pos, var(cached(sFindFile_, "__findFile")),
                            std::vector<Expr*>{var(cached(sNixPath_, "__nixPath")), str(inner)});
    }
    case Tok::Uri: {
      Token u = take();
      auto level = ctx_.lexer.lintUrls;
      lint(level,
           std::string("URL literals are ") + (level == LexerOptions::Lint::fatal ? "disallowed" : "discouraged") +
               ". Consider using a string literal \"" + std::string(u.raw) + "\" instead (lint-url-literals)",
           u);
      return str(u.raw);
    }
    case Tok::LParen: {
      take();
      Expr* e = parseExpr();
      expect(Tok::RParen, {Tok::RParen});
      return e;
    }
    case Tok::Let: {
      take();
      expect(Tok::LBrace, {Tok::LBrace});
      auto* attrs = make<ExprAttrs>(pos);
      attrs->recursive = true;
      parseBinds(*attrs, BindsMode::RecBrace);
      take();  // '}'
      return make<ExprSelect>(pos, attrs, AttrPath{{cached(sBody_, "body"), nullptr}}, nullptr);
    }
    case Tok::Rec: {
      take();
      expect(Tok::LBrace, {Tok::LBrace});
      auto* attrs = make<ExprAttrs>(pos);
      attrs->recursive = true;
      parseBinds(*attrs, BindsMode::RecBrace);
      take();
      return attrs;
    }
    case Tok::LBrace: {
      take();
      auto* attrs = make<ExprAttrs>(pos);
      if (peek().kind == Tok::RBrace) {
        take();
        return attrs;
      }
      parseBinds(*attrs, BindsMode::Plain);
      take();
      return attrs;
    }
    case Tok::LBracket: {
      take();
      auto* list = make<ExprList>();
      while (startsSelect(peek().kind)) list->elems.push_back(parseSelect());
      expect(Tok::RBracket, {});
      return list;
    }
    default: syntaxError(t, {});
    }
  }

  // ---- bindings ----
  // Parses bindings up to the closing token ('}' or 'in'), which is left for the caller.
  void parseBinds(ExprAttrs& attrs, BindsMode mode) {
    Tok close = mode == BindsMode::LetIn ? Tok::In : Tok::RBrace;
    for (;;) {
      const Token& t = peek();
      if (startsAttr(t.kind)) {
        PosIdx pathPos = at(t.begin);
        AttrPath path = parseAttrPath();
        expect(Tok::Assign, {Tok::Dot, Tok::Assign});
        Expr* e = parseExpr();
        expect(Tok::Semicolon, {Tok::Semicolon});
        addAttr(&attrs, std::move(path), pathPos, e);
      } else if (t.kind == Tok::Inherit) {
        take();
        Expr* from = nullptr;
        PosIdx fromPos;
        if (peek().kind == Tok::LParen) {
          take();
          fromPos = at(peek().begin);
          from = parseExpr();
          expect(Tok::RParen, {Tok::RParen});
        }
        std::vector<std::pair<Symbol, PosIdx>> names;
        while (startsAttr(peek().kind)) {
          PosIdx p = at(peek().begin);
          names.emplace_back(parseAttr(true).symbol, p);
        }
        expect(Tok::Semicolon, {});
        ExprInheritFrom* src = nullptr;
        if (from) {
          attrs.inheritFromExprs.push_back(from);
          src = make<ExprInheritFrom>(fromPos, uint32_t(attrs.inheritFromExprs.size() - 1));
        }
        for (auto& [name, p] : names) {
          if (auto* prev = attrs.find(name))
            fail("attribute '" + std::string(ctx_.symbols[name]) + "' already defined at " + resolve(prev->pos).toString(), p);
          if (src)
            attrs.add({name, AttrDef::Kind::InheritedFrom, make<ExprSelect>(p, src, AttrPath{{name, nullptr}}, nullptr), p});
          else
            attrs.add({name, AttrDef::Kind::Inherited, var(name, p), p});
        }
      } else if (t.kind == close) {
        return;
      } else if (mode == BindsMode::Plain) {
        syntaxError(t, {Tok::Inherit});
      } else if (mode == BindsMode::RecBrace) {
        syntaxError(t, {Tok::Inherit, Tok::RBrace});
      } else {
        syntaxError(t, {Tok::In, Tok::Inherit});
      }
    }
  }

  std::string showAttrPath(const AttrPath& path) {
    std::string out;
    bool first = true;
    for (auto& a : path) {
      if (!first) out += '.';
      first = false;
      if (a.symbol) printIdentifier(ctx_.symbols[a.symbol], out);
      else {
        out += "\"${";
        showExpr(*a.expr, ctx_.symbols, out);
        out += "}\"";
      }
    }
    return out;
  }

  [[noreturn]] void dupAttr(const AttrPath& path, PosIdx pos, PosIdx prev) {
    fail("attribute '" + showAttrPath(path) + "' already defined at " + resolve(prev).toString(), pos);
  }

  void addAttr(ExprAttrs* attrs, AttrPath path, PosIdx pos, Expr* e) {
    size_t i = 0;
    for (; i + 1 < path.size(); ++i) {
      ExprAttrs* nested;
      if (path[i].symbol) {
        if (AttrDef* j = attrs->find(path[i].symbol)) {
          if (j->e->kind != ExprKind::Attrs || j->kind != AttrDef::Kind::Plain) {
            path.erase(path.begin() + long(i) + 1, path.end());
            dupAttr(path, pos, j->pos);
          }
          nested = static_cast<ExprAttrs*>(j->e);
        } else {
          nested = make<ExprAttrs>();
          attrs->add({path[i].symbol, AttrDef::Kind::Plain, nested, pos});
        }
      } else {
        nested = make<ExprAttrs>();
        attrs->dynamicAttrs.push_back({path[i].expr, nested, pos});
      }
      attrs = nested;
    }
    if (path[i].symbol) addAttrDef(attrs, path, AttrDef{path[i].symbol, AttrDef::Kind::Plain, e, pos});
    else attrs->dynamicAttrs.push_back({path[i].expr, e, pos});
  }

  // `path` ends with def.name; used for messages.
  void addAttrDef(ExprAttrs* attrs, AttrPath& path, AttrDef def) {
    AttrDef* j = attrs->find(def.name);
    if (!j) {
      attrs->add(def);
      setName(def.e, def.name);
      return;
    }
    auto* ae = def.e->kind == ExprKind::Attrs ? static_cast<ExprAttrs*>(def.e) : nullptr;
    auto* jAttrs = j->e->kind == ExprKind::Attrs ? static_cast<ExprAttrs*>(j->e) : nullptr;
    if (!ae || !jAttrs) dupAttr(path, def.pos, j->pos);
    uint32_t shift = uint32_t(jAttrs->inheritFromExprs.size());
    auto moved = std::move(ae->attrs);
    ae->attrs.clear();
    ae->sortAttrs();
    std::sort(moved.begin(), moved.end(), [](const AttrDef& a, const AttrDef& b) { return a.name < b.name; });
    std::vector<ExprInheritFrom*> shifted;
    for (auto& ad : moved) {
      if (ad.kind == AttrDef::Kind::InheritedFrom) {
        auto* from = static_cast<ExprInheritFrom*>(static_cast<ExprSelect&>(*ad.e).e);
        if (std::find(shifted.begin(), shifted.end(), from) == shifted.end()) {
          from->displ += shift;
          shifted.push_back(from);
        }
      }
      path.push_back({ad.name, nullptr});
      addAttrDef(jAttrs, path, ad);
      path.pop_back();
    }
    for (auto& d : ae->dynamicAttrs) jAttrs->dynamicAttrs.push_back(d);
    ae->dynamicAttrs.clear();
    for (auto* f : ae->inheritFromExprs) jAttrs->inheritFromExprs.push_back(f);
    ae->inheritFromExprs.clear();
  }
};

} // namespace

Expr* parseNix(ParseContext& ctx, uint32_t originNr) { return Parser(ctx, originNr).parseAll(); }

} // namespace nixpp
