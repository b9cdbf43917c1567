#include "store/file_transfer.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <type_traits>

#include "store/settings.h"
#include "sys/file.h"
#include "util/version.h"

namespace nixpp {

namespace {

unsigned long uintSetting(const Settings& s, std::string_view name, unsigned long def) {
  auto v = s.get(name);
  if (!v || v->empty()) return def;
  try {
    return std::stoul(*v);
  } catch (std::exception&) {
    return def;  // validated when loaded; unreachable in practice
  }
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string toLower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// libcurl, loaded on first use (see CMakeLists.txt: linking it slows every process's start).
struct CurlApi {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_reset) easy_reset;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

// Throws Error when libcurl cannot be loaded.
const CurlApi& curlApi() {
  static CurlApi api;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = ::dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* err = ::dlerror();
      failure = std::string("cannot load libcurl (libcurl.so.4), which downloads need: ") + (err ? err : "unknown error");
      return;
    }
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(lib, name));
      if (!fn && failure.empty()) failure = std::string("libcurl lacks the function '") + name + "'";
    };
    sym(api.global_init, "curl_global_init");
    sym(api.easy_init, "curl_easy_init");
    sym(api.easy_cleanup, "curl_easy_cleanup");
    sym(api.easy_reset, "curl_easy_reset");
    sym(api.easy_setopt, "curl_easy_setopt");
    sym(api.easy_perform, "curl_easy_perform");
    sym(api.easy_getinfo, "curl_easy_getinfo");
    sym(api.easy_strerror, "curl_easy_strerror");
    sym(api.slist_append, "curl_slist_append");
    sym(api.slist_free_all, "curl_slist_free_all");
    if (failure.empty()) api.global_init(CURL_GLOBAL_ALL);
  });
  if (!failure.empty()) throw Error(failure);
  return api;
}

// Responses whose body is the requested data ("0": a protocol other than HTTP).
bool successful(long status) {
  static const std::set<long> ok{200, 201, 204, 206, 304, 0};
  return ok.count(status) > 0;
}

// One request's state, across its attempts.
struct Transfer {
  Transfer(CURL* curl, Sink& sink, const std::string& expectedETag)
      : curl(curl), sink(&sink), expectedETag(expectedETag) {}
  CURL* curl;
  Sink* sink;
  const std::string& expectedETag;
  long status = 0;  // of the current response, from its status line
  // Bytes given to the sink, over all attempts. A retry asks for the rest from there; curl
  // refuses a server that then sends the whole file again (CURLE_RANGE_ERROR).
  uint64_t written = 0;
  // Of the current response (reset by each status line, so by redirects and retries):
  std::string statusMsg, etag;
  bool acceptRanges = false;
  uint64_t bodySize = 0;
  std::optional<std::string> errorBody;  // the body of an unsuccessful response
  std::exception_ptr writeException;

  long httpStatus() {
    const char* scheme = nullptr;
    curlApi().easy_getinfo(curl, CURLINFO_SCHEME, &scheme);
    if (!scheme) return 0;
    std::string sch = toLower(scheme);
    if (sch != "http" && sch != "https") return 0;
    long code = 0;
    curlApi().easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }

  size_t onData(const char* data, size_t len) {
    try {
      bodySize += len;
      if (successful(httpStatus())) {
        (*sink)(std::string_view(data, len));
        written += len;
      } else {
        // Kept for the error message; an error page is small, but do not trust it to be.
        if (!errorBody) errorBody.emplace();
        if (errorBody->size() < 64 * 1024) errorBody->append(data, std::min<size_t>(len, 64 * 1024));
      }
      return len;
    } catch (...) {
      writeException = std::current_exception();
      return 0;  // curl aborts with CURLE_WRITE_ERROR
    }
  }

  size_t onHeader(const char* data, size_t len) {
    std::string_view line(data, len);
    if (line.starts_with("HTTP/")) {  // a new response (after a redirect, or a retry)
      auto sp = line.find(' ');
      auto sp2 = sp == std::string_view::npos ? sp : line.find(' ', sp + 1);
      statusMsg = sp2 == std::string_view::npos ? "" : trim(line.substr(sp2 + 1));
      status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
      etag.clear();
      acceptRanges = false;
      bodySize = 0;
      errorBody.reset();
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      std::string name = toLower(trim(line.substr(0, colon)));
      std::string value = trim(line.substr(colon + 1));
      if (name == "etag") {
        etag = value;
        // As Nix: some servers (GitHub) send the ETag asked for but ignore If-None-Match; the
        // data is already here, so stop (curl reports a write error, taken as a 304).
        if (!expectedETag.empty() && etag == expectedETag && status == 200) return 0;
      }
      else if (name == "accept-ranges" && toLower(value) == "bytes") acceptRanges = true;
    }
    return len;
  }

