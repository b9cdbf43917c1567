// tests/fuzz/parse_fuzz.cc: a deterministic fuzzer of the Nix parser (no libFuzzer with g++).
//
//   parse_fuzz [--iterations N] [--seed S] [--max-len BYTES] DIR...
//
// Feeds the parser (and the variable binder) N inputs made from a fixed seed: random bytes,
// random token soup, and mutations of the .nix files found in the DIRs (bit flips, deleted,
// duplicated, inserted and swapped ranges, splices of two files, truncations, deep nesting).
// Every input must either parse or throw ParseError / UndefinedVarError; any other exception
// fails the run (exit 1, printing the input's seed and a C-escaped copy), and a crash or hang is
// seen by the caller (ctest). Prints "N inputs, P parsed, E rejected" on success.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "expr/base_env.h"
#include "expr/eval_error.h"
#include "expr/parser.h"

using namespace nixpp;

namespace {

std::vector<std::string> loadCorpus(const std::vector<std::string>& dirs) {
  std::vector<std::string> corpus;
  for (auto& d : dirs) {
    DIR* dir = opendir(d.c_str());
    if (!dir) {
      std::cerr << "parse_fuzz: cannot open directory '" << d << "': " << std::strerror(errno) << "\n";
      std::exit(2);
    }
    std::vector<std::string> names;
    while (auto* e = readdir(dir)) {
      std::string n = e->d_name;
      if (n.size() > 4 && n.ends_with(".nix")) names.push_back(n);
    }
    closedir(dir);
    std::sort(names.begin(), names.end());  // deterministic order, whatever readdir says
    for (auto& n : names) {
      std::ifstream in(d + "/" + n, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      corpus.push_back(ss.str());
    }
  }
  return corpus;
}

// Fragments that make mutations reach deeper into the grammar than random bytes do.
const std::vector<std::string> tokens = {
    "{", "}", "[", "]", "(", ")", "${", "''", "\"", "let ", " in ", "rec ", "with ", "inherit ", "if ", " then ",
    " else ", "assert ", "or", "a", "b.c", "x: ", "{ a, b ? 1, ... }@args: ", "./p", "~/h", "<nixpkgs>", "1",
    "1.5e3", "9223372036854775807", "9223372036854775808", "//", "++", "->", "|>", "<|", "==", "!=", "<=", ";",
    "=", ".", "?", "@", ",", ":", "#c\n", "/* c */", "/*", "\\", "$", "http://x.y/z", "\n", "\t", "\r", "\x00",
    "\xff", "\xc3\xa9"};

struct Mutator {
  std::mt19937_64 rng;
  const std::vector<std::string>& corpus;
  size_t maxLen;

  size_t below(size_t n) { return n == 0 ? 0 : size_t(rng() % n); }

  std::string randomBytes() {
    std::string s(below(200), '\0');
    for (auto& c : s) c = char(rng());
    return s;
  }
  std::string tokenSoup() {
    std::string s;
    for (size_t n = below(60); n > 0; --n) s += tokens[below(tokens.size())];
    return s;
  }
  std::string nested() {
    static const char* opens[] = {"(", "[", "{a=", "!", "-", "x: ", "let a = ", "a.", "\"${", "if a then "};
    std::string s;
    auto* o = opens[below(std::size(opens))];
    for (size_t n = 1 + below(20000); n > 0; --n) s += o;
    if (below(2)) s += "1";
    return s;
  }
  void mutateOnce(std::string& s) {
    size_t pos = below(s.size() + 1);
    switch (below(8)) {
    case 0:  // flip a bit
      if (!s.empty()) s[below(s.size())] ^= char(1u << below(8));
      break;
    case 1:  // delete a range
      s.erase(pos, below(16) + 1);
      break;
    case 2:  // insert a token
      s.insert(pos, tokens[below(tokens.size())]);
      break;
    case 3: {  // duplicate a range
      std::string r = s.substr(pos, below(64) + 1);
      s.insert(below(s.size() + 1), r);
      break;
    }
    case 4:  // random byte
      s.insert(pos, 1, char(rng()));
      break;
    case 5:  // truncate
      s.resize(pos);
      break;
    case 6: {  // splice in a piece of another file
      const std::string& o = corpus[below(corpus.size())];
      size_t from = below(o.size() + 1);
      s.insert(pos, o.substr(from, below(200) + 1));
      break;
    }
    default: {  // swap two ranges' characters
      if (s.size() > 2) std::swap(s[below(s.size())], s[below(s.size())]);
      break;
    }
    }
  }
  std::string next() {
    size_t kind = below(10);
    if (corpus.empty() || kind == 0) return randomBytes();
    if (kind == 1) return tokenSoup();
    if (kind == 2 && below(8) == 0) return nested();
    std::string s = corpus[below(corpus.size())];
    for (size_t n = 1 + below(8); n > 0; --n) mutateOnce(s);
    if (s.size() > maxLen) s.resize(maxLen);
    return s;
  }
};

std::string cEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\\' || c == '"') out += '\\', out += char(c);
    else if (c >= 0x20 && c < 0x7f) out += char(c);
    else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  size_t iterations = 10000, maxLen = 1 << 16;
  uint64_t seed = 20260101;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "parse_fuzz: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (a == "--iterations") iterations = std::stoull(value());
      else if (a == "--seed") seed = std::stoull(value());
      else if (a == "--max-len") maxLen = std::stoull(value());
      else if (a.starts_with("-")) {
        std::cerr << "parse_fuzz: unknown flag '" << a << "'\n";
        return 2;
      } else dirs.push_back(a);
    } catch (std::exception&) {
      std::cerr << "parse_fuzz: bad number for " << a << "\n";
      return 2;
    }
  }
  std::vector<std::string> corpus = loadCorpus(dirs);
  Mutator m{std::mt19937_64(seed), corpus, maxLen};
  size_t parsed = 0, rejected = 0;
  for (size_t i = 0; i < iterations; ++i) {
    std::string input = m.next();
    SymbolTable symbols;
    PosTable positions;
    Arena arena;
    StaticEnv base = makeBaseEnv(symbols);
    uint32_t nr = positions.addOrigin({Origin::Kind::String, "", std::make_shared<std::string>(input)});
    ParseContext ctx{symbols, positions, arena, "/base", "/home/u", {}};
    try {
      Expr* e = parseNix(ctx, nr);
      bindVars(e, &base, symbols, positions);
      std::string shown;
      showExpr(*e, symbols, shown);  // printing the tree must work too
      ++parsed;
    } catch (ParseError&) {
      ++rejected;
    } catch (UndefinedVarError&) {
      ++rejected;
    } catch (std::exception& e) {
      std::cerr << "parse_fuzz: input " << i << " (seed " << seed << ") threw something else than a parse error: "
                << e.what() << "\ninput: \"" << cEscape(input.substr(0, 2000)) << "\"\n";
      return 1;
    }
  }
  std::cout << iterations << " inputs, " << parsed << " parsed, " << rejected << " rejected (" << corpus.size()
            << " corpus files)\n";
  return 0;
}
