// expr/regex_dfa.cc: parser (libstdc++'s reading of POSIX extended syntax, a subset), Thompson
// NFA, and a DFA built state by state as the input needs it.
#include "expr/regex_dfa.h"

#include <algorithm>
#include <bitset>
#include <map>
#include <vector>

namespace nixpp {

namespace {

using ByteSet = std::bitset<256>;

constexpr int kInf = -1;
constexpr int kMaxCount = 1000;     // {m,n} bounds beyond this: left to std::regex
constexpr size_t kMaxNfa = 10000;   // NFA states (libstdc++ stops at 100000 of its own)
constexpr size_t kMaxDfa = 2000;    // DFA states kept before giving up

struct Node {
  enum Kind : uint8_t { Set, Cat, Alt, Repeat, Group, Bol, Eol } kind;
  ByteSet set{};
  std::vector<int> kids{};
  int min = 0, max = 0;  // Repeat; max kInf for no bound
};

// Recursive descent over the grammar libstdc++'s _Compiler implements for
// regex_constants::extended; fails (ok = false) on anything outside the subset.
class Parser {
public:
  explicit Parser(std::string_view re) : s_(re) {}
  std::vector<Node> nodes;
  size_t groups = 0;
  bool anchors = false;
  bool ok = true;

  int parse() {
    int root = disjunction();
    if (i_ != s_.size()) ok = false;  // an unmatched ')'
    return root;
  }

private:
  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;

  int add(Node n) {
    nodes.push_back(std::move(n));
    return int(nodes.size() - 1);
  }
  bool more() const { return i_ < s_.size(); }
  char peek() const { return s_[i_]; }

  int disjunction() {
    Node alt{Node::Alt};
    alt.kids.push_back(alternative());
    while (ok && more() && peek() == '|') {
      ++i_;
      alt.kids.push_back(alternative());
    }
    return alt.kids.size() == 1 ? alt.kids[0] : add(std::move(alt));
  }

  int alternative() {
    Node cat{Node::Cat};
    while (ok && more() && peek() != '|' && peek() != ')') cat.kids.push_back(term());
    return add(std::move(cat));
  }

