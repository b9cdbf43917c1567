// store/store.h: the one Store interface. The local store implements it now; a daemon client,
// binary caches and SSH stores will later. It speaks in store paths and path infos; what a path
// name means on disk is the implementation's business. Helpers built only on the interface
// (closures, export/import) are free functions below, so every store gets them.
//
// Thread safety: a Store is used by one thread at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/content_address.h"
#include "format/hash.h"
#include "format/store_path.h"
#include "store/path_info.h"
#include "store/store_db.h"  // InvalidPath
#include "util/error.h"
#include "util/serialise.h"

namespace nixpp {

enum class Repair { no, yes };

// What verifyStore found.
struct VerifyResult {
  bool errors = false;  // something is (still) wrong
  // Valid paths whose contents are modified or missing (also counted in `errors`): what a
  // repair must rebuild (store/build/build.h repairPath).
  StorePathSet damaged;
};

class Store {
public:
  virtual ~Store() = default;

  const StoreDir& storeDir() const { return storeDir_; }
  // "local", "local?root=/x", ... as the user would write it.
  virtual std::string url() const = 0;

  // --- Queries ---
  virtual bool isValidPath(const StorePath& path) = 0;
  virtual std::optional<ValidPathInfo> queryPathInfoOpt(const StorePath& path) = 0;
  // Throws InvalidPath "path '<path>' is not valid".
  ValidPathInfo queryPathInfo(const StorePath& path);
  virtual StorePathSet queryAllValidPaths() = 0;
  virtual StorePathSet queryReferrers(const StorePath& path) = 0;
  // Valid derivations that list `path` as an output.
  virtual StorePathSet queryValidDerivers(const StorePath& path) = 0;
  // Output names and paths of a valid derivation (from the store's records).
  virtual std::map<std::string, StorePath> queryDerivationOutputs(const StorePath& drvPath) = 0;
  virtual std::optional<StorePath> queryPathFromHashPart(std::string_view hashPart) = 0;
  // The closure of `paths`, as computeFSClosure below (its implementation). The default walks
  // queryPathInfo/queryReferrers; the local store walks its database in one read transaction.
  virtual StorePathSet queryClosure(const StorePathSet& paths, bool flipDirection, bool includeOutputs);
  // The references of each of `paths` (each valid, else InvalidPath). The default asks
  // queryPathInfo for each; the local store answers in one read transaction.
  virtual std::map<StorePath, StorePathSet> queryReferencesOf(const StorePathSet& paths);

  // --- Contents ---
  // Writes the NAR serialisation of valid path `path` to `sink`. Throws InvalidPath.
  virtual void narFromPath(const StorePath& path, Sink& sink) = 0;

  // --- Adding paths ---
  // Adds a path whose info is known (an import, a substitution): reads exactly one NAR from
  // `nar`, checks that its sha256 and size match info.narHash / info.narSize (if nonzero) and,
  // if info.ca is set, that the path matches its content address. Throws Error
  // "hash mismatch importing path '...'" etc. If the path is already valid (and no repair),
  // the NAR is read and discarded.
  virtual void addToStore(const ValidPathInfo& info, Source& nar, Repair repair = Repair::no) = 0;

  // Adds contents given as a "dump": a NAR for method nar, the bare file contents for flat and
  // text. The path is computed from the content address (`algo` must be sha256 for text);
  // `references` are allowed for text and for nar+sha256. Returns the path, valid on return.
  virtual StorePath addToStoreFromDump(Source& dump, std::string_view name, ContentAddressMethod method,
                                       HashAlgo algo, const StorePathSet& references = {},
                                       Repair repair = Repair::no) = 0;

  // Adds the file system object at `fsPath` (nar: the tree; flat: a regular file's contents).
  virtual StorePath addPathToStore(const std::string& fsPath, std::string_view name,
                                   ContentAddressMethod method = ContentAddressMethod::nar,
                                   HashAlgo algo = HashAlgo::sha256, Repair repair = Repair::no) = 0;

  // A text file (a .drv, builtins.toFile): makeTextPath(name, sha256(text), references).
  StorePath addTextToStore(std::string_view name, std::string_view text,
                           const StorePathSet& references, Repair repair = Repair::no);

  // --- Checking ---
  // Checks that every valid path exists and that references are valid; with `checkContents`,
  // that each NAR hash matches. Prints problems on stderr (as Nix, "path '...' was modified! ...").
  // With `repair`, fixes what it can without building (damaged paths are left to the caller).
  // Not supported by every store (throws Error).
  virtual VerifyResult verifyStore(bool checkContents, Repair repair) = 0;

  // --- Garbage collection ---
  // Protects `path` from the garbage collector until this process exits (store/temp_roots.h).
  // Call it before checking that a path is valid and using it. No-op for stores without a GC.
  virtual void addTempRoot(const StorePath& path) { (void)path; }

protected:
  explicit Store(StoreDir dir) : storeDir_(std::move(dir)) {}

private:
  StoreDir storeDir_;
};

// The closure of `paths`: the paths themselves and all they reference, recursively; with
// `flipDirection`, all paths referring to them instead; with `includeOutputs`, derivations'
// outputs too. Throws InvalidPath for an invalid starting path.
StorePathSet computeFSClosure(Store& store, const StorePathSet& paths, bool flipDirection = false,
                              bool includeOutputs = false);

// Sorts `paths` so that referrers come before what they reference (as Nix's topoSortPaths),
// considering only references within `paths`. Throws Error on a cycle.
std::vector<StorePath> topoSortPaths(Store& store, const StorePathSet& paths);

// Nix's export format (nix-store --export): for each path, u64 1, the NAR, u64 0x4558494e
// ("NIXE"), the path, its references, its deriver ("" if none), u64 0 (no signature); then
// u64 0. Paths are written in topological order, references first.
void exportPaths(Store& store, const StorePathSet& paths, Sink& sink);

// Reads the export format and adds each path (as addToStore, trusting the given references).
// Returns the imported paths in order. On malformed input throws Error ("input doesn't look like
// something created by 'nix-store --export'", "Nix archive cannot be imported; wrong format", or
// a NAR error); paths imported before the error stay valid, the one being read does not.
std::vector<StorePath> importPaths(Store& store, Source& source);

} // namespace nixpp
