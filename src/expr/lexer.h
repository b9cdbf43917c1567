// expr/lexer.h: the Nix tokenizer. Reproduces Nix's flex scanner: longest match, keywords before
// identifiers, lexer states for strings, indented strings and interpolated paths, and the same
// errors (invalid integer/float, trailing slash in a path, disabled pipe operators).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "expr/pos.h"

namespace nixpp {

// Token kinds, in the order of Nix's grammar symbols (Bison lists expected tokens in this order).
enum class Tok : uint8_t {
  Eof, Invalid,
  Id, Str, IndStr, Int, Float, Path, HPath, SPath, PathEnd, Uri,
  If, Then, Else, Assert, With, Let, In, Rec, Inherit,
  Eq, NEq, Leq, Geq, Update, Concat, And, Or, Impl, OrKw, PipeFrom, PipeInto,
  DollarCurly, IndStringOpen, IndStringClose, Ellipsis,
  Lt, Gt, Plus, Minus, Star, Slash, Question,
  Colon, At, Semicolon, Bang, Dot, Quote, LParen, RParen, LBrace, RBrace, LBracket, RBracket,
  Assign, Comma,
};

// The name Nix's parser uses for a token kind in "unexpected X, expecting Y" messages.
std::string_view tokenName(Tok t);

struct Token {
  Tok kind = Tok::Eof;
  uint32_t begin = 0, end = 0;  // byte offsets in the source
  std::string_view raw;         // the matched text (ID, PATH, HPATH, SPATH, URI, path STR)
  std::string str;              // unescaped contents (STR, IND_STR)
  bool hasIndentation = false;  // IND_STR: plain text that takes part in indentation stripping
  int64_t i = 0;                // INT
  double f = 0;                 // FLOAT
};

struct LexerOptions {
  bool pipeOperators = false;  // the experimental feature 'pipe-operators'
  // --lint-absolute-path-literals / --lint-short-path-literals / --lint-url-literals: what the
  // parser does with such a literal (a warning on stderr, or a parse error).
  enum class Lint : uint8_t { ignore, warn, fatal };
  Lint lintAbsolutePaths = Lint::ignore, lintShortPaths = Lint::ignore, lintUrls = Lint::ignore;
};

// Tokenizes one source text. The text must outlive the lexer and its tokens. Throws ParseError
// (positions from `positions`/`originNr`) on lexical errors.
class Lexer {
public:
  Lexer(std::string_view text, const PosTable& positions, uint32_t originNr, LexerOptions opts = {});
  // The next token; after the end, Eof forever.
  Token next();

private:
  enum class State : uint8_t { Initial, Default, String, IndString, InPath, InPathSlash };
  Token lexDefault();
  Token lexString();
  Token lexIndString();
  Token lexInPath(bool slash);
  [[noreturn]] void fail(const std::string& msg, uint32_t offset) const;
  void push(State s) { states_.push_back(s); }
  void pop() {
    if (states_.size() > 1) states_.pop_back();
  }

  std::string_view s_;
  const PosTable& positions_;
  uint32_t originNr_;
  LexerOptions opts_;
  size_t p_ = 0;
  uint32_t lastBegin_ = 0;
  std::vector<State> states_{State::Initial};
};

// Decodes the escapes of a "..." string segment (\n \r \t, \x = x) and turns CR and CR LF into LF.
std::string unescapeNixString(std::string_view raw);

} // namespace nixpp