  static bool isQuantifier(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

  int term() {
    char c = peek();
    if (c == '^' || c == '$') {
      ++i_;
      anchors = true;
      if (more() && isQuantifier(peek())) ok = false;  // std::regex rejects a quantified assertion
      return add(Node{c == '^' ? Node::Bol : Node::Eol});
    }
    int a = atom();
    if (!ok || !more() || !isQuantifier(peek())) return a;
    Node rep{Node::Repeat};
    rep.kids.push_back(a);
    char q = s_[i_++];
    if (q == '*') rep.min = 0, rep.max = kInf;
    else if (q == '+') rep.min = 1, rep.max = kInf;
    else if (q == '?') rep.min = 0, rep.max = 1;
    else {
      rep.min = number();
      rep.max = rep.min;
      if (ok && more() && peek() == ',') {
        ++i_;
        rep.max = more() && peek() >= '0' && peek() <= '9' ? number() : kInf;
      }
      if (!ok || !more() || peek() != '}' || (rep.max != kInf && rep.max < rep.min)) ok = false;
      else ++i_;
    }
    if (ok && more() && isQuantifier(peek())) ok = false;  // stacked quantifiers: std::regex's
    return add(std::move(rep));
  }

  int number() {
    int n = 0;
    size_t start = i_;
    while (more() && peek() >= '0' && peek() <= '9') {
      if (n <= kMaxCount) n = n * 10 + (peek() - '0');  // no overflow on long digit runs
      if (n > kMaxCount) ok = false;
      ++i_;
    }
    if (i_ == start) ok = false;
    return n;
  }

  int literal(unsigned char c) {
    Node n{Node::Set};
    n.set.set(c);
    return add(std::move(n));
  }

  int atom() {
    unsigned char c = static_cast<unsigned char>(s_[i_++]);
    switch (c) {
      case '(': {
        if (++depth_ > 100) {
          ok = false;
          return 0;
        }
        ++groups;
        int d = disjunction();
        --depth_;
        if (!more() || peek() != ')') ok = false;
        else ++i_;
        Node g{Node::Group};
        g.kids.push_back(d);
        return add(std::move(g));
      }
      case '[': return bracket();
      case '.': {
        Node n{Node::Set};
        n.set.set();
        n.set.reset(0);  // libstdc++'s POSIX `.`: any character but NUL
        return add(std::move(n));
      }
      case '\\': {
        // Only escaped special characters (others are errors under -std=c++NN, as Nix is built).
        static constexpr std::string_view special = ".[\\()*+?{|^$";  // libstdc++'s for extended
        if (!more() || special.find(peek()) == std::string_view::npos) {
          ok = false;
          return 0;
        }
        return literal(static_cast<unsigned char>(s_[i_++]));
      }
      case '*': case '+': case '?': case '{': case 0:
        ok = false;
        return 0;
      default:
        return literal(c);  // includes ']' and '}', ordinary outside brackets
    }
  }

  // The POSIX classes in the "C" locale (std::regex_traits<char> with the classic locale).
  static bool classSet(std::string_view name, ByteSet& set) {
    for (int c = 0; c < 128; ++c) {
      bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
      bool alpha = upper || lower, graph = c >= 33 && c <= 126;
      bool in;
      if (name == "alpha") in = alpha;
      else if (name == "digit") in = digit;
      else if (name == "alnum") in = alpha || digit;
      else if (name == "upper") in = upper;
      else if (name == "lower") in = lower;
      else if (name == "space") in = c == ' ' || (c >= '\t' && c <= '\r');
      else if (name == "blank") in = c == ' ' || c == '\t';
      else if (name == "cntrl") in = c < 32 || c == 127;
      else if (name == "print") in = c >= 32 && c <= 126;
      else if (name == "graph") in = graph;
      else if (name == "punct") in = graph && !alpha && !digit;
      else if (name == "xdigit") in = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      else return false;
      if (in) set.set(size_t(c));
    }
    return true;
  }

  // After '[': libstdc++'s _M_insert_bracket_matcher / _M_expression_term for POSIX.
  int bracket() {
    Node n{Node::Set};
    bool neg = false;
    if (more() && peek() == '^') {
      neg = true;
      ++i_;
    }
    int last = -1;  // a pending single character (it may start a range)
    bool lastIsClass = false;
    auto flush = [&] {
      if (last >= 0) n.set.set(size_t(last));
      last = -1;
    };
    // A '[' followed by '.', ':' or '=' opens a class-like token; otherwise it is ordinary.
    auto classToken = [&] { return peek() == '[' && i_ + 1 < s_.size() && (s_[i_ + 1] == '.' || s_[i_ + 1] == ':' || s_[i_ + 1] == '='); };
    if (!more()) return fail();
    // The first character is ordinary even if it is ']' ; a first '-' is ordinary too.
    if (peek() == '-') {
      last = '-';
      ++i_;
    } else if (!classToken()) {
      last = static_cast<unsigned char>(s_[i_++]);
    }
    for (;;) {
      if (!more()) return fail();
      char c = peek();
      if (c == ']') {
        ++i_;
        break;
      }
      if (classToken()) {
        if (s_[i_ + 1] != ':') return fail();  // collating symbols, equivalence classes
        size_t end = s_.find(":]", i_ + 2);
        if (end == std::string_view::npos) return fail();
        ByteSet cls;
        if (!classSet(s_.substr(i_ + 2, end - i_ - 2), cls)) return fail();
        flush();
        n.set |= cls;
        lastIsClass = true;
        i_ = end + 2;
        continue;
      }
      if (c == '-') {
        ++i_;
        if (!more()) return fail();
        if (peek() == ']') {  // "-]": a literal dash
          flush();
          n.set.set('-');
          ++i_;
          break;
        }
        if (last < 0 || lastIsClass) return fail();  // std::regex: error_range
        int hi;
        if (peek() == '-') hi = '-', ++i_;
        else if (classToken()) return fail();
        else hi = static_cast<unsigned char>(s_[i_++]);
        // libstdc++ compares the (signed) chars.
        signed char lo8 = static_cast<signed char>(last), hi8 = static_cast<signed char>(hi);
        if (lo8 > hi8) return fail();
        for (int b = 0; b < 256; ++b) {
          signed char b8 = static_cast<signed char>(b);
          if (lo8 <= b8 && b8 <= hi8) n.set.set(size_t(b));
        }
        last = -1;
        lastIsClass = false;
        continue;
      }
      if (c == 0) return fail();
      flush();
      last = static_cast<unsigned char>(c);
      lastIsClass = false;
      ++i_;
    }
    flush();
    if (neg) n.set.flip();
    return add(std::move(n));
  }

  int fail() {
    ok = false;
    return 0;
  }
};

struct NState {
  enum Kind : uint8_t { Set, Split, Eps, Bol, Eol, Accept } kind;
  int out = -1, out1 = -1;
  int set = -1;  // index into sets (Set)
};

struct DState {
  std::vector<int> kernel;  // NFA Set/Accept/Eol states, sorted
  bool begin = false;       // the initial state (at the subject's start)
  bool accepting = false;   // contains Accept
  int8_t acceptAtEnd = -1;  // accepting once the input ends (Eol may pass); -1 not computed
  int32_t next[256];
};

} // namespace

struct RegexDfa::Impl {
  std::vector<NState> nfa;
  std::vector<ByteSet> sets;
  int start = -1;
  size_t groups = 0;
  bool anchors = false;
  std::optional<size_t> fixedLength;

