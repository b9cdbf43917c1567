#include "expr/lexer.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "expr/eval_error.h"
#include "util/strings.h"

namespace nixpp {

std::string_view tokenName(Tok t) {
  switch (t) {
  case Tok::Eof: return "end of file";
  case Tok::Invalid: return "invalid token";
  case Tok::Id: return "identifier";
  case Tok::Str: return "string";
  case Tok::IndStr: return "indented string";
  case Tok::Int: return "integer";
  case Tok::Float: return "floating-point literal";
  case Tok::Path: return "path";
  case Tok::HPath: return "'~/…' path";
  case Tok::SPath: return "'<…>' path";
  case Tok::PathEnd: return "end of path";
  case Tok::Uri: return "URI";
  case Tok::If: return "'if'";
  case Tok::Then: return "'then'";
  case Tok::Else: return "'else'";
  case Tok::Assert: return "'assert'";
  case Tok::With: return "'with'";
  case Tok::Let: return "'let'";
  case Tok::In: return "'in'";
  case Tok::Rec: return "'rec'";
  case Tok::Inherit: return "'inherit'";
  case Tok::Eq: return "'=='";
  case Tok::NEq: return "'!='";
  case Tok::Leq: return "'<='";
  case Tok::Geq: return "'>='";
  case Tok::Update: return "'//'";
  case Tok::Concat: return "'++'";
  case Tok::And: return "'&&'";
  case Tok::Or: return "'||'";
  case Tok::Impl: return "'->'";
  case Tok::OrKw: return "'or'";
  case Tok::PipeFrom: return "'<|'";
  case Tok::PipeInto: return "'|>'";
  case Tok::DollarCurly: return "'${'";
  case Tok::IndStringOpen: return "start of an indented string";
  case Tok::IndStringClose: return "end of an indented string";
  case Tok::Ellipsis: return "'...'";
  case Tok::Lt: return "'<'";
  case Tok::Gt: return "'>'";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::Question: return "'?'";
  case Tok::Colon: return "':'";
  case Tok::At: return "'@'";
  case Tok::Semicolon: return "';'";
  case Tok::Bang: return "'!'";
  case Tok::Dot: return "'.'";
  case Tok::Quote: return "'\"'";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::Assign: return "'='";
  case Tok::Comma: return "','";
  }
  return "invalid token";
}

std::string unescapeNixString(std::string_view raw) {
  std::string t;
  t.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    char c = raw[i++];
    if (c == '\\' && i < raw.size()) {
      c = raw[i++];
      if (c == 'n') t += '\n';
      else if (c == 'r') t += '\r';
      else if (c == 't') t += '\t';
      else t += c;
    } else if (c == '\r') {
      t += '\n';
      if (i < raw.size() && raw[i] == '\n') ++i;
    } else {
      t += c;
    }
  }
  return t;
}

