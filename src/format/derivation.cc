#include "format/derivation.h"

#include "util/strings.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace nixpp {

// --- outputs and types ----------------------------------------------------------------------------

std::optional<StorePath> DerivationOutput::path(const StoreDir& dir, std::string_view drvName,
                                                std::string_view outputName) const {
  if (auto* ia = std::get_if<InputAddressed>(&raw)) return ia->path;
  if (auto* f = std::get_if<CAFixed>(&raw)) return f->ca.storePath(dir, outputPathName(drvName, outputName));
  return std::nullopt;
}

DerivationType Derivation::type() const {
  size_t ia = 0, fixed = 0, floating = 0, deferred = 0, impure = 0;
  std::optional<HashAlgo> floatingAlgo;
  for (auto& [name, o] : outputs) {
    switch (o.raw.index()) {
      case 0: ++ia; break;
      case 1: ++fixed; break;
      case 2: {
        ++floating;
        auto algo = std::get<DerivationOutput::CAFloating>(o.raw).algo;
        if (floatingAlgo && *floatingAlgo != algo)
          throw BadDerivation("all floating outputs must use the same hash type");
        floatingAlgo = algo;
        break;
      }
      case 3: ++deferred; break;
      case 4: ++impure; break;
    }
  }
  size_t n = outputs.size();
  if (n == 0) throw BadDerivation("must have at least one output");
  if (ia == n) return DerivationType::inputAddressed;
  if (fixed == n) {
    if (fixed > 1) throw BadDerivation("only one fixed output is allowed for now");
    if (outputs.begin()->first != "out") throw BadDerivation("single fixed output must be named \"out\"");
    return DerivationType::fixed;
  }
  if (floating == n) return DerivationType::floating;
  if (deferred == n) return DerivationType::deferredInputAddressed;
  if (impure == n) return DerivationType::impure;
  throw BadDerivation("can't mix derivation output types");
}

std::map<std::string, std::optional<StorePath>> Derivation::outputsAndOptPaths(const StoreDir& dir) const {
  std::map<std::string, std::optional<StorePath>> r;
  for (auto& [id, o] : outputs) r.emplace(id, o.path(dir, name, id));
  return r;
}

std::string derivationNameOf(const StorePath& drvPath) {
  if (!drvPath.isDerivation())
    throw BadDerivation("path '" + drvPath.to_string() + "' is not a derivation");
  auto n = drvPath.name();
  return std::string(n.substr(0, n.size() - 4));
}

// --- printing -----------------------------------------------------------------------------------

namespace {

// A string in double quotes with no escaping (Nix's printUnquotedString).
void printUnquoted(std::string& out, std::string_view s) {
  out += '"';
  out += s;
  out += '"';
}

// Whether one of the 8 bytes of `v` may need escaping: '"', '\\', or below 0x0e (which holds
// \t \n \r). A filter: the bytes of a flagged word are then checked one by one.
bool mayNeedEscape(uint64_t v) {
  constexpr uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto hasZero = [&](uint64_t x) { return (x - ones) & ~x & highs; };
  return (hasZero(v ^ (ones * '"')) | hasZero(v ^ (ones * '\\')) | ((v - ones * 0x0e) & ~v & highs)) != 0;
}

// A string in double quotes with \" \\ \n \r \t escaped (Nix's printString).
void printEscaped(std::string& out, std::string_view s) {
  // Copies the runs between characters to escape in one go, skipping 8 clean bytes at a time:
  // the environment of a derivation is most of its text, and this runs three times per
  // derivation (two hashes and the file).
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  const char* p = s.data();
  size_t n = s.size(), start = 0, i = 0;
  while (i < n) {
    for (uint64_t v; i + 8 <= n; i += 8) {
      std::memcpy(&v, p + i, 8);
      if (mayNeedEscape(v)) break;
    }
    size_t end = std::min(n, i + 8);
    for (; i < end; ++i) {
      const char* esc;
      switch (p[i]) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: continue;
      }
      out.append(p + start, i - start);
      out.append(esc, 2);
      start = i + 1;
    }
  }
  out.append(p + start, n - start);
  out += '"';
}

template <class Range>
void printList(std::string& out, const Range& items, bool escape) {
  out += '[';
  bool first = true;
  for (const auto& i : items) {
    if (!first) out += ',';
    first = false;
    if (escape) printEscaped(out, i);
    else printUnquoted(out, i);
  }
  out += ']';
}

