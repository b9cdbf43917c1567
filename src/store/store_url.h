// store/store_url.h: the store URLs of --store, the `store` setting, NIX_REMOTE and
// substituters, split into scheme, location and parameters as Nix 2.8 reads them:
//   "" / "auto"                -> {auto}
//   "daemon", "local"          -> {daemon}, {local}
//   "local?root=/x"            -> {local, params root=/x}
//   "/x", "./x" (no "://")     -> {local, params root=<absolute path>}
//   "unix:///run/sock"         -> {unix, "/run/sock"}
//   "file:///dir?compression=xz", "http[s]://host/path", "s3://bucket", "ssh://host",
//   "ssh-ng://user@host", "dummy://"  -> {scheme, text between "://" and "?"}
// Parameters are "?name=value&name=value", percent-decoded.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "util/error.h"

namespace nixpp {

// A store URL nixpp cannot make sense of: "don't know how to open Nix store '<url>'".
NIXPP_DECLARE_ERROR(BadStoreUrl, Error);

struct StoreUrl {
  std::string scheme;                         // auto, daemon, local, unix, file, http, https, s3, ssh, ssh-ng, dummy
  std::string path;                           // what follows "scheme://" up to '?' (host and/or path)
  std::map<std::string, std::string> params;  // query parameters

  // Parses `url`; a relative file-system path is made absolute against `cwd`. Throws BadStoreUrl.
  static StoreUrl parse(std::string_view url, std::string_view cwd);
  // As above, against the process's current directory.
  static StoreUrl parse(std::string_view url);

  // The URL again, in canonical form ("auto", "local?root=/x", "file:///dir?compression=xz").
  std::string to_string() const;
  bool operator==(const StoreUrl&) const = default;
};

} // namespace nixpp