namespace {

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdStart(char c) { return isAlpha(c) || c == '_'; }
bool isIdChar(char c) { return isAlpha(c) || isDigit(c) || c == '_' || c == '\'' || c == '-'; }
bool isPathChar(char c) { return isAlpha(c) || isDigit(c) || c == '.' || c == '_' || c == '-' || c == '+'; }
bool isUriSchemeChar(char c) { return isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.'; }
bool isUriChar(char c) {
  return isAlpha(c) || isDigit(c) || std::string_view("%/?:@&=+$,-_.!~*'").find(c) != std::string_view::npos;
}

// Matchers: the length of the longest match of each of Nix's token regexes at `p` (0: none).
struct Matcher {
  std::string_view s;
  char at(size_t i) const { return i < s.size() ? s[i] : '\0'; }

  size_t id(size_t p) const {
    if (!isIdStart(at(p))) return 0;
    size_t q = p + 1;
    while (q < s.size() && isIdChar(s[q])) ++q;
    return q - p;
  }
  size_t digits(size_t p) const {
    size_t q = p;
    while (q < s.size() && isDigit(s[q])) ++q;
    return q - p;
  }
  size_t integer(size_t p) const { return digits(p); }
  // (([1-9][0-9]*\.[0-9]*)|(0?\.[0-9]+))([Ee][+-]?[0-9]+)?
  size_t floating(size_t p) const {
    size_t q = p;
    if (at(q) >= '1' && at(q) <= '9') {
      q += digits(q);
      if (at(q) != '.') return 0;
      ++q;
      q += digits(q);
    } else {
      if (at(q) == '0') ++q;
      if (at(q) != '.') return 0;
      ++q;
      size_t d = digits(q);
      if (d == 0) return 0;
      q += d;
    }
    if (at(q) == 'e' || at(q) == 'E') {
      size_t r = q + 1;
      if (at(r) == '+' || at(r) == '-') ++r;
      size_t d = digits(r);
      if (d > 0) q = r + d;
    }
    return q - p;
  }
  size_t pathChars(size_t p) const {
    size_t q = p;
    while (q < s.size() && isPathChar(s[q])) ++q;
    return q - p;
  }
  // ({PATH_CHAR}+ after '/')+ from q; returns end or q if none.
  size_t slashSegments(size_t q, bool allowTrailingSlash, bool& any) const {
    any = false;
    while (at(q) == '/') {
      size_t n = pathChars(q + 1);
      if (n == 0) break;
      q += 1 + n;
      any = true;
    }
    if (any && allowTrailingSlash && at(q) == '/') ++q;
    return q;
  }
  // {PATH_CHAR}*(\/{PATH_CHAR}+)+\/?
  size_t path(size_t p) const {
    size_t q = p + pathChars(p);
    bool any;
    q = slashSegments(q, true, any);
    return any ? q - p : 0;
  }
  // {PATH_CHAR}*\/
  size_t pathSeg(size_t p) const {
    size_t q = p + pathChars(p);
    return at(q) == '/' ? q + 1 - p : 0;
  }
  // \~(\/{PATH_CHAR}+)+\/?
  size_t hpath(size_t p) const {
    if (at(p) != '~') return 0;
    bool any;
    size_t q = slashSegments(p + 1, true, any);
    return any ? q - p : 0;
  }
  // \<{PATH_CHAR}+(\/{PATH_CHAR}+)*\>
  size_t spath(size_t p) const {
    if (at(p) != '<') return 0;
    size_t n = pathChars(p + 1);
    if (n == 0) return 0;
    bool any;
    size_t q = slashSegments(p + 1 + n, false, any);
    return at(q) == '>' ? q + 1 - p : 0;
  }
  // [a-zA-Z][a-zA-Z0-9\+\-\.]*\:[a-zA-Z0-9\%\/\?\:\@\&\=\+\$\,\-\_\.\!\~\*\']+
  size_t uri(size_t p) const {
    if (!isAlpha(at(p))) return 0;
    size_t q = p + 1;
    while (q < s.size() && isUriSchemeChar(s[q])) ++q;
    if (at(q) != ':') return 0;
    size_t r = q + 1;
    while (r < s.size() && isUriChar(s[r])) ++r;
    return r > q + 1 ? r - p : 0;
  }
  // \/\*([^*]|\*+[^*\/])*\*+\/  (a C comment; doc comments are a special case of it)
  size_t longComment(size_t p) const {
    if (at(p) != '/' || at(p + 1) != '*') return 0;
    auto e = s.find("*/", p + 2);
    return e == std::string_view::npos ? 0 : e + 2 - p;
  }
};

struct Keyword {
  std::string_view text;
  Tok tok;
};
const Keyword keywords[] = {
    {"if", Tok::If},       {"then", Tok::Then}, {"else", Tok::Else}, {"assert", Tok::Assert},
    {"with", Tok::With},   {"let", Tok::Let},   {"in", Tok::In},     {"rec", Tok::Rec},
    {"inherit", Tok::Inherit}, {"or", Tok::OrKw},
};

struct Operator {
  std::string_view text;
  Tok tok;
};
const Operator operators[] = {
    {"==", Tok::Eq},     {"!=", Tok::NEq},    {"<=", Tok::Leq},      {">=", Tok::Geq},
    {"&&", Tok::And},    {"||", Tok::Or},     {"->", Tok::Impl},     {"//", Tok::Update},
    {"++", Tok::Concat}, {"<|", Tok::PipeFrom}, {"|>", Tok::PipeInto},
};

Tok charToken(char c) {
  switch (c) {
  case '<': return Tok::Lt;
  case '>': return Tok::Gt;
  case '+': return Tok::Plus;
  case '-': return Tok::Minus;
  case '*': return Tok::Star;
  case '/': return Tok::Slash;
  case '?': return Tok::Question;
  case ':': return Tok::Colon;
  case '@': return Tok::At;
  case ';': return Tok::Semicolon;
  case '!': return Tok::Bang;
  case '.': return Tok::Dot;
  case '"': return Tok::Quote;
  case '(': return Tok::LParen;
  case ')': return Tok::RParen;
  case '{': return Tok::LBrace;
  case '}': return Tok::RBrace;
  case '[': return Tok::LBracket;
  case ']': return Tok::RBracket;
  case '=': return Tok::Assign;
  case ',': return Tok::Comma;
  default: return Tok::Invalid;
  }
}

} // namespace

Lexer::Lexer(std::string_view text, const PosTable& positions, uint32_t originNr, LexerOptions opts)
    : s_(text), positions_(positions), originNr_(originNr), opts_(opts) {}

void Lexer::fail(const std::string& msg, uint32_t offset) const {
  throw ParseError(msg, positions_[positions_.add(originNr_, offset)]);
}

Token Lexer::next() {
  Token t;
  switch (states_.back()) {
  case State::Initial:
  case State::Default: t = lexDefault(); break;
  case State::String: t = lexString(); break;
  case State::IndString: t = lexIndString(); break;
  case State::InPath: t = lexInPath(false); break;
  case State::InPathSlash: t = lexInPath(true); break;
  }
  if (t.kind != Tok::PathEnd) lastBegin_ = t.begin;
  return t;
}

Token Lexer::lexDefault() {
  Matcher m{s_};
  for (;;) {
    if (p_ >= s_.size()) {
      Token t;
      t.kind = Tok::Eof;
      t.begin = t.end = uint32_t(s_.size());
      return t;
    }
    // Whitespace and comments (these never tie with a longer token).
    char c = s_[p_];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\r' || s_[p_] == '\n')) ++p_;
      continue;
    }
    if (c == '#') {
      while (p_ < s_.size() && s_[p_] != '\r' && s_[p_] != '\n') ++p_;
      continue;
    }
    if (size_t n = m.longComment(p_)) {
      p_ += n;
      continue;
    }
    break;
  }

