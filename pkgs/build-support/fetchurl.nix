# fetchurl { url; hash | sha256; name ? baseNameOf url; }: a fixed-output derivation built by
# builtin:fetchurl. The file is pinned by its hash, so where the bytes come from does not matter:
# the builder tries each of nix.conf's `hashed-mirrors` (<mirror>/sha256/<hex>) before `url`.
{ url, hash ? null, sha256 ? null, name ? baseNameOf url, executable ? false }:
assert (hash == null) != (sha256 == null);
derivation {
  inherit name url executable;
  urls = [ url ];
  builder = "builtin:fetchurl";
  system = "builtin";
  unpack = false;
  outputHashMode = if executable then "recursive" else "flat";
  outputHashAlgo = if hash != null then "" else "sha256";
  outputHash = if hash != null then hash else sha256;
  preferLocalBuild = true;
  impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
}
