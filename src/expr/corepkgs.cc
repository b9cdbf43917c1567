// expr/corepkgs.cc: the expressions Nix reaches as <nix/NAME> (its "corepkgs"), found at
// /__corepkgs__/NAME as in Nix 2.8. Written for nixpp with the interface of Nix 2.8's: the same
// arguments, and derivations with the same attributes (so the same .drv paths).
#include "expr/eval.h"

namespace nixpp {

namespace {

// <nix/fetchurl.nix>: a fixed-output derivation downloading `url` with the builtin fetcher.
const char* fetchurlNix = R"({ system ? "", url, hash ? "", md5 ? "", sha1 ? "", sha256 ? "", sha512 ? ""
, outputHash ?
    if hash != "" then hash
    else if sha512 != "" then sha512
    else if sha1 != "" then sha1
    else if md5 != "" then md5
    else sha256
, outputHashAlgo ?
    if hash != "" then ""
    else if sha512 != "" then "sha512"
    else if sha1 != "" then "sha1"
    else if md5 != "" then "md5"
    else "sha256"
, executable ? false, unpack ? false, name ? baseNameOf (toString url)
}:
derivation {
  inherit name url executable unpack outputHash outputHashAlgo;
  builder = "builtin:fetchurl";
  system = "builtin";
  outputHashMode = if unpack || executable then "recursive" else "flat";
  preferLocalBuild = true;
  impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
  urls = [ url ];
}
)";

} // namespace

const char* EvalState::corepkgSource(std::string_view path) {
  if (path == "/__corepkgs__/fetchurl.nix") return fetchurlNix;
  return nullptr;
}

} // namespace nixpp