  // Candidates in rule order; the longest wins, the earliest on a tie.
  enum Rule { RKeyword, REllipsis, ROp, RId, RInt, RFloat, RDollarCurly, RRBrace, RLBrace, RQuote,
              RIndOpen, RPathSegInterp, RHPathInterp, RPath, RHPath, RSPath, RUri, RAny };
  size_t best = 0;
  Rule rule = RAny;
  Tok kwTok = Tok::Invalid;
  auto consider = [&](size_t len, Rule r) {
    if (len > best) {
      best = len;
      rule = r;
    }
  };
  size_t p = p_;
  size_t idLen = m.id(p);
  for (auto& k : keywords)
    if (s_.substr(p, k.text.size()) == k.text && k.text.size() > best) {
      best = k.text.size();
      rule = RKeyword;
      kwTok = k.tok;
    }
  if (s_.substr(p, 3) == "...") consider(3, REllipsis);
  Tok opTok = Tok::Invalid;
  for (auto& o : operators)
    if (s_.substr(p, 2) == o.text && 2 > best) {
      best = 2;
      rule = ROp;
      opTok = o.tok;
    }
  consider(idLen, RId);
  consider(m.integer(p), RInt);
  consider(m.floating(p), RFloat);
  if (s_.substr(p, 2) == "${") consider(2, RDollarCurly);
  if (s_[p] == '}') consider(1, RRBrace);
  if (s_[p] == '{') consider(1, RLBrace);
  if (s_[p] == '"') consider(1, RQuote);
  if (s_.substr(p, 2) == "''") {
    size_t q = p + 2;
    while (q < s_.size() && s_[q] == ' ') ++q;
    consider(q < s_.size() && s_[q] == '\n' ? q + 1 - p : 2, RIndOpen);
  }
  if (size_t n = m.pathSeg(p); n && s_.substr(p + n, 2) == "${") consider(n + 2, RPathSegInterp);
  if (s_.substr(p, 4) == "~/${") consider(4, RHPathInterp);
  consider(m.path(p), RPath);
  consider(m.hpath(p), RHPath);
  consider(m.spath(p), RSPath);
  consider(m.uri(p), RUri);
  consider(1, RAny);

