// format/derivation.h: store derivations (.drv files), their ATerm text
//   Derive([outputs],[inputDrvs],[inputSrcs],"platform","builder",[args],[env])
// parsed and printed byte for byte as Nix 2.8 does, their hash modulo (hashDerivationModulo),
// the output paths and .drv path of a new derivation (as `derivation` / derivationStrict
// computes them), and the JSON of `nix show-derivation`. Pure: no store, input derivations are
// reached through lookup functions.
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "format/content_address.h"
#include "format/hash.h"
#include "format/store_path.h"
#include "util/error.h"

namespace nixpp {

// A .drv text that cannot be parsed, or a derivation that breaks a rule (mixed output types...).
// The message is Nix's where Nix has one, e.g. "expected string 'Derive(['".
NIXPP_DECLARE_ERROR(BadDerivation, FormatError);

using StringSet = std::set<std::string>;

// One output of a derivation: how its path is determined.
struct DerivationOutput {
  // The classic kind: the path is fixed in the .drv, derived from the derivation's hash modulo.
  struct InputAddressed {
    StorePath path;
    bool operator==(const InputAddressed&) const = default;
  };
  // A fixed-output derivation's single "out": its content address is known in advance, and so is
  // its path (not stored here: computed from the address and the derivation's name).
  struct CAFixed {
    ContentAddress ca;  // method flat or nar
    bool operator==(const CAFixed&) const = default;
  };
  // Content-addressed (ca-derivations), path known only after the build.
  struct CAFloating {
    ContentAddressMethod method;  // flat or nar
    HashAlgo algo;
    bool operator==(const CAFloating&) const = default;
  };
  // Input-addressed, but the path cannot be known yet (it depends on a floating CA input).
  struct Deferred {
    bool operator==(const Deferred&) const = default;
  };
  // An impure derivation's output (impure-derivations): hashed like CAFloating, never cached.
  struct Impure {
    ContentAddressMethod method;
    HashAlgo algo;
    bool operator==(const Impure&) const = default;
  };

  std::variant<InputAddressed, CAFixed, CAFloating, Deferred, Impure> raw;

  // The path of this output, if known: InputAddressed's, or CAFixed's computed with
  // makeFixedOutputPath(outputPathName(drvName, outputName)).
  std::optional<StorePath> path(const StoreDir& dir, std::string_view drvName,
                                std::string_view outputName) const;

  bool operator==(const DerivationOutput&) const = default;
};

// What kind of derivation this is, from its outputs (Nix's DerivationType).
enum class DerivationType {
  inputAddressed,          // all outputs InputAddressed
  deferredInputAddressed,  // all outputs Deferred
  fixed,                   // one CAFixed output named "out"
  floating,                // all CAFloating, with one hash algorithm
  impure,                  // all Impure
};

// A parsed .drv.
struct Derivation {
  std::string name;  // the derivation's name: the .drv file's name without ".drv"
  std::map<std::string, DerivationOutput> outputs;
  std::map<StorePath, StringSet> inputDrvs;  // .drv path -> the outputs used
  StorePathSet inputSrcs;
  std::string platform;
  std::string builder;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;

  // The ATerm text, byte for byte as Nix 2.8 writes it. With `maskOutputs`, output paths and
  // the env vars named like outputs are "". With `actualInputs`, that list (keyed by any string,
  // e.g. the base16 hash of an input) is printed instead of inputDrvs. As in Nix, the platform,
  // output names, paths and input output names are written without escaping.
  std::string unparse(const StoreDir& dir, bool maskOutputs,
                      const std::map<std::string, StringSet>* actualInputs = nullptr) const;

  // The kind of derivation. Throws BadDerivation "must have at least one output", "can't mix
  // derivation output types", "only one fixed output is allowed for now", "single fixed output
  // must be named \"out\"", "all floating outputs must use the same hash type".
  DerivationType type() const;

  // The path of every output that is known (see DerivationOutput::path).
  std::map<std::string, std::optional<StorePath>> outputsAndOptPaths(const StoreDir& dir) const;

