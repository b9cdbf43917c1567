#include "store/store_url.h"

#include <gtest/gtest.h>

namespace nixpp {

TEST(StoreUrl, Forms) {
  struct Case {
    std::string url, scheme, path;
    std::map<std::string, std::string> params;
    std::string canonical;
  };
  std::vector<Case> cases = {
      {"", "auto", "", {}, "auto"},
      {"auto", "auto", "", {}, "auto"},
      {"daemon", "daemon", "", {}, "daemon"},
      {"local", "local", "", {}, "local"},
      {"local?root=/x", "local", "", {{"root", "/x"}}, "local?root=/x"},
      {"/x/y/", "local", "", {{"root", "/x/y"}}, "local?root=/x/y"},
      {"./r", "local", "", {{"root", "/cwd/r"}}, "local?root=/cwd/r"},
      {"unix:///run/nix/sock", "unix", "/run/nix/sock", {}, "unix:///run/nix/sock"},
      {"file:///tmp/cache?compression=xz&secret-key=/k%20ey", "file", "/tmp/cache",
       {{"compression", "xz"}, {"secret-key", "/k ey"}}, "file:///tmp/cache?compression=xz&secret-key=/k%20ey"},
      {"https://cache.nixos.org/", "https", "cache.nixos.org/", {}, "https://cache.nixos.org/"},
      {"http://host:8080/c?priority=10", "http", "host:8080/c", {{"priority", "10"}}, "http://host:8080/c?priority=10"},
      {"s3://bucket?region=eu-west-1", "s3", "bucket", {{"region", "eu-west-1"}}, "s3://bucket?region=eu-west-1"},
      {"ssh://user@host", "ssh", "user@host", {}, "ssh://user@host"},
      {"ssh-ng://host?remote-store=local", "ssh-ng", "host", {{"remote-store", "local"}}, "ssh-ng://host?remote-store=local"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.url);
    auto u = StoreUrl::parse(c.url, "/cwd");
    EXPECT_EQ(u.scheme, c.scheme);
    EXPECT_EQ(u.path, c.path);
    EXPECT_EQ(u.params, c.params);
    EXPECT_EQ(u.to_string(), c.canonical);
    EXPECT_EQ(StoreUrl::parse(u.to_string(), "/elsewhere"), u);
  }
}

TEST(StoreUrl, Nonsense) {
  for (std::string bad : {"foo", "ftp://x", "https://", "file://relative", "ssh://", "local?root", "daemon?x=%zz",
                          "/x?root=/y"}) {
    SCOPED_TRACE(bad);
    try {
      StoreUrl::parse(bad, "/cwd");
      ADD_FAILURE() << "accepted";
    } catch (BadStoreUrl& e) {
      if (bad.find('%') == std::string::npos) {
        EXPECT_EQ(std::string(e.what()), "don't know how to open Nix store '" + bad + "'");
      }
    }
  }
}

} // namespace nixpp
