#include "glue/fetch.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <memory>

#include "format/hash.h"
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

// A download into the new file `dest`, hashed with `algo` on the way.
struct Download {
  Hash hash;
  std::string effectiveUrl;
};
Download downloadToFile(const FileTransferSettings& transfer, const std::string& url, const std::string& dest,
                        HashAlgo algo) {
  AutoCloseFd fd = openFile(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  FdSink file(fd.get());
  HashSink hash(algo);
  LambdaSink tee([&](std::string_view data) {
    file(data);
    hash(data);
  });
  FileTransfer ft(transfer);
  FileTransferResult r = ft.download(FileTransferRequest{url}, tee);
  fd.close();
  return {hash.finish().first, r.effectiveUri};
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

FetchResult fetchFile(Store& store, const FetchRequest& req, const FileTransferSettings& transfer) {
  if (auto p = validExpected(store, req, FileIngestionMethod::flat)) return resultFor(store, *p);
  std::optional<Hash> expected;
  if (req.hash) expected = Hash::parseAny(*req.hash);
  HashAlgo algo = expected ? expected->algo() : HashAlgo::sha256;
  TempDir tmp("nixpp-download");
  std::string path = tmp.path() + "/download";
  Hash got = downloadToFile(transfer, req.url, path, algo).hash;
  if (expected && got != *expected) hashMismatch(req.url, *expected, got);
  return resultFor(store, store.addPathToStore(path, req.name, ContentAddressMethod::flat, algo));
}

FetchResult fetchTarball(Store& store, const FetchRequest& req, const FileTransferSettings& transfer) {
  if (auto p = validExpected(store, req, FileIngestionMethod::recursive)) return resultFor(store, *p);
  TempDir tmp("nixpp-tarball");
  std::string path = tmp.path() + "/download";
  downloadToFile(transfer, req.url, path, HashAlgo::sha256);
  std::string dest = tmp.path() + "/unpacked";
  if (mkdir(dest.c_str(), 0700) != 0) throw SysError(errno, "creating directory '" + dest + "'");
  int64_t lastModified = unpackTarball(path, dest);
  auto entries = readDirectorySorted(dest);
  if (entries.size() != 1) throw Error("tarball '" + req.url + "' contains an unexpected number of top-level files");
  std::string top = dest + "/" + entries[0];
  if (req.hash) {  // checked before adding, so that a mismatch leaves nothing in the store
    Hash expected = Hash::parseAny(*req.hash);
    HashSink sink(expected.algo());
    dumpPath(top, sink);
    Hash got = sink.finish().first;
    if (expected != got) hashMismatch(req.url, expected, got);
  }
  FetchResult r = resultFor(store, store.addPathToStore(top, req.name, ContentAddressMethod::nar));
  (void)lastModified;  // Nix 2.8 does not report a tarball's lastModified in fetchTree
  return r;
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
  TempDir tmp("nixpp-download");
  std::string path = tmp.path() + "/download";
  Download d = downloadToFile(transfer, url, path, HashAlgo::sha256);
  StorePath p = store.addPathToStore(path, name, ContentAddressMethod::flat, HashAlgo::sha256);
  return {store.storeDir().printPath(p), d.effectiveUrl};
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
