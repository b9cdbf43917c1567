// Tests of the Nix parser: printed ASTs, error messages, variable binding, and robustness
// (random bytes and deep nesting give an error, never a crash).
#include <gtest/gtest.h>

#include <random>

#include "expr/base_env.h"
#include "expr/eval_error.h"
#include "expr/parser.h"

namespace nixpp {
namespace {

struct Harness {
  SymbolTable symbols;
  PosTable positions;
  Arena arena;
  StaticEnv base = makeBaseEnv(symbols);

  // Parses and binds `src` («string» origin); returns the printed AST.
  std::string parse(const std::string& src, LexerOptions lex = {}) {
    uint32_t nr = positions.addOrigin({Origin::Kind::String, "", std::make_shared<std::string>(src)});
    ParseContext ctx{symbols, positions, arena, "/base", "/home/u", lex};
    Expr* e = parseNix(ctx, nr);
    bindVars(e, &base, symbols, positions);
    std::string out;
    showExpr(*e, symbols, out);
    return out;
  }
  // The error message (without position) of parsing `src`.
  std::string error(const std::string& src) {
    try {
      parse(src);
    } catch (EvalError& e) {
      return e.message() + " @" + e.pos().toString();
    }
    return "no error";
  }
};


TEST(Parser, Operators) {
  Harness h;
  EXPECT_EQ(h.parse("1 - 2 - 3"), "(__sub (__sub 1 2) 3)");
  EXPECT_EQ(h.parse("a: b: a -> b -> a"), "(a: (b: (a -> (b -> a))))");
  EXPECT_EQ(h.parse("a: a <= 1"), "(a: (! (__lessThan 1 a)))");
  EXPECT_EQ(h.parse("<nixpkgs>"), "(__findFile __nixPath \"nixpkgs\")");
  EXPECT_EQ(h.parse("f: f 1 2"), "(f: (f 1 2))");
  EXPECT_EQ(h.parse("~/x"), "/home/u/x");
  EXPECT_EQ(h.parse("./a/../b"), "/base/b");
}

TEST(Parser, PipeOperators) {
  Harness h;
  EXPECT_EQ(h.parse("f: g: 1 |> f |> g", {true}), "(f: (g: (g (f 1))))");
  EXPECT_EQ(h.parse("f: g: f <| g <| 1", {true}), "(f: (g: (f (g 1))))");
  EXPECT_NE(h.error("f: 1 |> f").find("pipe-operators"), std::string::npos);
}

TEST(Parser, Errors) {
  Harness h;
  EXPECT_EQ(h.error("x: y"), "undefined variable 'y' @«string»:1:4");
  EXPECT_EQ(h.error("with {}; x"), "no error");
  EXPECT_EQ(h.error("{ a = 1; a = 2; }"), "attribute 'a' already defined at «string»:1:3 @«string»:1:10");
  EXPECT_EQ(h.error("a.if"), "syntax error, unexpected 'if', expecting identifier or 'or' or '${' or '\"' @«string»:1:3");
  EXPECT_EQ(h.error("(1"), "syntax error, unexpected end of file, expecting ')' @«string»:1:3");
  EXPECT_EQ(h.error("99999999999999999999"), "invalid integer '99999999999999999999' @«string»:1:1");
}

TEST(Parser, VariableResolution) {
  Harness h;
  uint32_t nr = h.positions.addOrigin({Origin::Kind::String, "", std::make_shared<std::string>("let a = 1; b = 2; in x: with x; [a b x c]")});
  ParseContext ctx{h.symbols, h.positions, h.arena, "/", "/", {}};
  Expr* e = parseNix(ctx, nr);
  bindVars(e, &h.base, h.symbols, h.positions);
  auto* let = static_cast<ExprLet*>(e);
  auto* lam = static_cast<ExprLambda*>(let->body);
  auto* with = static_cast<ExprWith*>(lam->body);
  auto& elems = static_cast<ExprList*>(with->body)->elems;
  auto* a = static_cast<ExprVar*>(elems[0]);
  auto* b = static_cast<ExprVar*>(elems[1]);
  auto* x = static_cast<ExprVar*>(elems[2]);
  auto* c = static_cast<ExprVar*>(elems[3]);
  EXPECT_FALSE(a->fromWith);
  EXPECT_EQ(a->level, 2u);  // with, lambda, let
  EXPECT_EQ(a->displ, 0u);
  EXPECT_EQ(b->displ, 1u);
  EXPECT_EQ(x->level, 1u);
  EXPECT_TRUE(c->fromWith);
  EXPECT_EQ(c->level, 0u);
}

TEST(Parser, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  const std::string alphabet = "{}[]()<>|&!=+-*/.,;:?@'\"$\\ \n\tabcxyz019_~#";
  for (int i = 0; i < 3000; ++i) {
    Harness h;
    std::string s;
    size_t n = rng() % 60;
    for (size_t j = 0; j < n; ++j)
      s += (i % 2) ? char(rng() % 256) : alphabet[rng() % alphabet.size()];
    try {
      h.parse(s);
    } catch (EvalError&) {
    }
  }
}

TEST(Parser, DeepNestingIsAnError) {
  for (std::string open : {"(", "[", "{a=", "!", "-", "x: ", "a // ", "if a then a else "}) {
    Harness h;
    std::string s;
    for (int i = 0; i < 100000; ++i) s += open;
    std::string msg = h.error(s);
    EXPECT_NE(msg.find("stack overflow"), std::string::npos) << open << ": " << msg.substr(0, 200);
  }
  Harness h;
  std::string ok;
  for (int i = 0; i < 200; ++i) ok += "(";
  ok += "1";
  for (int i = 0; i < 200; ++i) ok += ")";
  EXPECT_EQ(h.parse(ok), "1");
}

TEST(Lexer, IndentedStringStripping) {
  Harness h;
  EXPECT_EQ(h.parse("''\n  a\n    b\n  ''"), "\"a\\n  b\\n\"");
  EXPECT_EQ(h.parse("''\n  a\n ''"), "\"a\\n\"");
  EXPECT_EQ(h.parse("'''''''$''\\n''"), "(\"''\" + \"$\" + \"\\n\")");
  EXPECT_EQ(h.parse("\"a\\rb\r\nc\""), "\"a\\rb\\nc\"");
}

} // namespace
} // namespace nixpp
