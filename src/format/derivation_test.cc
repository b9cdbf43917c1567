#include "format/derivation.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/strings.h"

using namespace nixpp;

namespace {

const std::string dataDir = std::string(NIXPP_TEST_DATA) + "/drv";
const StoreDir storeDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every .drv vector (made by tests/data/drv/generate.sh with Nix 2.8), by base name.
std::vector<StorePath> vectorDrvs() {
  std::vector<StorePath> r;
  for (auto& e : std::filesystem::directory_iterator(dataDir))
    if (hasSuffix(e.path().filename().string(), ".drv"))
      r.push_back(StorePath::parse(e.path().filename().string()));
  std::sort(r.begin(), r.end());
  return r;
}

Derivation readVector(const StorePath& p) {
  return parseDerivation(slurp(dataDir + "/" + p.to_string()), storeDir, derivationNameOf(p));
}

StorePath vectorByAttr(const std::string& attr) {
  std::istringstream in(slurp(dataDir + "/index.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    auto f = splitString(line, '\t');
    if (f.size() == 2 && f[0] == attr) return StorePath::parse(f[1]);
  }
  throw std::runtime_error("no vector " + attr);
}

} // namespace

TEST(Derivation, VectorsArePresent) { EXPECT_GE(vectorDrvs().size(), 26u); }

TEST(Derivation, ParsePrintRoundTripsByteForByte) {
  for (auto& p : vectorDrvs()) {
    auto text = slurp(dataDir + "/" + p.to_string());
    auto drv = parseDerivation(text, storeDir, derivationNameOf(p));
    EXPECT_EQ(drv.unparse(storeDir, false), text) << p.to_string();
  }
}

TEST(Derivation, DrvPathIsRecomputed) {
  for (auto& p : vectorDrvs()) EXPECT_EQ(derivationPath(readVector(p), storeDir), p) << p.to_string();
}

TEST(Derivation, JsonEqualsNixShowDerivation) {
  for (auto& p : vectorDrvs()) {
    std::map<StorePath, Derivation> m{{p, readVector(p)}};
    EXPECT_EQ(derivationsToJson(m, storeDir), slurp(dataDir + "/" + p.to_string() + ".json")) << p.to_string();
  }
}

TEST(Derivation, RecursiveJsonEqualsNixShowDerivation) {
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(dataDir)) {
    auto fn = e.path().filename().string();
    if (!hasSuffix(fn, ".drv.recursive.json")) continue;
    ++n;
    std::map<StorePath, Derivation> closure;
    std::vector<StorePath> todo{StorePath::parse(fn.substr(0, fn.size() - std::string(".recursive.json").size()))};
    while (!todo.empty()) {
      auto p = todo.back();
      todo.pop_back();
      if (closure.count(p)) continue;
      auto drv = readVector(p);
      for (auto& [i, _] : drv.inputDrvs) todo.push_back(i);
      closure.emplace(p, std::move(drv));
    }
    EXPECT_EQ(derivationsToJson(closure, storeDir), slurp(e.path().string())) << fn;
  }
  EXPECT_EQ(n, 3);
}

// Recomputes every output path as derivationStrict does, with the input derivations' hashes
// modulo computed from the vectors, and expects exactly the .drv Nix wrote.
TEST(Derivation, OutputPathsAreRecomputed) {
  DrvHashCache cache(storeDir, readVector);
  for (auto& p : vectorDrvs()) {
    auto orig = readVector(p);
    auto drv = orig;
    for (auto& [id, o] : drv.outputs) {
      if (std::holds_alternative<DerivationOutput::InputAddressed>(o.raw)) o.raw = DerivationOutput::Deferred{};
      if (!std::holds_alternative<DerivationOutput::Deferred>(o.raw)) continue;
      drv.env[id] = "garbage";  // must be recomputed
    }
    fillInOutputPaths(drv, storeDir, cache.lookup());
    EXPECT_EQ(drv.unparse(storeDir, false), orig.unparse(storeDir, false)) << p.to_string();
    EXPECT_EQ(derivationPath(drv, storeDir), p);
    // As Nix checks a .drv it is given: the masked hash modulo of the finished derivation
    // yields its own output paths.
    if (orig.type() != DerivationType::inputAddressed) continue;
    auto h = hashDerivationModulo(orig, storeDir, cache.lookup(), true);
    for (auto& [id, o] : orig.outputs)
      EXPECT_EQ(storeDir.makeOutputPath(id, h.hashes.at(id), orig.name),
                std::get<DerivationOutput::InputAddressed>(o.raw).path);
  }
}

