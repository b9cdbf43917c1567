// expr/restricted_io.h: Nix's pure and restricted evaluation modes, as a guard around an EvalIo.
// Every file the evaluator reads, lists, tests or copies to the store goes through EvalIo, so this
// one class is where access is decided (Nix's checkSourcePath, checkURI and allowPath): a path is
// readable only when it is, or is below, an allowed path — the search path's entries (and the
// closures of those in the store), the store paths of fetched trees and of sources copied to the
// store — both as written and once its symlinks are resolved. EvalState puts one in front of the
// front-end's EvalIo when settings.pureEval or settings.restrictEval is set (expr/eval.h).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "expr/eval_io.h"
#include "util/error.h"

namespace nixpp {

// Access refused: "access to absolute path '/etc/passwd' is forbidden in restricted mode", or
// "access to URI '...' is forbidden in restricted mode". builtins.pathExists answers false on it.
NIXPP_DECLARE_ERROR(RestrictedPathError, Error);

class RestrictedEvalIo : public EvalIo {
public:
  // `pure` selects the wording of refusals ("in pure evaluation mode (use '--impure' to
  // override)") and the environment is hidden in both modes; `checkUris` (restrict-eval) makes
  // fetchers accept only URLs under a prefix of `allowedUris`, or allowed local paths. `inner`
  // must outlive this object.
  RestrictedEvalIo(EvalIo& inner, bool pure, bool checkUris, std::vector<std::string> allowedUris);

  // Lets the evaluation read `path` and everything below it (Nix's allowPath). A store path is
  // allowed where the store keeps it too (its real path in a chroot store).
  void allowPath(const std::string& path);
  // Nix's checkSourcePath: returns `path` canonicalised if it may be read, else throws
  // RestrictedPathError. Paths of Nix's corepkgs (/__corepkgs__/...) are always allowed.
  std::string checkSourcePath(const std::string& path);
  // Nix's checkURI (restrict-eval only): `uri` must equal an allowed-uris prefix or be below it
  // (the prefix ends in '/' or the URI continues with '/'); a local path or file:// URL must be
  // an allowed path. Throws RestrictedPathError otherwise.
  void checkUri(const std::string& uri);
  // The EvalIo behind the checks, for what Nix does unchecked (search path lookups, a
  // builtins.path with a hash in pure mode).
  EvalIo& inner() { return inner_; }

  std::string readFile(const std::string& path) override;
  bool pathExists(const std::string& path) override;  // throws RestrictedPathError when refused
  FileType fileType(const std::string& path) override;
  std::vector<DirEntry> readDirectory(const std::string& path) override;
  std::string readLink(const std::string& path) override;
  std::string storeDir() override { return inner_.storeDir(); }
  // Checks `path`, copies, and allows the result (as Nix's copyPathToStore and addPath).
  std::string copyPathToStore(const std::string& path, std::string_view name, bool recursive,
                              const PathFilter* filter) override;
  std::string addTextToStore(std::string_view name, std::string_view text,
                             const std::vector<std::string>& references) override {
    return inner_.addTextToStore(name, text, references);
  }
  std::string writeDerivation(const Derivation& drv, const std::string& text) override {
    return inner_.writeDerivation(drv, text);
  }
  bool isValidPath(const std::string& storePath) override { return inner_.isValidPath(storePath); }
  // Always "": neither mode lets the environment in.
  std::string getEnv(const std::string&) override { return ""; }
  std::string absPath(const std::string& path) override { return inner_.absPath(path); }
  std::vector<std::string> queryReferences(const std::string& storePath) override {
    return inner_.queryReferences(storePath);
  }
  std::string readStoreFile(const std::string& path) override { return inner_.readStoreFile(path); }
  std::string toRealPath(const std::string& storePath) override { return inner_.toRealPath(storePath); }
  // Checks the URL (restrict-eval), fetches, and allows the result.
  FetchResult fetch(const FetchRequest& req) override;

private:
  bool allowed(const std::string& path) const;
  // `path` (absolute, canonical) with every symlink in it resolved, asking `inner_`.
  std::string resolveSymlinks(const std::string& path);

  EvalIo& inner_;
  bool pure_, checkUris_;
  std::vector<std::string> allowedUris_;
  std::set<std::string> allowedPaths_;
  std::unordered_map<std::string, std::string> resolved_;  // checked path -> its canonical path
};

} // namespace nixpp
