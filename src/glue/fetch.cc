#include "glue/fetch.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "format/hash.h"
#include "glue/fetcher_cache.h"
#include "store/local_store.h"
#include "store/nar_fs.h"
#include "store/store.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

std::string formatLastModifiedDate(int64_t t) {
  time_t tt = time_t(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

namespace {

// A download into the new file `dest`.
FileTransferResult downloadToFile(const FileTransferSettings& transfer, const std::string& url, const std::string& dest,
                                  const std::string& expectedETag) {
  AutoCloseFd fd = openFile(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  FdSink file(fd.get());
  FileTransfer ft(transfer);
  FileTransferRequest req{url};
  req.expectedETag = expectedETag;
  FileTransferResult r = ft.download(req, file);
  fd.close();
  return r;
}

Hash hashFile(const std::string& path, HashAlgo algo) {
  AutoCloseFd fd = openFile(path, O_RDONLY | O_CLOEXEC);
  FdSource src(fd.get());
  HashSink sink(algo);
  src.drainInto(sink);
  return sink.finish().first;
}

// Where a store path's contents are on disk.
std::string realPathOf(Store& store, const StorePath& p) {
  if (auto* local = dynamic_cast<LocalStore*>(&store)) return local->realPath(p);
  return store.storeDir().printPath(p);
}

std::string infoString(const std::string& infoJson, const char* key) {
  auto j = nlohmann::json::parse(infoJson, nullptr, false);
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key];
  return "";
}

// Nix 2.8's downloadFile: `url` into the store as the flat file `name` (sha256), through the
// fetcher cache (when `useCache`; always recorded there). `check(file)` sees new contents before
// they reach the store, and may throw to keep them out.
struct FileResult {
  StorePath storePath;
  std::string etag, effectiveUrl;
};
FileResult downloadFileCached(Store& store, FetcherCache& cache, const std::string& url, const std::string& name,
                              bool immutable, bool useCache, const FileTransferSettings& transfer,
                              const std::function<void(const std::string&)>& check) {
  nlohmann::json inAttrs = {{"type", "file"}, {"url", url}, {"name", name}};
  std::optional<FetcherCache::Entry> cached;
  if (useCache) cached = cache.lookup(store, inAttrs);
  auto useCached = [&] {
    return FileResult{cached->storePath, infoString(cached->info, "etag"), infoString(cached->info, "url")};
  };
  if (cached && !cached->expired) return useCached();

  TempDir tmp("nixpp-download");
  std::string file = tmp.path() + "/download";
  FileTransferResult res;
  try {
    res = downloadToFile(transfer, url, file, cached ? infoString(cached->info, "etag") : "");
  } catch (FileTransferError& e) {
    if (!cached) throw;
    std::cerr << "warning: " << e.what() << "; using cached version\n";
    return useCached();
  }
  std::optional<StorePath> p;
  if (res.cached && cached) {
    p = cached->storePath;
  } else {
    if (check) check(file);
    p = store.addPathToStore(file, name, ContentAddressMethod::flat, HashAlgo::sha256);
  }
  nlohmann::json info = {{"etag", res.etag}, {"url", res.effectiveUri}};
  cache.add(store, inAttrs, info, *p, immutable);
  if (url != res.effectiveUri)
    cache.add(store, {{"type", "file"}, {"url", res.effectiveUri}, {"name", name}}, info, *p, immutable);
  return {*p, res.etag, res.effectiveUri};
}

[[noreturn]] void hashMismatch(const std::string& url, const Hash& specified, const Hash& got) {
  throw Error("hash mismatch in file downloaded from '" + url + "':\n  specified: " +
              specified.to_string(HashFormat::sri, true) + "\n  got:       " + got.to_string(HashFormat::sri, true));
}

FetchResult resultFor(Store& store, const StorePath& p) {
  FetchResult r;
  r.storePath = store.storeDir().printPath(p);
  r.narHash = store.queryPathInfo(p).narHash.to_string(HashFormat::sri, true);
  return r;
}

// A known expected path that is already valid: the fetch is done without any I/O.
std::optional<StorePath> validExpected(Store& store, const FetchRequest& req, FileIngestionMethod method) {
  if (!req.hash) return std::nullopt;
  Hash h = Hash::parseAny(*req.hash);
  if (h == Hash(h.algo())) return std::nullopt;  // "" given: always fetch, to report the real hash
  StorePath p = store.storeDir().makeFixedOutputPath(method, h, req.name);
  if (store.isValidPath(p)) return p;
  return std::nullopt;
}

// builtins.fetchurl, fetchTree type "file": a pinned fetch (with a hash) bypasses the cache's
// lookup, and its download is checked before it reaches the store.
FetchResult fetchFile(Store& store, const FetchRequest& req, const FileTransferSettings& transfer) {
  if (auto p = validExpected(store, req, FileIngestionMethod::flat)) return resultFor(store, *p);
  std::optional<Hash> expected;
  if (req.hash) expected = Hash::parseAny(*req.hash);
  FetcherCache cache(transfer.tarballTtl);
  auto check = [&](const std::string& file) {
    if (!expected) return;
    Hash got = hashFile(file, expected->algo());
    if (got != *expected) hashMismatch(req.url, *expected, got);
  };
  FileResult f = downloadFileCached(store, cache, req.url, req.name, expected.has_value(), !expected, transfer, check);
  return resultFor(store, f.storePath);
}

// builtins.fetchTarball, fetchTree type "tarball": as Nix 2.8's downloadTarball, the tarball
// itself is also added to the store (a flat file named `name`), and the unpacked tree cached
// under {"type":"tarball",...}; an expected NAR hash is checked before anything is added.
FetchResult fetchTarball(Store& store, const FetchRequest& req, const FileTransferSettings& transfer) {
  if (auto p = validExpected(store, req, FileIngestionMethod::recursive)) return resultFor(store, *p);
  std::optional<Hash> expected;
  if (req.hash) expected = Hash::parseAny(*req.hash);
  FetcherCache cache(transfer.tarballTtl);
  nlohmann::json inAttrs = {{"type", "tarball"}, {"url", req.url}, {"name", req.name}};
  std::optional<FetcherCache::Entry> cached;
  if (!expected) cached = cache.lookup(store, inAttrs);
  if (cached && !cached->expired) return resultFor(store, cached->storePath);

  TempDir tmp("nixpp-tarball");
  std::string dest = tmp.path() + "/unpacked", top;
  auto unpack = [&](const std::string& file) {
    if (mkdir(dest.c_str(), 0700) != 0) throw SysError(errno, "creating directory '" + dest + "'");
    unpackTarball(file, dest);
    auto entries = readDirectorySorted(dest);
    if (entries.size() != 1) throw Error("tarball '" + req.url + "' contains an unexpected number of top-level files");
    top = dest + "/" + entries[0];
    if (expected) {  // checked before adding, so that a mismatch leaves nothing in the store
      HashSink sink(expected->algo());
      dumpPath(top, sink);
      Hash got = sink.finish().first;
      if (*expected != got) hashMismatch(req.url, *expected, got);
    }
  };
  FileResult f = downloadFileCached(store, cache, req.url, req.name, expected.has_value(), !expected, transfer, unpack);
  std::optional<StorePath> result;
  uint64_t lastModified = 0;
  if (top.empty() && cached && !f.etag.empty() && infoString(cached->info, "etag") == f.etag) {
    result = cached->storePath;  // the tarball has not changed
    auto info = nlohmann::json::parse(cached->info, nullptr, false);
    if (info.is_object() && info.contains("lastModified") && info["lastModified"].is_number_unsigned())
      lastModified = info["lastModified"];
  } else {
    if (top.empty()) unpack(realPathOf(store, f.storePath));  // the tarball came from the cache
    struct stat st;
    if (lstat(top.c_str(), &st) != 0) throw SysError(errno, "getting status of '" + top + "'");
    lastModified = uint64_t(st.st_mtime);  // as Nix 2.8: the top directory's
    result = store.addPathToStore(top, req.name, ContentAddressMethod::nar);
  }
  cache.add(store, inAttrs, {{"lastModified", lastModified}, {"etag", f.etag}}, *result, expected.has_value());
  return resultFor(store, *result);
}

// The newest modification time in the tree at `path` (not following symlinks).
int64_t maxMtime(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) throw SysError(errno, "getting status of '" + path + "'");
  int64_t t = st.st_mtime;
  if (S_ISDIR(st.st_mode))
    for (auto& name : readDirectorySorted(path)) t = std::max(t, maxMtime(path + "/" + name));
  return t;
}

FetchResult fetchPath(Store& store, const FetchRequest& req) {
  std::string path = req.url.starts_with("path:") ? req.url.substr(5) : req.url;
  if (path.starts_with("file://")) path = localPathOfUrl(path);
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) throw SysError(errno, "getting status of '" + path + "'");
  FetchResult r = resultFor(store, store.addPathToStore(path, req.name, ContentAddressMethod::nar));
  int64_t lastModified = maxMtime(path);  // as Nix 2.8's path fetcher
  r.attrs.push_back({"lastModified", lastModified, ""});
  r.attrs.push_back({"lastModifiedDate", std::nullopt, formatLastModifiedDate(lastModified)});
  return r;
}

struct ArchiveReader {
  archive* a = archive_read_new();
  ~ArchiveReader() { archive_read_free(a); }
};
struct ArchiveWriter {
  archive* a = archive_write_disk_new();
  ~ArchiveWriter() { archive_write_free(a); }
};

} // namespace