  std::vector<DState> dfa;
  std::map<std::pair<bool, std::vector<int>>, int> index;
  int initial = -1;
  ByteSet firstBytes;  // bytes that leave the initial state alive
  bool firstBytesKnown = false;
  bool full = false;   // hit kMaxDfa

  // visited marks for closures
  std::vector<uint32_t> mark;
  uint32_t gen = 0;

  int addState(NState s) {
    nfa.push_back(s);
    return int(nfa.size() - 1);
  }

  // Builds the NFA of node `n` followed by state `next`; returns its entry (-1: too big).
  int build(const std::vector<Node>& nodes, int n, int next) {
    if (nfa.size() > kMaxNfa) return -1;
    const Node& node = nodes[size_t(n)];
    switch (node.kind) {
      case Node::Set:
        sets.push_back(node.set);
        return addState({NState::Set, next, -1, int(sets.size() - 1)});
      case Node::Bol: return addState({NState::Bol, next});
      case Node::Eol: return addState({NState::Eol, next});
      case Node::Group: return build(nodes, node.kids[0], next);
      case Node::Cat:
        for (size_t k = node.kids.size(); k-- > 0;) {
          next = build(nodes, node.kids[k], next);
          if (next < 0) return -1;
        }
        return addState({NState::Eps, next});
      case Node::Alt: {
        int s = build(nodes, node.kids.back(), next);
        for (size_t k = node.kids.size() - 1; s >= 0 && k-- > 0;) {
          int a = build(nodes, node.kids[k], next);
          if (a < 0) return -1;
          s = addState({NState::Split, a, s});
        }
        return s;
      }
      case Node::Repeat: {
        int body = node.kids[0];
        int s;
        if (node.max == kInf) {
          int loop = addState({NState::Split, -1, next});
          int b = build(nodes, body, loop);
          if (b < 0) return -1;
          nfa[size_t(loop)].out = b;
          s = loop;
        } else {
          s = next;
          for (int k = node.min; k < node.max && s >= 0; ++k) {
            int b = build(nodes, body, s);
            if (b < 0) return -1;
            s = addState({NState::Split, b, next});
          }
        }
        for (int k = 0; k < node.min && s >= 0; ++k) s = build(nodes, body, s);
        return s;
      }
    }
    return -1;
  }

  static std::optional<size_t> length(const std::vector<Node>& nodes, int n) {
    const Node& node = nodes[size_t(n)];
    switch (node.kind) {
      case Node::Set: return 1;
      case Node::Bol: case Node::Eol: return 0;
      case Node::Group: return length(nodes, node.kids[0]);
      case Node::Cat: {
        size_t total = 0;
        for (int k : node.kids) {
          auto l = length(nodes, k);
          if (!l) return std::nullopt;
          total += *l;
        }
        return total;
      }
      case Node::Alt: {
        auto first = length(nodes, node.kids[0]);
        for (int k : node.kids)
          if (length(nodes, k) != first) return std::nullopt;
        return first;
      }
      case Node::Repeat: {
        auto l = length(nodes, node.kids[0]);
        if (!l) return std::nullopt;
        if (*l == 0) return 0;
        if (node.max != node.min) return std::nullopt;
        return *l * size_t(node.min);
      }
    }
    return std::nullopt;
  }

  // Adds the epsilon closure of NFA state `s` to `out` (Set, Accept and, unless atEnd, Eol
  // states; Bol passes only when atBegin).
  void closure(int s, bool atBegin, bool atEnd, std::vector<int>& out) {
    std::vector<int> stack{s};
    while (!stack.empty()) {
      int x = stack.back();
      stack.pop_back();
      if (x < 0 || mark[size_t(x)] == gen) continue;
      mark[size_t(x)] = gen;
      const NState& st = nfa[size_t(x)];
      switch (st.kind) {
        case NState::Set: case NState::Accept: out.push_back(x); break;
        case NState::Split: stack.push_back(st.out1); stack.push_back(st.out); break;
        case NState::Eps: stack.push_back(st.out); break;
        case NState::Bol: if (atBegin) stack.push_back(st.out); break;
        case NState::Eol:
          if (atEnd) stack.push_back(st.out);
          else out.push_back(x);
          break;
      }
    }
  }