std::string methodAlgo(ContentAddressMethod m, HashAlgo algo) {
  return std::string(fileIngestionPrefix(toFileIngestionMethod(m))) + std::string(printHashAlgo(algo));
}

} // namespace

namespace {

// `"<storeDir>/<baseName>"`, appended without a temporary string.
void printQuotedPath(std::string& out, const StoreDir& dir, const StorePath& p) {
  out += '"';
  out += dir.to_string();
  out += '/';
  out += p.to_string();
  out += '"';
}

// Appends the ATerm of `drv` to `s` (see Derivation::unparse). The input derivations are
// `inputs` when given (their elements already printed, without the brackets), else the
// derivation's own; [*inputsBegin, *inputsEnd) of `s` is where they went, when asked.
void unparseTo(std::string& s, const Derivation& drv, const StoreDir& dir, bool maskOutputs,
               const std::string* inputs, size_t* inputsBegin = nullptr, size_t* inputsEnd = nullptr) {
  s += "Derive([";
  bool first = true;
  for (auto& [id, o] : drv.outputs) {
    if (!first) s += ',';
    first = false;
    s += '(';
    printUnquoted(s, id);
    s += ',';
    std::string_view algo, hash;
    std::string algoBuf, hashBuf;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, DerivationOutput::InputAddressed>) {
            if (!maskOutputs) printQuotedPath(s, dir, v.path);
            else s += "\"\"";
          } else if constexpr (std::is_same_v<T, DerivationOutput::CAFixed>) {
            if (!maskOutputs) printQuotedPath(s, dir, *o.path(dir, drv.name, id));
            else s += "\"\"";
            algo = algoBuf = v.ca.printMethodAlgo();
            hash = hashBuf = v.ca.hash.to_string(HashFormat::base16, false);
          } else if constexpr (std::is_same_v<T, DerivationOutput::CAFloating>) {
            s += "\"\"";
            algo = algoBuf = methodAlgo(v.method, v.algo);
          } else if constexpr (std::is_same_v<T, DerivationOutput::Impure>) {
            s += "\"\"";
            algo = algoBuf = methodAlgo(v.method, v.algo);
            hash = "impure";
          } else {
            s += "\"\"";
          }
        },
        o.raw);
    s += ',';
    printUnquoted(s, algo);
    s += ',';
    printUnquoted(s, hash);
    s += ')';
  }

  s += "],[";
  if (inputsBegin) *inputsBegin = s.size();
  if (inputs) {
    s += *inputs;
  } else {
    first = true;
    for (auto& [p, outs] : drv.inputDrvs) {
      if (!first) s += ',';
      first = false;
      s += '(';
      printQuotedPath(s, dir, p);
      s += ',';
      printList(s, outs, false);
      s += ')';
    }
  }
  if (inputsEnd) *inputsEnd = s.size();

  s += "],[";
  first = true;
  for (auto& p : drv.inputSrcs) {
    if (!first) s += ',';
    first = false;
    printQuotedPath(s, dir, p);
  }
  s += "],";
  printUnquoted(s, drv.platform);
  s += ',';
  printEscaped(s, drv.builder);
  s += ',';
  printList(s, drv.args, true);

  s += ",[";
  first = true;
  for (auto& [k, v] : drv.env) {
    if (!first) s += ',';
    first = false;
    s += '(';
    printEscaped(s, k);
    s += ',';
    printEscaped(s, maskOutputs && drv.outputs.count(k) ? std::string_view() : std::string_view(v));
    s += ')';
  }
  s += "])";
}

// The elements of an input-derivation list, printed: each (key, outputs) of `inputs`.
std::string printInputs(const std::map<std::string, StringSet>& inputs) {
  std::string s;
  bool first = true;
  for (auto& [k, outs] : inputs) {
    if (!first) s += ',';
    first = false;
    s += '(';
    printUnquoted(s, k);
    s += ',';
    printList(s, outs, false);
    s += ')';
  }
  return s;
}

