// store/build/build_env.h: the environment a builder runs in, exactly as Nix 2.8 sets it up
// (LocalDerivationGoal::initEnv, writeStructuredAttrs): the .drv's variables (or, with
// __structuredAttrs, .attrs.json / .attrs.sh), passAsFile files, exportReferencesGraph files,
// NIX_BUILD_TOP and the TMPDIR family, PATH=/path-not-set, HOME=/homeless-shelter, NIX_STORE,
// NIX_BUILD_CORES, NIX_LOG_FD=2, TERM=xterm-256color, and for fixed-output derivations the
// impureEnvVars taken from our own environment. Pure apart from the store queries of
// exportReferencesGraph: it returns the files to write instead of writing them.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "format/derivation.h"

namespace nixpp {

class Store;

// Where and how a derivation is built, as far as its environment is concerned.
struct BuildEnvContext {
  std::map<std::string, StorePath> outputs;  // output name -> path
  std::string buildDirInBuilder;             // "/build" in the sandbox, else the real dir
  uint64_t cores = 1;                        // NIX_BUILD_CORES
  StorePathSet inputClosure;                 // what exportReferencesGraph may name
  // The calling environment (impureEnvVars of fixed-output derivations).
  std::function<std::optional<std::string>(const std::string&)> getEnv;
};

struct BuilderEnv {
  std::map<std::string, std::string> vars;
  // Files to create in the build dir before the builder starts: name -> contents.
  std::map<std::string, std::string> files;
};

// Computes the environment. Throws Error for an exportReferencesGraph naming a path outside the
// input closure ("exportReferencesGraph refers to a path that is not an input"), malformed
// __json, or an odd exportReferencesGraph list.
BuilderEnv makeBuilderEnv(Store& store, const Derivation& drv, const BuildEnvContext& ctx);

// The string list a derivation attribute holds: the JSON list under __json with structured
// attributes, else the env var split on whitespace. nullopt if absent.
std::optional<std::vector<std::string>> derivationStringsAttr(const Derivation& drv, const std::string& name);

// True if the derivation uses __structuredAttrs (has a __json variable).
bool hasStructuredAttrs(const Derivation& drv);

} // namespace nixpp