// finishDerivation gives what fillInOutputPaths, unparse and the unmasked hashDerivationModulo
// give one after the other (it prints the text once less and splices the input list), on every
// vector: input-addressed, fixed, floating, impure, deferred, with and without inputs.
TEST(Derivation, FinishDerivationEqualsTheStepsItReplaces) {
  DrvHashCache cache(storeDir, readVector);
  for (auto& p : vectorDrvs()) {
    auto prepared = readVector(p);
    for (auto& [id, o] : prepared.outputs) {
      if (std::holds_alternative<DerivationOutput::InputAddressed>(o.raw)) o.raw = DerivationOutput::Deferred{};
      if (std::holds_alternative<DerivationOutput::Deferred>(o.raw)) prepared.env[id] = "garbage";
    }
    auto stepwise = prepared;
    fillInOutputPaths(stepwise, storeDir, cache.lookup());
    auto hash = hashDerivationModulo(stepwise, storeDir, cache.lookup(), false);
    auto finished = prepared;
    auto r = finishDerivation(finished, storeDir, cache.lookup());
    EXPECT_EQ(finished, stepwise) << p.to_string();
    EXPECT_EQ(r.text, stepwise.unparse(storeDir, false)) << p.to_string();
    EXPECT_EQ(r.text, slurp(dataDir + "/" + p.to_string())) << p.to_string();
    EXPECT_EQ(r.hashModulo.kind, hash.kind) << p.to_string();
    EXPECT_EQ(r.hashModulo.hashes, hash.hashes) << p.to_string();
    EXPECT_EQ(r.hashModulo.hashes, cache.get(p).hashes) << p.to_string();
  }
}

TEST(Derivation, BuildsANewDerivationFromScratch) {
  // derivation { name = "simple"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; }
  Derivation drv;
  drv.name = "simple";
  drv.platform = "x86_64-linux";
  drv.builder = "/bin/sh";
  drv.args = {"-c", "echo > $out"};
  drv.env = {{"builder", "/bin/sh"}, {"name", "simple"}, {"system", "x86_64-linux"}};
  drv.outputs.emplace("out", DerivationOutput{DerivationOutput::Deferred{}});
  fillInOutputPaths(drv, storeDir, [](const StorePath&) -> const DrvHash& { throw std::logic_error("no inputs"); });
  EXPECT_EQ(derivationPath(drv, storeDir), vectorByAttr("simple"));
  EXPECT_EQ(drv.env["out"], storeDir.printPath(*drv.outputs.at("out").path(storeDir, "simple", "out")));
}

TEST(Derivation, Types) {
  EXPECT_EQ(readVector(vectorByAttr("multi")).type(), DerivationType::inputAddressed);
  EXPECT_EQ(readVector(vectorByAttr("fixed-rec-sha1")).type(), DerivationType::fixed);
  EXPECT_EQ(readVector(vectorByAttr("ca")).type(), DerivationType::floating);
  EXPECT_EQ(readVector(vectorByAttr("deferred")).type(), DerivationType::deferredInputAddressed);
  EXPECT_EQ(readVector(vectorByAttr("impure")).type(), DerivationType::impure);

  auto drv = readVector(vectorByAttr("multi"));
  drv.outputs.at("dev").raw = DerivationOutput::Deferred{};
  EXPECT_THROW(drv.type(), BadDerivation);
  drv.outputs.clear();
  EXPECT_THROW(drv.type(), BadDerivation);
  auto fixed = readVector(vectorByAttr("fixed-rec-sha1"));
  fixed.outputs.emplace("dev", fixed.outputs.at("out"));
  EXPECT_THROW(fixed.type(), BadDerivation);
}

TEST(Derivation, HashModuloOfFixedOutputIgnoresInputs) {
  DrvHashCache cache(storeDir, readVector);
  // fixed-dep-on-fixed has the same output hash as fixed-sri but other inputs; the hash modulo
  // depends only on the method, the hash and the output path.
  auto a = hashDerivationModulo(readVector(vectorByAttr("fixed-dep-on-fixed")), storeDir, cache.lookup(), false);
  auto b = hashDerivationModulo(readVector(vectorByAttr("fixed-sri")), storeDir, cache.lookup(), false);
  EXPECT_EQ(a.kind, DrvHash::Kind::regular);
  EXPECT_NE(a.hashes.at("out"), b.hashes.at("out"));  // the names, hence the paths, differ
  auto drv = readVector(vectorByAttr("fixed-sri"));
  auto& ca = std::get<DerivationOutput::CAFixed>(drv.outputs.at("out").raw).ca;
  EXPECT_EQ(b.hashes.at("out"),
            hashString(HashAlgo::sha256, "fixed:out:sha256:" + ca.hash.to_string(HashFormat::base16, false) + ":" +
                                             storeDir.printPath(*drv.outputs.at("out").path(storeDir, drv.name, "out"))));
  // Floating and impure inputs make dependents deferred.
  EXPECT_EQ(cache.get(vectorByAttr("ca")).kind, DrvHash::Kind::deferred);
  EXPECT_EQ(cache.get(vectorByAttr("deferred")).kind, DrvHash::Kind::deferred);
  EXPECT_EQ(cache.get(vectorByAttr("dep-on-impure")).kind, DrvHash::Kind::deferred);
  EXPECT_EQ(cache.get(vectorByAttr("deps")).kind, DrvHash::Kind::regular);
}