// The input derivations as hashDerivationModulo prints them: each .drv replaced by the base16 of
// its hash modulo (the outputs used merged per hash, ordered by hash), and whether one of them
// is deferred. Throws what `inputDrvHash` throws, or BadDerivation for an output it lacks.
std::string moduloInputs(const Derivation& drv, const StoreDir& dir, const DrvHashLookup& inputDrvHash,
                         bool& deferred) {
  std::map<std::string, StringSet> inputs2;
  for (auto& [drvPath, outs] : drv.inputDrvs) {
    const DrvHash& res = inputDrvHash(drvPath);
    if (res.kind == DrvHash::Kind::deferred) deferred = true;
    for (auto& out : outs) {
      auto h = res.hashes.find(out);
      if (h == res.hashes.end())
        throw BadDerivation("derivation '" + dir.printPath(drvPath) + "' has no output '" + out + "'");
      inputs2[h->second.to_string(HashFormat::base16, false)].insert(out);
    }
  }
  return printInputs(inputs2);
}

} // namespace

std::string Derivation::unparse(const StoreDir& dir, bool maskOutputs,
                                const std::map<std::string, StringSet>* actualInputs) const {
  std::string s;
  s.reserve(4096);
  if (actualInputs) {
    std::string inputs = printInputs(*actualInputs);
    unparseTo(s, *this, dir, maskOutputs, &inputs);
  } else {
    unparseTo(s, *this, dir, maskOutputs, nullptr);
  }
  return s;
}

// --- parsing ------------------------------------------------------------------------------------

namespace {

// A cursor over the .drv text; every read is bounds-checked.
class AtermParser {
public:
  explicit AtermParser(std::string_view s) : s_(s) {}

  bool atEnd() const { return pos_ >= s_.size(); }

  void expect(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit)
      throw BadDerivation("expected string '" + std::string(lit) + "'" + where());
    pos_ += lit.size();
  }

  // Consumes `c` if it is next.
  bool consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::string parseString() {
    expect("\"");
    std::string r;
    while (true) {
      // The run up to the next quote or backslash in one append: most strings have no escapes,
      // and the store parses every .drv it registers.
      size_t end = pos_;
      while (end < s_.size() && s_[end] != '"' && s_[end] != '\\') ++end;
      r.append(s_.data() + pos_, end - pos_);
      pos_ = end;
      if (pos_ >= s_.size()) throw BadDerivation("unterminated string in derivation" + where());
      char c = s_[pos_++];
      if (c == '"') break;
      if (c == '\\') {
        if (pos_ >= s_.size()) throw BadDerivation("unterminated string in derivation" + where());
        c = s_[pos_++];
        // As in Nix: \n \r \t are control characters, any other escaped character stands for itself.
        if (c == 'n') r += '\n';
        else if (c == 'r') r += '\r';
        else if (c == 't') r += '\t';
        else r += c;
      } else {
        r += c;
      }
    }
    return r;
  }

  // A string that must be an absolute path.
  std::string parsePath() {
    auto s = parseString();
    if (s.empty() || s[0] != '/') throw BadDerivation("bad path '" + s + "' in derivation");
    return s;
  }

  // Calls `elem` for each element of a list "[e,e,...]" (the '[' already consumed).
  template <class F>
  void parseListRest(F&& elem) {
    if (consume(']')) return;
    while (true) {
      elem();
      if (consume(']')) return;
      expect(",");
    }
  }

  std::vector<std::string> parseStrings(bool arePaths) {
    std::vector<std::string> r;
    expect("[");
    parseListRest([&] { r.push_back(arePaths ? parsePath() : parseString()); });
    return r;
  }

  std::string where() const { return " at offset " + std::to_string(pos_); }

private:
  std::string_view s_;
  size_t pos_ = 0;
};

std::pair<ContentAddressMethod, HashAlgo> parseMethodAlgo(std::string_view hashAlgo) {
  auto method = ContentAddressMethod::flat;
  if (hasPrefix(hashAlgo, "r:")) {
    method = ContentAddressMethod::nar;
    hashAlgo.remove_prefix(2);
  }
  auto algo = parseHashAlgoOpt(hashAlgo);
  if (!algo) throw BadDerivation("unknown hash algorithm '" + std::string(hashAlgo) + "' in derivation output");
  return {method, *algo};
}