  // The DFA state for a kernel (sorted), made if new; -1 if there are too many.
  int intern(bool begin, std::vector<int> kernel) {
    std::sort(kernel.begin(), kernel.end());
    if (kernel.empty()) return -1;  // dead
    auto key = std::make_pair(begin, kernel);
    if (auto i = index.find(key); i != index.end()) return i->second;
    if (dfa.size() >= kMaxDfa) {
      full = true;
      return -1;
    }
    DState d;
    d.kernel = std::move(kernel);
    d.begin = begin;
    for (int x : d.kernel)
      if (nfa[size_t(x)].kind == NState::Accept) d.accepting = true;
    std::fill(std::begin(d.next), std::end(d.next), -2);
    dfa.push_back(std::move(d));
    index.emplace(std::move(key), int(dfa.size() - 1));
    return int(dfa.size() - 1);
  }

  int initialState() {
    if (initial < 0 && !full) {
      std::vector<int> k;
      ++gen;
      closure(start, true, false, k);
      initial = intern(true, std::move(k));
    }
    return initial;
  }

  // The state after byte c from state d (-1 dead or full).
  int step(int d, unsigned char c) {
    int32_t n = dfa[size_t(d)].next[c];
    if (n != -2) return n;
    std::vector<int> k;
    ++gen;
    for (int x : dfa[size_t(d)].kernel) {
      const NState& st = nfa[size_t(x)];
      if (st.kind == NState::Set && sets[size_t(st.set)].test(c)) closure(st.out, false, false, k);
    }
    n = intern(false, std::move(k));
    if (!full) dfa[size_t(d)].next[c] = n;
    return n;
  }

  bool acceptsAtEnd(int d) {
    DState& st = dfa[size_t(d)];
    if (st.acceptAtEnd < 0) {
      bool acc = st.accepting;
      if (!acc) {
        std::vector<int> k;
        ++gen;
        for (int x : st.kernel)
          if (nfa[size_t(x)].kind == NState::Eol) closure(nfa[size_t(x)].out, st.begin, true, k);
        for (int x : k)
          if (nfa[size_t(x)].kind == NState::Accept) acc = true;
      }
      st.acceptAtEnd = acc;
    }
    return st.acceptAtEnd != 0;
  }
};

RegexDfa::RegexDfa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RegexDfa::~RegexDfa() = default;

std::unique_ptr<RegexDfa> RegexDfa::compile(std::string_view re) {
  Parser p(re);
  int root = p.parse();
  if (!p.ok) return nullptr;
  auto impl = std::make_unique<Impl>();
  int accept = impl->addState({NState::Accept});
  impl->start = impl->build(p.nodes, root, accept);
  if (impl->start < 0 || impl->nfa.size() > kMaxNfa) return nullptr;
  impl->groups = p.groups;
  impl->anchors = p.anchors;
  impl->fixedLength = Impl::length(p.nodes, root);
  impl->mark.assign(impl->nfa.size(), 0);
  return std::unique_ptr<RegexDfa>(new RegexDfa(std::move(impl)));
}

size_t RegexDfa::groups() const { return impl_->groups; }
bool RegexDfa::hasAnchors() const { return impl_->anchors; }
std::optional<size_t> RegexDfa::fixedLength() const { return impl_->fixedLength; }

std::optional<bool> RegexDfa::fullMatch(std::string_view s) {
  Impl& m = *impl_;
  int d = m.initialState();
  if (d < 0) return m.full ? std::nullopt : std::optional<bool>(false);
  for (char ch : s) {
    d = m.step(d, static_cast<unsigned char>(ch));
    if (d < 0) return m.full ? std::nullopt : std::optional<bool>(false);
  }
  return m.acceptsAtEnd(d);
}

std::optional<size_t> RegexDfa::findStart(std::string_view s, size_t from) {
  Impl& m = *impl_;
  int init = m.initialState();
  if (init < 0) return m.full ? std::nullopt : std::optional<size_t>(s.size());
  if (!m.firstBytesKnown) {
    for (int c = 0; c < 256; ++c)
      if (m.step(init, static_cast<unsigned char>(c)) >= 0) m.firstBytes.set(size_t(c));
    if (m.full) return std::nullopt;
    m.firstBytesKnown = true;
  }
  for (size_t p = from; p < s.size(); ++p) {
    if (!m.firstBytes.test(static_cast<unsigned char>(s[p]))) continue;
    int d = init;
    for (size_t q = p; q < s.size(); ++q) {
      d = m.step(d, static_cast<unsigned char>(s[q]));
      if (d < 0) break;
      if (m.dfa[size_t(d)].accepting) return p;
    }
    if (m.full) return std::nullopt;
  }
  return s.size();
}

} // namespace nixpp
