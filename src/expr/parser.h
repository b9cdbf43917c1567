// expr/parser.h: the Nix language parser. Builds the AST (expr/ast.h) in an Arena, with Nix's
// desugarings, attribute-set merging and checks, and reports errors exactly as Nix's Bison parser
// does ("syntax error, unexpected X, expecting Y" with Bison's choice of Y).
//
// It is a recursive-descent parser whose error reporting follows the states of Nix's LALR(1)
// automaton; nesting is bounded (a clear "stack overflow" error, never a crash).
#pragma once

#include <cstddef>
#include <string>

#include "expr/ast.h"
#include "expr/lexer.h"

namespace nixpp {

// What the parser needs from its caller. All references must outlive the returned tree.
struct ParseContext {
  SymbolTable& symbols;
  PosTable& positions;
  Arena& arena;
  std::string basePath;  // absolute directory against which relative path literals resolve
  std::string home;      // $HOME, for ~/ paths
  LexerOptions lexer;
  size_t maxStackBytes = 2u << 20;  // native stack the parser may use before giving up
};

// Parses the whole source of origin `originNr` (registered in ctx.positions). Does not bind
// variables (see bindVars). Throws ParseError.
Expr* parseNix(ParseContext& ctx, uint32_t originNr);

// Canonicalises an absolute path: no ".", "..", repeated or trailing slashes.
std::string canonPath(std::string_view path);

} // namespace nixpp