DerivationOutput parseOutput(const StoreDir& dir, const std::string& pathS, const std::string& hashAlgo,
                             const std::string& hash) {
  auto requireAbsent = [&](const char* kind) {
    if (!pathS.empty()) throw BadDerivation(std::string(kind) + " output has a path ('" + pathS + "') in derivation");
  };
  auto requireAbsolute = [&] {
    if (pathS.empty() || pathS[0] != '/') throw BadDerivation("bad path '" + pathS + "' in derivation");
  };
  if (!hashAlgo.empty()) {
    auto [method, algo] = parseMethodAlgo(hashAlgo);
    if (hash == "impure") {
      requireAbsent("impure");
      return {DerivationOutput::Impure{method, algo}};
    }
    if (!hash.empty()) {
      // As Nix: the path is checked for form only, then recomputed from the hash and the name.
      requireAbsolute();
      try {
        return {DerivationOutput::CAFixed{ContentAddress{method, Hash::parseNonSRIUnprefixed(hash, algo)}}};
      } catch (BadHash& e) {
        throw BadDerivation(std::string("bad fixed output hash in derivation: ") + e.what());
      }
    }
    requireAbsent("floating content-addressed");
    return {DerivationOutput::CAFloating{method, algo}};
  }
  if (!hash.empty()) throw BadDerivation("output hash '" + hash + "' without a hash algorithm in derivation");
  if (pathS.empty()) return {DerivationOutput::Deferred{}};
  requireAbsolute();
  return {DerivationOutput::InputAddressed{dir.parsePath(pathS)}};
}

} // namespace

Derivation parseDerivation(std::string_view text, const StoreDir& dir, std::string_view name) {
  Derivation drv;
  drv.name = name;
  AtermParser p(text);
  p.expect("Derive([");

  p.parseListRest([&] {
    p.expect("(");
    auto id = p.parseString();
    p.expect(",");
    auto pathS = p.parseString();
    p.expect(",");
    auto hashAlgo = p.parseString();
    p.expect(",");
    auto hash = p.parseString();
    p.expect(")");
    drv.outputs.insert_or_assign(std::move(id), parseOutput(dir, pathS, hashAlgo, hash));
  });

  p.expect(",[");
  p.parseListRest([&] {
    p.expect("(");
    auto path = dir.parsePath(p.parsePath());
    p.expect(",");
    auto outs = p.parseStrings(false);
    p.expect(")");
    drv.inputDrvs.insert_or_assign(path, StringSet(outs.begin(), outs.end()));
  });

  p.expect(",");
  for (auto& s : p.parseStrings(true)) drv.inputSrcs.insert(dir.parsePath(s));
  p.expect(",");
  drv.platform = p.parseString();
  p.expect(",");
  drv.builder = p.parseString();
  p.expect(",");
  drv.args = p.parseStrings(false);

  p.expect(",[");
  p.parseListRest([&] {
    p.expect("(");
    auto k = p.parseString();
    p.expect(",");
    auto v = p.parseString();
    p.expect(")");
    drv.env.insert_or_assign(std::move(k), std::move(v));
  });
  p.expect(")");
  if (!p.atEnd()) throw BadDerivation("unexpected data after the end of the derivation" + p.where());
  return drv;
}

// --- hash modulo ----------------------------------------------------------------------------------

DrvHash hashDerivationModulo(const Derivation& drv, const StoreDir& dir, const DrvHashLookup& inputDrvHash,
                             bool maskOutputs) {
  auto type = drv.type();
  DrvHash r;

  if (type == DerivationType::fixed) {
    for (auto& [id, o] : drv.outputs) {
      auto& f = std::get<DerivationOutput::CAFixed>(o.raw);
      r.hashes.insert_or_assign(
          id, hashString(HashAlgo::sha256, "fixed:out:" + f.ca.printMethodAlgo() + ":" +
                                               f.ca.hash.to_string(HashFormat::base16, false) + ":" +
                                               dir.printPath(*o.path(dir, drv.name, id))));
    }
    return r;
  }

  if (type == DerivationType::impure) {
    auto h = hashString(HashAlgo::sha256, "impure");
    for (auto& [id, o] : drv.outputs) r.hashes.insert_or_assign(id, h);
    r.kind = DrvHash::Kind::deferred;
    return r;
  }

  r.kind = type == DerivationType::floating ? DrvHash::Kind::deferred : DrvHash::Kind::regular;
  bool deferredInput = false;
  std::string inputs = moduloInputs(drv, dir, inputDrvHash, deferredInput);
  if (deferredInput) r.kind = DrvHash::Kind::deferred;
  std::string text;
  text.reserve(4096);
  unparseTo(text, drv, dir, maskOutputs, &inputs);
  auto h = hashString(HashAlgo::sha256, text);
  for (auto& [id, o] : drv.outputs) r.hashes.insert_or_assign(id, h);
  return r;
}