TEST(Derivation, Placeholders) {
  auto ca = readVector(vectorByAttr("ca"));
  EXPECT_EQ(ca.env.at("out"), hashPlaceholder("out"));
  EXPECT_EQ(ca.env.at("dev"), hashPlaceholder("dev"));
  auto deferred = readVector(vectorByAttr("deferred"));
  EXPECT_EQ(deferred.env.at("ca"), downstreamPlaceholder(vectorByAttr("ca"), "out"));
  EXPECT_EQ(deferred.env.at("caDev"), downstreamPlaceholder(vectorByAttr("ca"), "dev"));
  auto deferred2 = readVector(vectorByAttr("deferred2"));
  EXPECT_EQ(deferred2.env.at("dep"), downstreamPlaceholder(vectorByAttr("deferred"), "lib"));
}

TEST(Derivation, PrintsEscapesAsNix) {
  Derivation drv;
  drv.name = "e";
  drv.platform = "sys";
  drv.builder = "a\"b\\c\nd\re\tf\x01";
  drv.args = {"", "\\n"};
  drv.env = {{"k\"", "v\n"}};
  drv.outputs.emplace("out", DerivationOutput{DerivationOutput::Deferred{}});
  auto text = drv.unparse(storeDir, false);
  EXPECT_EQ(text, "Derive([(\"out\",\"\",\"\",\"\")],[],[],\"sys\",\"a\\\"b\\\\c\\nd\\re\\tf\x01\","
                  "[\"\",\"\\\\n\"],[(\"k\\\"\",\"v\\n\")])");
  EXPECT_EQ(parseDerivation(text, storeDir, "e"), drv);
  // Unknown escapes stand for the character itself, as in Nix.
  auto d2 = parseDerivation("Derive([],[],[],\"s\",\"\\q\\\"\",[],[])", storeDir, "e");
  EXPECT_EQ(d2.builder, "q\"");
}

// Escapes at every offset around the 8-byte words printEscaped skips at once, against a
// byte-at-a-time reference; and bytes just outside the filter (0x0e, 0x7f, 0xff) left as they are.
TEST(Derivation, PrintsEscapesAtEveryOffset) {
  auto reference = [](std::string_view v) {
    std::string r = "\"";
    for (char c : v) {
      if (c == '"') r += "\\\"";
      else if (c == '\\') r += "\\\\";
      else if (c == '\n') r += "\\n";
      else if (c == '\r') r += "\\r";
      else if (c == '\t') r += "\\t";
      else r += c;
    }
    return r + "\"";
  };
  for (char special : {'"', '\\', '\n', '\r', '\t', '\x01', '\x0e', '\x7f', '\xff'})
    for (size_t len = 0; len < 40; ++len)
      for (size_t at = 0; at <= len; ++at) {
        std::string v(len, 'x');
        if (at < len) v[at] = special;
        if (len > 20) v[len - 1] = special;
        Derivation drv;
        drv.name = "e";
        drv.platform = "s";
        drv.builder = v;
        drv.outputs.emplace("out", DerivationOutput{DerivationOutput::Deferred{}});
        auto text = drv.unparse(storeDir, false);
        ASSERT_EQ(text, "Derive([(\"out\",\"\",\"\",\"\")],[],[],\"s\"," + reference(v) + ",[],[])")
            << int(special) << " " << len << " " << at;
        ASSERT_EQ(parseDerivation(text, storeDir, "e"), drv);
      }
}

