// glue/fetch.h: the fetchers behind builtins.fetchurl / fetchTarball / fetchGit / fetchTree
// (expr/builtins/fetch.cc parses the arguments into a FetchRequest). Files and tarballs come
// from http://, https:// or file:// URLs (store/file_transfer.h: Nix's retries, timeouts and
// error words); git from local repositories and what `git clone` reaches; paths from the file
// system. A download goes to a temporary file and only reaches the store once its hash is
// checked, so a mismatch or a failure leaves nothing behind. Fetches without a hash go through
// Nix's fetcher cache (glue/fetcher_cache.h), as in Nix 2.8.
//
// Store paths are Nix's: a file is added flat (makeFixedOutputPath(flat, hash, name)), a
// tarball's single top-level directory, a git revision's tree (`git archive`) and a local path
// recursively (sha256 of the NAR). A fetch with an expected hash whose path is already valid
// does no I/O. A local git work tree with uncommitted changes to tracked files is copied as is
// (only tracked files), reported with rev "000...0" (fetchGit) and a warning on stderr, as Nix.
#pragma once

#include <cstdint>
#include <string>

#include "expr/eval_io.h"
#include "store/file_transfer.h"

namespace nixpp {

class Store;

// Fetches `req` into `store`. Throws Error in Nix's words: "hash mismatch in file downloaded
// from '<url>':\n  specified: <sri>\n  got:       <sri>", "NAR hash mismatch in input ...",
// "tarball '<url>' contains an unexpected number of top-level files", "program 'git' failed ...".
FetchResult fetch(Store& store, const FetchRequest& req, const FileTransferSettings& transfer = {});

// Nix's downloadFile: `url` into the store as a flat file named `name` (sha256), with the URL
// it was finally fetched from after redirects (nix-channel reads a channel from there). Through
// the fetcher cache (glue/fetcher_cache.h): within tarball-ttl of the last download, the last
// result again. Throws FileTransferError when the download fails.
struct DownloadedFile {
  std::string storePath;
  std::string effectiveUrl;
};
DownloadedFile downloadFile(Store& store, const std::string& url, const std::string& name,
                            const FileTransferSettings& transfer);

// Unpacks the tar archive (any compression libarchive knows) at `archive` into the existing
// directory `dest`, refusing absolute names, ".." and writes through symlinks. Returns the
// newest modification time of its entries (Nix's lastModified of a tarball). Throws Error
// "failed to extract archive (...)".
int64_t unpackTarball(const std::string& archive, const std::string& dest);

// A git fetch (glue/fetch_git.cc): clean revisions via `git archive`, dirty local trees copied.
FetchResult fetchGit(Store& store, const FetchRequest& req);

// "20261125074551": the UTC date Nix gives as lastModifiedDate.
std::string formatLastModifiedDate(int64_t t);

} // namespace nixpp