DrvHashCache::DrvHashCache(StoreDir dir, std::function<Derivation(const StorePath&)> readDrv)
    : dir_(std::move(dir)), readDrv_(std::move(readDrv)) {}

const DrvHash& DrvHashCache::get(const StorePath& drvPath) {
  if (auto i = cache_.find(drvPath); i != cache_.end()) return i->second;
  // Recursion depth is the depth of the dependency graph, which is finite: a .drv's path is a
  // hash of its inputs' paths, so inputs cannot form a cycle.
  auto h = hashDerivationModulo(readDrv_(drvPath), dir_, lookup(), false);
  return cache_.insert_or_assign(drvPath, std::move(h)).first->second;
}

// --- creating derivations -------------------------------------------------------------------------

std::string hashPlaceholder(std::string_view outputName) {
  return "/" + hashString(HashAlgo::sha256, "nix-output:" + std::string(outputName)).to_string(HashFormat::nix32, false);
}

std::string downstreamPlaceholder(const StorePath& drvPath, std::string_view outputName) {
  auto clearText = "nix-upstream-output:" + std::string(drvPath.hashPart()) + ":" +
                   outputPathName(derivationNameOf(drvPath), outputName);
  return "/" + hashString(HashAlgo::sha256, clearText).to_string(HashFormat::nix32, false);
}

namespace {

// The first step of fillInOutputPaths: env[output] of the fixed, floating and impure outputs;
// the input-addressed ones made Deferred with env "". Whether there are input-addressed ones.
bool prepareOutputs(Derivation& drv, const StoreDir& dir) {
  bool inputAddressed = false;
  for (auto& [id, o] : drv.outputs) {
    if (std::holds_alternative<DerivationOutput::CAFixed>(o.raw)) {
      drv.env[id] = dir.printPath(*o.path(dir, drv.name, id));
    } else if (std::holds_alternative<DerivationOutput::CAFloating>(o.raw) ||
               std::holds_alternative<DerivationOutput::Impure>(o.raw)) {
      drv.env[id] = hashPlaceholder(id);
    } else {
      o.raw = DerivationOutput::Deferred{};
      drv.env[id] = "";
      inputAddressed = true;
    }
  }
  return inputAddressed;
}

// The last step: the input-addressed outputs get the paths of the masked hash modulo `h`.
void setOutputPaths(Derivation& drv, const StoreDir& dir, const Hash& h) {
  for (auto& [id, o] : drv.outputs) {
    auto path = dir.makeOutputPath(id, h, drv.name);
    drv.env[id] = dir.printPath(path);
    o.raw = DerivationOutput::InputAddressed{path};
  }
}

} // namespace

void fillInOutputPaths(Derivation& drv, const StoreDir& dir, const DrvHashLookup& inputDrvHash) {
  if (!prepareOutputs(drv, dir)) {
    drv.type();  // reject mixtures
    return;
  }
  auto h = hashDerivationModulo(drv, dir, inputDrvHash, true);
  if (h.kind == DrvHash::Kind::deferred) return;
  setOutputPaths(drv, dir, h.hashes.begin()->second);
}

FinishedDerivation finishDerivation(Derivation& drv, const StoreDir& dir, const DrvHashLookup& inputDrvHash) {
  bool inputAddressed = prepareOutputs(drv, dir);
  auto type = drv.type();  // rejects mixtures, as fillInOutputPaths
  FinishedDerivation r;
  r.text.reserve(4096);
  if (type == DerivationType::fixed || type == DerivationType::impure) {
    // Their hash modulo does not involve the inputs (nor the text).
    unparseTo(r.text, drv, dir, false, nullptr);
    r.hashModulo = hashDerivationModulo(drv, dir, inputDrvHash, false);
    return r;
  }
  bool deferredInput = false;
  std::string inputs = moduloInputs(drv, dir, inputDrvHash, deferredInput);
  if (inputAddressed && !deferredInput) {
    std::string masked;
    masked.reserve(4096);
    unparseTo(masked, drv, dir, true, &inputs);
    setOutputPaths(drv, dir, hashString(HashAlgo::sha256, masked));
  }
  // The .drv text, and its hash with the input derivations replaced by their hashes modulo.
  size_t begin = 0, end = 0;
  unparseTo(r.text, drv, dir, false, nullptr, &begin, &end);
  HashSink sink(HashAlgo::sha256);
  std::string_view text(r.text);
  sink(text.substr(0, begin));
  sink(inputs);
  sink(text.substr(end));
  Hash h = sink.finish().first;
  r.hashModulo.kind = type == DerivationType::floating || deferredInput ? DrvHash::Kind::deferred : DrvHash::Kind::regular;
  for (auto& [id, o] : drv.outputs) r.hashModulo.hashes.insert_or_assign(id, h);
  return r;
}

