// expr/eval_io.h: everything the evaluator may ask of the outside world (file system, store).
// The evaluator never includes src/store: src/glue/store_eval_io.h implements this over a
// Store; tests use an in-memory implementation (expr/memory_eval_io.h).
//
// Paths are absolute and canonical. Failures throw nixpp::Error subclasses with Nix's wording
// (e.g. SysError "opening file '/x': No such file or directory").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nixpp {

struct Derivation;

// What builtins.fetchurl / fetchTarball / fetchGit / fetchTree ask EvalIo to fetch
// (expr/builtins/fetch.cc parses the arguments; glue/fetch.h does the work).
struct FetchRequest {
  enum class Type { file, tarball, git, path };
  Type type = Type::file;
  std::string url;                    // a URL, or a local path (git, path)
  std::string name;                   // the store path name
  std::optional<std::string> hash;    // expected content hash ("<algo>:..." or SRI): flat for
                                      // file, NAR sha256 for the others
  std::optional<std::string> narHash; // fetchTree's expected NAR hash (SRI or "sha256:...")
  std::optional<std::string> rev;     // git: the commit
  std::optional<std::string> ref;     // git: the branch or tag
  bool shallow = false, submodules = false, allRefs = false;
  bool emptyRevFallback = false;      // git, fetchGit: a dirty tree reports rev "000...0"
};

// A fetched tree: its store path, NAR hash, and the attributes fetchTree/fetchGit return
// (rev, shortRev, revCount, lastModified, lastModifiedDate), in order.
struct FetchResult {
  struct Attr {
    std::string name;
    std::optional<int64_t> number;  // set for revCount, lastModified
    std::string text;               // else
  };
  std::string storePath;
  std::string narHash;  // SRI
  std::vector<Attr> attrs;
};

class EvalIo {
public:
  enum class FileType { Regular, Directory, Symlink, Unknown };
  struct DirEntry {
    std::string name;
    FileType type;
  };
  // Decides whether `path` (of type `type`) goes into the store when copying a tree.
  using PathFilter = std::function<bool(const std::string& path, FileType type)>;

  virtual ~EvalIo() = default;

  // The contents of a regular file (following symlinks).
  virtual std::string readFile(const std::string& path) = 0;
  // Whether the path exists (not following a final symlink is NOT done: like stat()).
  virtual bool pathExists(const std::string& path) = 0;
  // The type of the path itself (lstat). Throws if it does not exist.
  virtual FileType fileType(const std::string& path) = 0;
  // The entries of a directory, sorted by name.
  virtual std::vector<DirEntry> readDirectory(const std::string& path) = 0;
  // The target of a symlink.
  virtual std::string readLink(const std::string& path) = 0;

  // The store directory ("/nix/store").
  virtual std::string storeDir() = 0;
  // Copies `path` to the store as `name` (NAR serialisation when `recursive`, else the flat
  // file), keeping only what `filter` accepts (all when null); returns the store path. When
  // `expectedHash`... is handled by the callers; this is the plain "add to store" of Nix.
  virtual std::string copyPathToStore(const std::string& path, std::string_view name, bool recursive,
                                      const PathFilter* filter) = 0;
  // Adds a text file with the given references (store paths); returns its store path.
  virtual std::string addTextToStore(std::string_view name, std::string_view text,
                                     const std::vector<std::string>& references) = 0;
  // Writes a derivation (its outputs already filled in) to the store; returns the .drv path.
  // `text` is its ATerm, drv.unparse(dir, false): the caller has printed it already.
  virtual std::string writeDerivation(const Derivation& drv, const std::string& text) = 0;
  // Whether `storePath` is a valid path in the store.
  virtual bool isValidPath(const std::string& storePath) = 0;
  // An environment variable (empty when unset) — builtins.getEnv.
  virtual std::string getEnv(const std::string& name) = 0;
  // `path` made absolute: a relative path is relative to the current directory (search path
  // entries such as `-I dir`). Default: relative to "/".
  virtual std::string absPath(const std::string& path) { return path.starts_with("/") ? path : "/" + path; }

  // --- derivations, files and fetchers (builtins/derivation.cc, files.cc, fetch.cc) ---
  // The references of a valid store path (full paths), for derivationStrict's closure of a
  // "=<drv>" context. Default: throws (an EvalIo without a store).
  virtual std::vector<std::string> queryReferences(const std::string& storePath);
  // The contents of a file inside the store, given by its store path (e.g. a .drv), wherever the
  // store keeps it on disk (a chroot store). Default: readFile.
  virtual std::string readStoreFile(const std::string& path) { return readFile(path); }
  // Where the store path `storePath` is on disk (elsewhere in a chroot store). Default: itself.
  virtual std::string toRealPath(const std::string& storePath) { return storePath; }
  // Fetches a file, tarball, git revision or local path into the store. Throws Error with
  // Nix's wording (e.g. "hash mismatch in file downloaded from '...'"). Default: throws.
  virtual FetchResult fetch(const FetchRequest& req);
};

// `path` with its last component's symbolic links followed until it names something else (as
// Nix's SourcePath::resolveSymlinks for what the path's user sees: import, readDir); throws after
// 1024 links, naming `path`.
std::string followSymlinks(EvalIo& io, std::string path);

} // namespace nixpp