int64_t unpackTarball(const std::string& file, const std::string& dest) {
  ArchiveReader in;
  ArchiveWriter out;
  auto check = [&](archive* a, int r) {
    if (r < ARCHIVE_WARN)
      throw Error("failed to extract archive (" + std::string(archive_error_string(a) ? archive_error_string(a) : "unknown error") + ")");
  };
  archive_read_support_filter_all(in.a);
  archive_read_support_format_all(in.a);
  archive_write_disk_set_options(out.a, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                            ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  check(in.a, archive_read_open_filename(in.a, file.c_str(), 64 * 1024));
  int64_t lastModified = 0;
  for (;;) {
    archive_entry* e;
    int r = archive_read_next_header(in.a, &e);
    if (r == ARCHIVE_EOF) break;
    check(in.a, r);
    std::string name = archive_entry_pathname(e);
    if (name == "." || name == "./") continue;
    // Names are made absolute below (inside `dest`), so absolute ones are refused here.
    const char* hardlink = archive_entry_hardlink(e);
    if (name.starts_with("/") || (hardlink && hardlink[0] == '/'))
      throw Error("failed to extract archive (Path is absolute: '" + name + "')");
    lastModified = std::max<int64_t>(lastModified, archive_entry_mtime(e));
    archive_entry_set_pathname(e, (dest + "/" + name).c_str());
    if (hardlink) archive_entry_set_hardlink(e, (dest + "/" + std::string(hardlink)).c_str());
    check(out.a, archive_write_header(out.a, e));
    if (archive_entry_size(e) > 0) {
      const void* buf;
      size_t size;
      la_int64_t offset;
      for (;;) {
        int rr = archive_read_data_block(in.a, &buf, &size, &offset);
        if (rr == ARCHIVE_EOF) break;
        check(in.a, rr);
        check(out.a, int(archive_write_data_block(out.a, buf, size, offset)));
      }
    }
    check(out.a, archive_write_finish_entry(out.a));
  }
  check(out.a, archive_write_close(out.a));
  return lastModified;
}

DownloadedFile downloadFile(Store& store, const std::string& url, const std::string& name,
                            const FileTransferSettings& transfer) {
  FetcherCache cache(transfer.tarballTtl);
  FileResult f = downloadFileCached(store, cache, url, name, false, true, transfer, {});
  return {store.storeDir().printPath(f.storePath), f.effectiveUrl};
}

FetchResult fetch(Store& store, const FetchRequest& req, const FileTransferSettings& transfer) {
  FetchResult r;
  switch (req.type) {
  case FetchRequest::Type::file: r = fetchFile(store, req, transfer); break;
  case FetchRequest::Type::tarball: r = fetchTarball(store, req, transfer); break;
  case FetchRequest::Type::git: r = fetchGit(store, req); break;
  case FetchRequest::Type::path: r = fetchPath(store, req); break;
  }
  if (req.narHash) {
    Hash expected = Hash::parseAny(*req.narHash, HashAlgo::sha256);
    if (expected.to_string(HashFormat::sri, true) != r.narHash)
      throw Error("NAR hash mismatch in input '" + req.url + "' (" + r.storePath + "), expected '" +
                  expected.to_string(HashFormat::sri, true) + "', got '" + r.narHash + "'");
  }
  return r;
}

} // namespace nixpp