TEST(Derivation, RejectsMalformedInput) {
  auto good = slurp(dataDir + "/" + vectorByAttr("deps").to_string());
  const std::string h = "ffdrlgaq9qwmhg92cqydynaq0vxmh52l";
  struct Case {
    std::string text, msg;  // msg: a substring of the message
  } cases[] = {
      {"", "expected string 'Derive(['"},
      {"Derive(", "expected string 'Derive(['"},
      {"derive([],[],[],\"s\",\"b\",[],[])", "expected string 'Derive(['"},
      {"Derive([", "expected string '('"},
      {"Derive([(\"out", "unterminated string"},
      {"Derive([(\"out\\", "unterminated string"},
      {"Derive([(\"out\",\"\",\"\")],[],[],\"s\",\"b\",[],[])", "expected string ','"},
      {"Derive([(\"out\",\"\",\"\",\"\",\"\")],[],[],\"s\",\"b\",[],[])", "expected string ')'"},
      {"Derive([],[],[],\"s\",\"b\",[],[]", "expected string ')'"},
      {"Derive([],[],[],\"s\",\"b\",[],[])x", "unexpected data after the end"},
      {"Derive([],[],[],\"s\",\"b\",[],[]))", "unexpected data after the end"},
      {"Derive([,],[],[],\"s\",\"b\",[],[])", "expected string '('"},
      {"Derive([],[],[],\"s\",\"b\",[\"a\" \"b\"],[])", "expected string ','"},
      {"Derive([],[],[],\"s\",\"b\",[\"a\",],[])", "expected string '\"'"},
      {"Derive([],[],[],s,\"b\",[],[])", "expected string '\"'"},
      {"Derive([],[],[],\"s\",\"b\",[],[(\"k\")])", "expected string ','"},
      {"Derive([],[],[\"relative\"],\"s\",\"b\",[],[])", "bad path 'relative' in derivation"},
      {"Derive([],[],[\"/tmp/" + h + "-x\"],\"s\",\"b\",[],[])", "is not in the Nix store"},
      {"Derive([],[],[\"/nix/store/" + h + "-x y\"],\"s\",\"b\",[],[])", "contains illegal character ' '"},
      {"Derive([],[],[\"/nix/store/short\"],\"s\",\"b\",[],[])", "too short"},
      {"Derive([],[(\"x.drv\",[\"out\"])],[],\"s\",\"b\",[],[])", "bad path 'x.drv' in derivation"},
      {"Derive([(\"out\",\"/nix/store/" + h + "-x\",\"sha3\",\"00\")],[],[],\"s\",\"b\",[],[])",
       "unknown hash algorithm 'sha3'"},
      {"Derive([(\"out\",\"/nix/store/" + h + "-x\",\"r:sha256\",\"00\")],[],[],\"s\",\"b\",[],[])",
       "bad fixed output hash"},
      {"Derive([(\"out\",\"\",\"sha256\",\"d41d8cd98f00b204e9800998ecf8427e\")],[],[],\"s\",\"b\",[],[])",
       "bad path '' in derivation"},
      {"Derive([(\"out\",\"/nix/store/" + h + "-x\",\"sha256\",\"\")],[],[],\"s\",\"b\",[],[])",
       "floating content-addressed output has a path"},
      {"Derive([(\"out\",\"/nix/store/" + h + "-x\",\"sha256\",\"impure\")],[],[],\"s\",\"b\",[],[])",
       "impure output has a path"},
      {"Derive([(\"out\",\"/nix/store/" + h + "-x\",\"\",\"abc\")],[],[],\"s\",\"b\",[],[])",
       "without a hash algorithm"},
      {"Derive([(\"out\",\"x\",\"\",\"\")],[],[],\"s\",\"b\",[],[])", "bad path 'x' in derivation"},
      {good.substr(0, good.size() / 2), ""},
      {good.substr(0, good.size() - 1), "expected string ')'"},
      {std::string(100000, '['), "expected string 'Derive(['"},
      {"Derive([" + std::string(100000, '('), "expected string '\"'"},
  };
  for (auto& c : cases) {
    try {
      parseDerivation(c.text, storeDir, "x");
      ADD_FAILURE() << "accepted: " << c.text.substr(0, 200);
    } catch (FormatError& e) {  // BadDerivation or BadStorePath
      EXPECT_NE(std::string(e.what()).find(c.msg), std::string::npos) << e.what() << " for " << c.text.substr(0, 200);
    }
  }
  // Every prefix of a good derivation is rejected, never accepted or crashing.
  for (size_t i = 0; i < good.size(); ++i) EXPECT_THROW(parseDerivation(good.substr(0, i), storeDir, "x"), FormatError);
}

TEST(Derivation, NameOfDrvPath) {
  EXPECT_EQ(derivationNameOf(vectorByAttr("multi")), "multi");
  EXPECT_THROW(derivationNameOf(StorePath::parse("ffdrlgaq9qwmhg92cqydynaq0vxmh52l-x")), BadDerivation);
}
