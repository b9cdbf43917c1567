#include "store/file_transfer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "store/settings.h"
#include "sys/file.h"

namespace nixpp {
namespace {

// A one-thread HTTP server on 127.0.0.1 answering each request with `respond(path, request)` (a
// whole raw HTTP response), one request per connection. Stops on destruction.
class TinyServer {
public:
  using Respond = std::function<std::string(const std::string& path, const std::string& request)>;
  explicit TinyServer(Respond respond) : respond_(std::move(respond)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw SysError(errno, "test server");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int requests() const { return requests_; }

private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, size_t(n));
      }
      ++requests_;
      auto sp = req.find(' ');
      std::string path = req.substr(sp + 1, req.find(' ', sp + 1) - sp - 1);
      std::string resp = respond_(path, req);
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }
  Respond respond_;
  int fd_;
  int port_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
};

std::string response(int code, const std::string& reason, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + extra + "\r\n" + body;
}

FileTransferSettings fast(unsigned tries) {
  FileTransferSettings s;
  s.tries = tries;
  s.baseRetryTimeMs = 1;
  return s;
}

TEST(FileTransfer, DownloadsFileUrls) {
  TempDir tmp;
  writeFile(tmp.path() + "/a", "contents");
  FileTransfer ft(fast(1));
  FileTransferResult r;
  EXPECT_EQ(ft.downloadToString("file://" + tmp.path() + "/a", &r), "contents");
  EXPECT_EQ(r.effectiveUri, "file://" + tmp.path() + "/a");
  EXPECT_EQ(ft.downloadToString(tmp.path() + "/a"), "contents");  // a plain absolute path
  EXPECT_TRUE(ft.exists("file://" + tmp.path() + "/a"));
  EXPECT_FALSE(ft.exists("file://" + tmp.path() + "/nope"));
  try {
    ft.downloadToString("file://" + tmp.path() + "/nope");
    FAIL() << "no error";
  } catch (FileTransferError& e) {
    EXPECT_EQ(e.kind, FileTransferError::Kind::notFound);
    EXPECT_EQ(std::string(e.what()), "unable to download 'file://" + tmp.path() + "/nope': Couldn't read a file:// file (37)");
  }
}

TEST(FileTransfer, HttpErrorsInNixWords) {
  TinyServer srv([](const std::string& path, const std::string&) {
    if (path == "/ok") return response(200, "OK", "hello", "ETag: \"abc\"\r\n");
    if (path == "/moved") return response(301, "Moved Permanently", "", "Location: /ok\r\n");
    if (path == "/forbidden") return response(403, "Forbidden", "");
    return response(404, "File not found", "no such thing\n");
  });
  FileTransfer ft(fast(5));
  FileTransferResult r;
  EXPECT_EQ(ft.downloadToString(srv.url("/moved"), &r), "hello");
  EXPECT_EQ(r.effectiveUri, srv.url("/ok"));
  EXPECT_EQ(r.etag, "\"abc\"");
  EXPECT_FALSE(ft.exists(srv.url("/nope")));
  EXPECT_TRUE(ft.exists(srv.url("/ok")));
  try {
    ft.downloadToString(srv.url("/nope"));
    FAIL() << "no error";
  } catch (FileTransferError& e) {
    EXPECT_EQ(e.kind, FileTransferError::Kind::notFound);
    EXPECT_EQ(e.httpStatus, 404);
    EXPECT_EQ(std::string(e.what()),
              "unable to download '" + srv.url("/nope") + "': HTTP error 404 ('File not found')\n\nresponse body:\n\nno such thing");
  }
  int before = srv.requests();
  try {
    ft.downloadToString(srv.url("/forbidden"));
    FAIL() << "no error";
  } catch (FileTransferError& e) {
    EXPECT_EQ(e.kind, FileTransferError::Kind::forbidden);
    EXPECT_EQ(std::string(e.what()), "unable to download '" + srv.url("/forbidden") + "': HTTP error 403 ('Forbidden')");
  }
  EXPECT_EQ(srv.requests(), before + 1);  // not retried
}

TEST(FileTransfer, RetriesTransientErrors) {
  std::atomic<int> n{0};
  TinyServer srv([&](const std::string&, const std::string&) {
    return ++n <= 2 ? response(503, "Service Unavailable", "busy") : response(200, "OK", "finally");
  });
  EXPECT_EQ(FileTransfer(fast(3)).downloadToString(srv.url("/x")), "finally");
  EXPECT_EQ(srv.requests(), 3);
  n = 0;
  try {
    FileTransfer(fast(2)).downloadToString(srv.url("/x"));
    FAIL() << "no error";
  } catch (FileTransferError& e) {
    EXPECT_EQ(e.kind, FileTransferError::Kind::transient);
    EXPECT_EQ(e.httpStatus, 503);
  }
  EXPECT_EQ(srv.requests(), 5);
}

TEST(FileTransfer, ResumesWhereADroppedConnectionStopped) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n";
  bool honourRange = true;
  std::string ranges;
  TinyServer srv([&](const std::string&, const std::string& req) {
    auto at = req.find("Range: bytes=");
    if (at == std::string::npos) return head + "01234";  // then the connection drops
    ranges += req.substr(at, req.find("\r\n", at) - at) + ";";
    if (!honourRange) return head + "0123456789";
    return std::string("HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nContent-Range: bytes 5-9/10\r\n"
                       "Connection: close\r\n\r\n56789");
  });
  EXPECT_EQ(FileTransfer(fast(2)).downloadToString(srv.url("/f")), "0123456789");
  EXPECT_EQ(ranges, "Range: bytes=5-;");
  honourRange = false;  // a server that sends it all again: an error (curl's), not a file twice as long
  try {
    FileTransfer(fast(2)).downloadToString(srv.url("/f"));
    FAIL() << "no error";
  } catch (FileTransferError& e) {
    EXPECT_EQ(std::string(e.what()), "unable to download '" + srv.url("/f") + "': HTTP error 200 ('OK') (curl error: Requested range was not delivered by the server)");
  }
}

TEST(FileTransfer, SettingsFromNixConf) {
  Settings s;
  ASSERT_TRUE(s.set("download-attempts", "2"));
  ASSERT_TRUE(s.set("stalled-download-timeout", "7"));
  ASSERT_TRUE(s.set("connect-timeout", "3"));
  ASSERT_TRUE(s.set("netrc-file", "/x/netrc"));
  FileTransferSettings t = FileTransferSettings::from(s);
  EXPECT_EQ(t.tries, 2u);
  EXPECT_EQ(t.stalledDownloadTimeout, 7u);
  EXPECT_EQ(t.connectTimeout, 3u);
  EXPECT_EQ(t.netrcFile, "/x/netrc");
}

} // namespace
} // namespace nixpp
