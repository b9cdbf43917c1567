// store/file_transfer.h: downloads over libcurl, as Nix's FileTransfer. GET (or HEAD) of
// http://, https:// and file:// URLs, the body streamed into a Sink; redirects followed (at most
// 10); transient failures (connection errors, timeouts, HTTP 5xx except 501/505/511, 408, 429)
// retried `tries` times with exponential backoff, resuming from where the sink got to when the
// server accepts ranges. Errors are FileTransferError in Nix 2.8's words:
//   unable to download 'URL': HTTP error 404 ('File not found')
//   unable to download 'URL': Couldn't connect to server (7)
// with the server's response body appended ("\n\nresponse body:\n\n...") when it is short or
// HTML, as Nix 2.8 does. Each retry prints a warning on stderr, in Nix 2.8's words.
//
// Meant also for the binary-cache client: small files into a string (nix-cache-info, .narinfo),
// NARs into a sink, and exists() (HEAD) where 404/410 mean "absent" rather than an error.
//
// A FileTransfer keeps one curl handle (connections are reused between requests); it is used by
// one thread at a time. Content-Encoding is not decoded (Nix 2.8 does; servers rarely send it
// unasked, and nixpp never asks).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "util/error.h"
#include "util/serialise.h"

namespace nixpp {

struct Settings;

// The settings of downloads (nix.conf, and the environment for the CA bundle).
struct FileTransferSettings {
  unsigned tries = 5;                    // download-attempts (at least 1 attempt is made)
  unsigned long connectTimeout = 0;      // connect-timeout, seconds (0: curl's default)
  unsigned long stalledDownloadTimeout = 300;  // stalled-download-timeout, seconds
  std::string netrcFile;                 // netrc-file (optional; a missing file is fine)
  std::string caFile;                    // CA bundle: $NIX_SSL_CERT_FILE, $SSL_CERT_FILE or the system's
  std::string userAgentSuffix;           // user-agent-suffix
  unsigned baseRetryTimeMs = 250;        // the first retry waits about this long, then doubling
  uint64_t tarballTtl = 3600;            // tarball-ttl: for the fetchers' cache (glue/fetcher_cache.h)

  // From `s` (download-attempts, connect-timeout, stalled-download-timeout, netrc-file,
  // user-agent-suffix, tarball-ttl) and the environment (the CA bundle, as Nix 2.8).
  static FileTransferSettings from(const Settings& s);
};

struct FileTransferRequest {
  explicit FileTransferRequest(std::string uri) : uri(std::move(uri)) {}
  std::string uri;         // an absolute path is taken as a file:// URL
  bool head = false;       // HEAD: no body
  bool verifyTLS = true;   // builtin:fetchurl turns it off: the output's hash is checked anyway
  std::string expectedETag;  // sent as If-None-Match; a 304 answer (or this ETag) means `cached`
};

struct FileTransferResult {
  std::string effectiveUri;  // the URL after redirects
  std::string etag;          // the ETag header of the final response, if any
  uint64_t bodySize = 0;     // bytes of the final response's body
  bool cached = false;       // the server says the `expectedETag` version is current (no body)
};

class FileTransferError : public Error {
public:
  // As Nix: notFound (HTTP 404/410, a missing file:// file), forbidden (401/403/407), transient
  // (worth retrying), misc (anything else).
  enum class Kind { notFound, forbidden, misc, transient };
  FileTransferError(Kind kind, long httpStatus, const std::string& msg)
      : Error(msg), kind(kind), httpStatus(httpStatus) {}
  Kind kind;
  long httpStatus;  // 0 when there was no HTTP response
};

class FileTransfer {
public:
  explicit FileTransfer(FileTransferSettings settings);
  ~FileTransfer();
  FileTransfer(const FileTransfer&) = delete;
  FileTransfer& operator=(const FileTransfer&) = delete;

  // Downloads `req.uri` into `sink`; only the body of a successful response reaches the sink
  // (part of it may have, when a failure is thrown). Throws FileTransferError, or what the sink
  // throws.
  FileTransferResult download(const FileTransferRequest& req, Sink& sink);

  // The whole body as a string (small files only). Throws FileTransferError.
  std::string downloadToString(const std::string& uri, FileTransferResult* result = nullptr);

  // Whether `uri` exists (a HEAD request): false for HTTP 404/410 or a missing file:// file;
  // throws FileTransferError for other failures.
  bool exists(const std::string& uri);

private:
  struct Handle;
  FileTransferSettings settings_;
  std::unique_ptr<Handle> handle_;
};

} // namespace nixpp