  static size_t dataCb(char* data, size_t size, size_t n, void* self) {
    return static_cast<Transfer*>(self)->onData(data, size * n);
  }
  static size_t headerCb(char* data, size_t size, size_t n, void* self) {
    return static_cast<Transfer*>(self)->onHeader(data, size * n);
  }
};

} // namespace

FileTransferSettings FileTransferSettings::from(const Settings& s) {
  FileTransferSettings t;
  t.tries = unsigned(uintSetting(s, "download-attempts", 5));
  t.connectTimeout = s.connectTimeout;
  t.stalledDownloadTimeout = uintSetting(s, "stalled-download-timeout", 300);
  t.netrcFile = s.get("netrc-file").value_or("");
  t.userAgentSuffix = s.get("user-agent-suffix").value_or("");
  t.tarballTtl = uintSetting(s, "tarball-ttl", 3600);
  // As Nix 2.8's caFile: the environment, else the first bundle that exists.
  t.caFile = getEnv("NIX_SSL_CERT_FILE", getEnv("SSL_CERT_FILE"));
  if (t.caFile.empty())
    for (const char* f : {"/etc/ssl/certs/ca-certificates.crt", "/nix/var/nix/profiles/default/etc/ssl/certs/ca-bundle.crt"})
      if (::access(f, R_OK) == 0) {
        t.caFile = f;
        break;
      }
  return t;
}

struct FileTransfer::Handle {
  CURL* curl = nullptr;
  std::mt19937 random{std::random_device{}()};
  ~Handle() {
    if (curl) curlApi().easy_cleanup(curl);
  }
};

FileTransfer::FileTransfer(FileTransferSettings settings) : settings_(std::move(settings)), handle_(new Handle) {}

FileTransfer::~FileTransfer() = default;