StorePath derivationPath(const Derivation& drv, const StoreDir& dir) {
  auto refs = drv.inputSrcs;
  for (auto& [p, _] : drv.inputDrvs) refs.insert(p);
  return dir.computeStorePathForText(drv.name + ".drv", drv.unparse(dir, false), refs);
}

// --- JSON -----------------------------------------------------------------------------------------

namespace {

// Nix 2.8's JSON writer (libutil/json.cc) in its indenting mode.
class JsonWriter {
public:
  std::string out;

  void string(std::string_view s) { appendJsonString(out, s); }


  // An object or list: open(), then item() before each member, then close().
  void open(char c) {
    out += c;
    ++depth_;
    first_.push_back(true);
  }
  void item() {
    if (!first_.back()) out += ',';
    first_.back() = false;
    newline();
  }
  void key(std::string_view k) {
    item();
    string(k);
    out += ": ";
  }
  void close(char c) {
    --depth_;
    if (!first_.back()) newline();
    first_.pop_back();
    out += c;
  }

private:
  void newline() {
    out += '\n';
    out.append(depth_ * 2, ' ');
  }
  size_t depth_ = 0;
  std::vector<bool> first_;
};

} // namespace

std::string derivationsToJson(const std::map<StorePath, Derivation>& drvs, const StoreDir& dir) {
  JsonWriter w;
  w.open('{');
  for (auto& [drvPath, drv] : drvs) {
    w.key(dir.printPath(drvPath));
    w.open('{');

    w.key("outputs");
    w.open('{');
    for (auto& [id, o] : drv.outputs) {
      w.key(id);
      w.open('{');
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, DerivationOutput::InputAddressed>) {
              w.key("path");
              w.string(dir.printPath(v.path));
            } else if constexpr (std::is_same_v<T, DerivationOutput::CAFixed>) {
              w.key("path");
              w.string(dir.printPath(*o.path(dir, drv.name, id)));
              w.key("hashAlgo");
              w.string(v.ca.printMethodAlgo());
              w.key("hash");
              w.string(v.ca.hash.to_string(HashFormat::base16, false));
            } else if constexpr (std::is_same_v<T, DerivationOutput::CAFloating>) {
              w.key("hashAlgo");
              w.string(methodAlgo(v.method, v.algo));
            } else if constexpr (std::is_same_v<T, DerivationOutput::Impure>) {
              w.key("hashAlgo");
              w.string(methodAlgo(v.method, v.algo));
              w.key("impure");
              w.out += "true";
            }
          },
          o.raw);
      w.close('}');
    }
    w.close('}');

    w.key("inputSrcs");
    w.open('[');
    for (auto& p : drv.inputSrcs) {
      w.item();
      w.string(dir.printPath(p));
    }
    w.close(']');

    w.key("inputDrvs");
    w.open('{');
    for (auto& [p, outs] : drv.inputDrvs) {
      w.key(dir.printPath(p));
      w.open('[');
      for (auto& o : outs) {
        w.item();
        w.string(o);
      }
      w.close(']');
    }
    w.close('}');

    w.key("system");
    w.string(drv.platform);
    w.key("builder");
    w.string(drv.builder);

    w.key("args");
    w.open('[');
    for (auto& a : drv.args) {
      w.item();
      w.string(a);
    }
    w.close(']');

    w.key("env");
    w.open('{');
    for (auto& [k, v] : drv.env) {
      w.key(k);
      w.string(v);
    }
    w.close('}');

    w.close('}');
  }
  w.close('}');
  w.out += '\n';
  return std::move(w.out);
}

} // namespace nixpp
