# Sourced by the nix-channel e2e tests: mkchannel, a channel tarball made from a tiny collection.
# Needs $tmp (a scratch dir) and $tools (a store path with bin/sh, mkdir, printf, chmod).
# mkchannel DIR VERSION COMPRESSION [FILE]: a tiny collection "nixpkgs-VERSION/default.nix" as
# DIR/FILE (default nixexprs.tar.COMPRESSION); hello prints "hello VERSION".
mkchannel() {
  local src=$tmp/src-$2
  mkdir -p "$src/nixpkgs-$2" "$1"
  cat > "$src/nixpkgs-$2/default.nix" <<NIX
{ system ? builtins.currentSystem }:
let tools = builtins.storePath "$tools"; in {
  hello = derivation {
    name = "hello-$2"; inherit system; builder = "\${tools}/bin/sh";
    args = [ "-c" "\${tools}/bin/mkdir -p \$out/bin; \${tools}/bin/printf '#!\${tools}/bin/sh\necho hello $2\n' > \$out/bin/hello; \${tools}/bin/chmod +x \$out/bin/hello" ];
  };
  version = "$2";
}
NIX
  local file=${4:-nixexprs.tar.$3}
  case $3 in
    xz) tar -C "$src" --mtime=@1600000000 --owner=0 --group=0 -cJf "$1/$file" "nixpkgs-$2" ;;
    bz2) tar -C "$src" --mtime=@1600000000 --owner=0 --group=0 -cjf "$1/$file" "nixpkgs-$2" ;;
    gz) tar -C "$src" --mtime=@1600000000 --owner=0 --group=0 -czf "$1/$file" "nixpkgs-$2" ;;
  esac
}