FileTransferResult FileTransfer::download(const FileTransferRequest& req, Sink& sink) {
  const CurlApi& c = curlApi();
  if (!handle_->curl) handle_->curl = c.easy_init();
  if (!handle_->curl) throw Error("cannot initialise curl");
  CURL* curl = handle_->curl;
  Transfer t(curl, sink, req.expectedETag);
  struct Headers {
    const CurlApi& c;
    curl_slist* list = nullptr;
    ~Headers() {
      if (list) c.slist_free_all(list);
    }
  } headers{c};
  if (!req.expectedETag.empty()) headers.list = c.slist_append(nullptr, ("If-None-Match: " + req.expectedETag).c_str());
  const std::string userAgent = std::string("curl/" LIBCURL_VERSION " Nix/") + nixCompatVersion +
                                (settings_.userAgentSuffix.empty() ? "" : " " + settings_.userAgentSuffix);
  unsigned tries = std::max(1u, settings_.tries);
  const std::string curlUri = req.uri.starts_with("/") ? "file://" + req.uri : req.uri;
  for (unsigned attempt = 1;; ++attempt) {
    c.easy_reset(curl);
    c.easy_setopt(curl, CURLOPT_URL, curlUri.c_str());
    c.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    c.easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    // CURLOPT_NOSIGNAL stays off (unlike Nix, which ignores SIGPIPE process-wide): curl then
    // ignores SIGPIPE while it runs, so a peer closing a TLS connection cannot kill us. The
    // resolver is threaded, so no alarm signals either.
    c.easy_setopt(curl, CURLOPT_USERAGENT, userAgent.c_str());
    c.easy_setopt(curl, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_2TLS));
    c.easy_setopt(curl, CURLOPT_WRITEFUNCTION, Transfer::dataCb);
    c.easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    c.easy_setopt(curl, CURLOPT_HEADERFUNCTION, Transfer::headerCb);
    c.easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    if (req.head) c.easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (headers.list) c.easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    if (req.verifyTLS) {
      if (!settings_.caFile.empty()) c.easy_setopt(curl, CURLOPT_CAINFO, settings_.caFile.c_str());
    } else {
      c.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      c.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    c.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, long(settings_.connectTimeout));
    c.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    c.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, long(settings_.stalledDownloadTimeout));
    // A missing netrc file is fine: curl then works as without one.
    c.easy_setopt(curl, CURLOPT_NETRC_FILE, settings_.netrcFile.c_str());
    c.easy_setopt(curl, CURLOPT_NETRC, long(CURL_NETRC_OPTIONAL));
    if (t.written) c.easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, curl_off_t(t.written));
    t.statusMsg.clear();
    t.status = 0;
    t.etag.clear();
    t.acceptRanges = false;
    t.bodySize = 0;
    t.errorBody.reset();

    CURLcode code = c.easy_perform(curl);
    long status = t.httpStatus();
    if (code == CURLE_WRITE_ERROR && !t.writeException && !req.expectedETag.empty() && t.etag == req.expectedETag) {
      code = CURLE_OK;  // the expected-ETag stop above
      status = 304;
    }
    if (t.writeException) std::rethrow_exception(t.writeException);
    if (code == CURLE_OK && successful(status)) {
      FileTransferResult r;
      char* eff = nullptr;
      c.easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &eff);
      r.effectiveUri = eff ? eff : req.uri;
      r.etag = t.etag;
      r.bodySize = t.bodySize;
      r.cached = status == 304;
      return r;
    }

    // As Nix: most failures are transient; these are hopeless.
    using Kind = FileTransferError::Kind;
    Kind kind = Kind::transient;
    if (status == 404 || status == 410 || code == CURLE_FILE_COULDNT_READ_FILE) kind = Kind::notFound;
    else if (status == 401 || status == 403 || status == 407) kind = Kind::forbidden;
    else if (status >= 400 && status < 500 && status != 408 && status != 429) kind = Kind::misc;
    else if (status == 501 || status == 505 || status == 511) kind = Kind::misc;
    else
      switch (code) {
      case CURLE_FAILED_INIT:
      case CURLE_URL_MALFORMAT:
      case CURLE_NOT_BUILT_IN:
      case CURLE_REMOTE_ACCESS_DENIED:
      case CURLE_FILE_COULDNT_READ_FILE:
      case CURLE_FUNCTION_NOT_FOUND:
      case CURLE_ABORTED_BY_CALLBACK:
      case CURLE_BAD_FUNCTION_ARGUMENT:
      case CURLE_INTERFACE_FAILED:
      case CURLE_UNKNOWN_OPTION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_TOO_MANY_REDIRECTS:
      case CURLE_WRITE_ERROR:
      case CURLE_UNSUPPORTED_PROTOCOL: kind = Kind::misc; break;
      default: break;
      }

    std::string msg = "unable to download '" + req.uri + "': ";
    if (status != 0) {
      msg += "HTTP error " + std::to_string(status) + " ('" + t.statusMsg + "')";
      if (code != CURLE_OK) msg += std::string(" (curl error: ") + c.easy_strerror(code) + ")";
    } else {
      msg += std::string(c.easy_strerror(code)) + " (" + std::to_string(int(code)) + ")";
    }
    if (t.errorBody && (t.errorBody->size() < 1024 || t.errorBody->find("<html>") != std::string::npos)) {
      std::string body = *t.errorBody;
      while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ' || body.back() == '\t'))
        body.pop_back();
      msg += "\n\nresponse body:\n\n" + body;
    }

    // A retry may only resume a partly written sink if the server takes ranges.
    if (kind == Kind::transient && attempt < tries && (t.written == 0 || t.acceptRanges)) {
      double jitter = std::uniform_real_distribution<>(0.0, 0.5)(handle_->random);
      auto ms = long(settings_.baseRetryTimeMs * std::pow(2.0, double(attempt - 1) + jitter));
      // Nix 2.8's words, its "error: " included.
      if (t.written)
        std::cerr << "warning: error: " << msg << "; retrying from offset " << t.written << " in " << ms << " ms\n";
      else
        std::cerr << "warning: error: " << msg << "; retrying in " << ms << " ms\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      continue;
    }
    throw FileTransferError(kind, status, msg);
  }
}

std::string FileTransfer::downloadToString(const std::string& uri, FileTransferResult* result) {
  StringSink sink;
  FileTransferRequest req{uri};
  FileTransferResult r = download(req, sink);
  if (result) *result = r;
  return std::move(sink.s);
}

bool FileTransfer::exists(const std::string& uri) {
  FileTransferRequest req{uri};
  req.head = true;
  StringSink sink;
  try {
    download(req, sink);
    return true;
  } catch (FileTransferError& e) {
    if (e.kind == FileTransferError::Kind::notFound) return false;
    throw;
  }
}

} // namespace nixpp