  Token t;
  t.begin = uint32_t(p);
  t.end = uint32_t(p + best);
  t.raw = s_.substr(p, best);
  p_ = p + best;
  switch (rule) {
  case RKeyword: t.kind = kwTok; break;
  case REllipsis: t.kind = Tok::Ellipsis; break;
  case ROp:
    if ((opTok == Tok::PipeFrom || opTok == Tok::PipeInto) && !opts_.pipeOperators)
      fail("experimental Nix feature 'pipe-operators' is disabled; add '--extra-experimental-features "
           "pipe-operators' to enable it",
           t.begin);
    t.kind = opTok;
    break;
  case RId: t.kind = Tok::Id; break;
  case RInt: {
    auto n = parseInt(t.raw);
    if (!n) fail("invalid integer '" + std::string(t.raw) + "'", t.begin);
    t.kind = Tok::Int;
    t.i = *n;
    break;
  }
  case RFloat: {
    std::string text(t.raw);
    errno = 0;
    t.f = std::strtod(text.c_str(), nullptr);
    if (errno != 0) fail("invalid float '" + text + "'", t.begin);
    t.kind = Tok::Float;
    break;
  }
  case RDollarCurly:
    push(State::Default);
    t.kind = Tok::DollarCurly;
    break;
  case RRBrace:
    if (states_.back() != State::Initial) pop();
    t.kind = Tok::RBrace;
    break;
  case RLBrace:
    push(State::Default);
    t.kind = Tok::LBrace;
    break;
  case RQuote:
    push(State::String);
    t.kind = Tok::Quote;
    break;
  case RIndOpen:
    push(State::IndString);
    t.kind = Tok::IndStringOpen;
    break;
  case RPathSegInterp:
  case RHPathInterp:
    // The path up to and including its last '/' before "${", then the interpolation.
    t.end = uint32_t(p + best - 2);
    t.raw = s_.substr(p, best - 2);
    p_ = t.end;
    push(State::InPathSlash);
    t.kind = rule == RPathSegInterp ? Tok::Path : Tok::HPath;
    break;
  case RPath:
  case RHPath:
    push(t.raw.back() == '/' ? State::InPathSlash : State::InPath);
    t.kind = rule == RPath ? Tok::Path : Tok::HPath;
    break;
  case RSPath: t.kind = Tok::SPath; break;
  case RUri: t.kind = Tok::Uri; break;
  case RAny: t.kind = charToken(s_[p]); break;
  }
  return t;
}