  bool operator==(const Derivation&) const = default;
};

// Parses the ATerm text of a .drv whose name (without ".drv") is `name`. Throws BadDerivation
// for malformed text (truncated, bad escapes, wrong arity, trailing data, bad hash algorithms or
// digests) and BadStorePath for bad store paths. Never reads past `text`.
Derivation parseDerivation(std::string_view text, const StoreDir& dir, std::string_view name);

// The name of a derivation stored at `drvPath`: its name without ".drv". Throws BadDerivation if
// the name does not end in ".drv".
std::string derivationNameOf(const StorePath& drvPath);

// --- hash modulo --------------------------------------------------------------------------------

// The result of hashDerivationModulo: a hash per output, and whether the outputs' paths can be
// computed from it (regular) or depend on floating or impure inputs (deferred).
struct DrvHash {
  enum class Kind { regular, deferred };
  std::map<std::string, Hash> hashes;  // output name -> hash
  Kind kind = Kind::regular;
};

// Returns the DrvHash of an input derivation (itself computed by hashDerivationModulo with
// maskOutputs = false). May throw whatever the caller likes (e.g. a missing .drv). The reference
// need only live until the next call (a reference: a copy per input derivation showed in profiles).
using DrvHashLookup = std::function<const DrvHash&(const StorePath& drvPath)>;

// Nix's hashDerivationModulo: a fixed-output derivation hashes to
// sha256("fixed:out:<r:?><algo>:<base16>:<out path>"); an impure one to sha256("impure")
// (deferred); any other to the sha256 of its ATerm with each input .drv replaced by the base16
// of its own hash modulo (for the outputs used) and, with `maskOutputs`, the output paths masked.
// Throws BadDerivation (type()), or what `inputDrvHash` throws, or BadDerivation if an input
// derivation has no hash for an output used.
DrvHash hashDerivationModulo(const Derivation& drv, const StoreDir& dir,
                             const DrvHashLookup& inputDrvHash, bool maskOutputs);

// Computes and memoises the hashes modulo of .drv files read through `readDrv` (which returns
// the parsed derivation at a path, or throws). Use its lookup() as the DrvHashLookup.
class DrvHashCache {
public:
  DrvHashCache(StoreDir dir, std::function<Derivation(const StorePath&)> readDrv);
  // Valid as long as the cache.
  const DrvHash& get(const StorePath& drvPath);
  DrvHashLookup lookup() { return [this](const StorePath& p) -> const DrvHash& { return get(p); }; }
  // Records the hash of a derivation created in memory, whose .drv may not be readable (an
  // evaluation in read-only mode computes .drv paths without writing them).
  void insert(const StorePath& drvPath, DrvHash h) { cache_.insert_or_assign(drvPath, std::move(h)); }

private:
  StoreDir dir_;
  std::function<Derivation(const StorePath&)> readDrv_;
  // Hashed, not ordered: a lookup per input derivation, and an ordered map's comparisons of
  // scattered strings showed in profiles. Nodes are stable, so get() may return references.
  struct PathHash {
    // The hash part is already a hash: 8 of its characters (40 bits of it) spread the keys.
    size_t operator()(const StorePath& p) const noexcept {
      size_t h;
      std::memcpy(&h, p.hashPart().data(), sizeof h);
      return h;
    }
  };
  std::unordered_map<StorePath, DrvHash, PathHash> cache_;
};

// --- creating derivations -------------------------------------------------------------------------

// "/<nix32 of sha256("nix-output:<output>")>": what env[output] holds for a floating or impure
// output until it is built.
std::string hashPlaceholder(std::string_view outputName);

// "/<nix32 of sha256("nix-upstream-output:<drv hash part>:<output path name>")>": what stands for
// an output of a derivation whose path is not known yet (a floating or deferred input).
std::string downstreamPlaceholder(const StorePath& drvPath, std::string_view outputName);

// Fills in the outputs of a new derivation as derivationStrict does. On entry each output says
// its kind: CAFixed, CAFloating, Impure, or Deferred/InputAddressed for the input-addressed ones
// to compute. Sets env[output] of every output (fixed: its path; floating/impure: the
// hashPlaceholder) and, for input-addressed outputs, computes the masked hash modulo and turns
// them into InputAddressed paths (or leaves them Deferred, with env "", if an input is deferred).
// Throws BadDerivation, or what `inputDrvHash` throws.
void fillInOutputPaths(Derivation& drv, const StoreDir& dir, const DrvHashLookup& inputDrvHash);

// A new derivation as derivationStrict finishes it: its ATerm text (the .drv file's contents,
// unparse(dir, false)) and its unmasked hash modulo (the DrvHash of the .drv, what derivations
// depending on it hash it as).
struct FinishedDerivation {
  std::string text;
  DrvHash hashModulo;
};

// fillInOutputPaths, then the text and the hash modulo: the same results as fillInOutputPaths,
// unparse and hashDerivationModulo(maskOutputs = false) one after the other, with the input
// derivations looked up once and the text printed twice rather than three times (the unmasked
// hash modulo is the hash of the .drv text with its input-derivation list replaced). Throws as
// fillInOutputPaths.
FinishedDerivation finishDerivation(Derivation& drv, const StoreDir& dir, const DrvHashLookup& inputDrvHash);

// The store path of the .drv file itself: makeTextPath("<name>.drv", sha256 of the ATerm,
// references = inputSrcs + inputDrvs).
StorePath derivationPath(const Derivation& drv, const StoreDir& dir);

// --- JSON -----------------------------------------------------------------------------------------

// The JSON `nix show-derivation` of Nix 2.8 prints for these derivations (keyed and ordered by
// .drv path), pretty-printed with two-space indentation, followed by a newline. Strings are
// escaped as Nix's JSON writer does (\" \\ \n \r \t, \u00XX for other control characters; other
// bytes as they are).
std::string derivationsToJson(const std::map<StorePath, Derivation>& drvs, const StoreDir& dir);

} // namespace nixpp