Token Lexer::lexString() {
  Token t;
  t.begin = uint32_t(p_);
  size_t n = s_.size();
  if (p_ >= n) {
    t.kind = Tok::Eof;
    t.begin = t.end = uint32_t(n);
    return t;
  }
  if (s_.substr(p_, 2) == "${") {
    p_ += 2;
    t.end = uint32_t(p_);
    push(State::Default);
    t.kind = Tok::DollarCurly;
    return t;
  }
  if (s_[p_] == '"') {
    ++p_;
    t.end = uint32_t(p_);
    pop();
    t.kind = Tok::Quote;
    return t;
  }
  size_t q = p_;
  while (q < n) {
    char c = s_[q];
    if (c == '"') break;
    if (c == '\\') {
      if (q + 1 < n) {
        q += 2;
        continue;
      }
      break;
    }
    if (c == '$') {
      if (q + 1 >= n) break;
      char d = s_[q + 1];
      if (d == '{') break;
      if (d == '"') {
        ++q;
        break;
      }
      if (d == '\\') {
        if (q + 2 < n) {
          q += 3;
          continue;
        }
        break;
      }
      q += 2;
      continue;
    }
    ++q;
  }
  if (q > p_) {
    t.kind = Tok::Str;
    t.raw = s_.substr(p_, q - p_);
    t.str = unescapeNixString(t.raw);
    p_ = q;
    t.end = uint32_t(q);
    return t;
  }
  // A lone '$', '\' or "$\" before the end of the input: the parser reports the end of file.
  size_t len = s_.substr(p_, 2) == "$\\" ? 2 : 1;
  p_ += len;
  t.kind = Tok::Eof;
  t.end = uint32_t(p_);
  return t;
}

Token Lexer::lexIndString() {
  Token t;
  t.begin = uint32_t(p_);
  size_t n = s_.size();
  auto finish = [&](Tok k, size_t len) {
    p_ += len;
    t.end = uint32_t(p_);
    t.kind = k;
    return t;
  };
  if (p_ >= n) {
    t.kind = Tok::Eof;
    t.begin = t.end = uint32_t(n);
    return t;
  }
  std::string_view rest = s_.substr(p_);
  if (rest.starts_with("''$")) {
    t.str = "$";
    return finish(Tok::IndStr, 3);
  }
  if (rest.starts_with("'''")) {
    t.str = "''";
    return finish(Tok::IndStr, 3);
  }
  if (rest.starts_with("''\\") && rest.size() >= 4) {
    t.str = unescapeNixString(rest.substr(2, 2));
    return finish(Tok::IndStr, 4);
  }
  if (rest.starts_with("${")) {
    push(State::Default);
    return finish(Tok::DollarCurly, 2);
  }
  if (rest.starts_with("''")) {
    pop();
    return finish(Tok::IndStringClose, 2);
  }
  // ([^\$\']|\$[^\{\']|\'[^\'\$])+
  size_t q = 0;
  while (q < rest.size()) {
    char c = rest[q];
    if (c == '$' || c == '\'') {
      if (q + 1 >= rest.size()) break;
      char d = rest[q + 1];
      if (c == '$' && (d == '{' || d == '\'')) break;
      if (c == '\'' && (d == '\'' || d == '$')) break;
      q += 2;
      continue;
    }
    ++q;
  }
  if (q > 0) {
    t.raw = rest.substr(0, q);
    t.str = std::string(t.raw);
    t.hasIndentation = true;
    return finish(Tok::IndStr, q);
  }
  // A lone '$' or '\''.
  t.str = std::string(1, rest[0]);
  return finish(Tok::IndStr, 1);
}

Token Lexer::lexInPath(bool slash) {
  Matcher m{s_};
  Token t;
  t.begin = uint32_t(p_);
  if (s_.substr(p_, 2) == "${") {
    pop();
    push(State::InPath);
    push(State::Default);
    p_ += 2;
    t.end = uint32_t(p_);
    t.kind = Tok::DollarCurly;
    return t;
  }
  size_t len = std::max({m.path(p_), m.pathSeg(p_), m.pathChars(p_)});
  if (len > 0) {
    pop();
    t.raw = s_.substr(p_, len);
    push(t.raw.back() == '/' ? State::InPathSlash : State::InPath);
    t.str = std::string(t.raw);
    p_ += len;
    t.end = uint32_t(p_);
    t.kind = Tok::Str;
    return t;
  }
  if (slash) fail("path has a trailing slash", p_ < s_.size() ? uint32_t(p_) : lastBegin_);
  pop();
  t.kind = Tok::PathEnd;
  t.end = t.begin;
  return t;
}

} // namespace nixpp
