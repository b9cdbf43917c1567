#!/usr/bin/env bash
# builtin:fetchurl and the hashed-mirrors setting on a throwaway chroot store: <nix/fetchurl.nix>
# from a file:// URL; from a file:// mirror "<mirror>/<algo>/<base16>" (sha256, sha512, sha1)
# when the URL is gone; mirrors tried in order, a mirror without the file or with a wrong file
# skipped; the `urls` list; executable = true; every source gone: a clear error, no valid path.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc
mkdir -p "$NIX_CONF_DIR" "$tmp/src" "$tmp/m1" "$tmp/m2"
conf() { printf 'build-users-group =\nsandbox = true\nsubstituters =\n%s\n' "${1:-}" > "$NIX_CONF_DIR/nix.conf"; }
conf
S="local?root=$tmp/root"
ns() { "$NIXPP_BIN/nix-store" --store "$S" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# fetch EXPR-ARGS: realises (import <nix/fetchurl.nix> { ARGS }) and prints the output path.
fetch() {
  local drv
  drv=$("$NIXPP_BIN/nix-instantiate" --store "$S" -E "import <nix/fetchurl.nix> { $1 }" 2>/dev/null)
  ns -r "$drv" 2>"$tmp/err"
}

echo "source contents" > "$tmp/src/hello.tar.gz"
h256=$(sha256sum "$tmp/src/hello.tar.gz" | cut -d' ' -f1)
h512=$(sha512sum "$tmp/src/hello.tar.gz" | cut -d' ' -f1)
h1=$(sha1sum "$tmp/src/hello.tar.gz" | cut -d' ' -f1)

# 1. A plain file:// URL, no mirrors.
out=$(fetch "url = \"file://$tmp/src/hello.tar.gz\"; sha256 = \"$h256\";") || { cat "$tmp/err"; fail "file:// url"; }
cmp "$tmp/root$out" "$tmp/src/hello.tar.gz" || fail "file:// url: contents"
[ "$(basename "$out" | cut -d- -f2-)" = hello.tar.gz ] || fail "name"

# 2. The URL is gone; the mirror has the file under sha256/<base16>.
mkdir -p "$tmp/m1/sha256" "$tmp/m1/sha512" "$tmp/m1/sha1"
cp "$tmp/src/hello.tar.gz" "$tmp/m1/sha256/$h256"
cp "$tmp/src/hello.tar.gz" "$tmp/m1/sha512/$h512"
cp "$tmp/src/hello.tar.gz" "$tmp/m1/sha1/$h1"
conf "hashed-mirrors = file://$tmp/m1"
out=$(fetch "url = \"file://$tmp/gone/hello-2.tar.gz\"; sha256 = \"$h256\";") || { cat "$tmp/err"; fail "mirror sha256"; }
cmp "$tmp/root$out" "$tmp/src/hello.tar.gz" || fail "mirror sha256: contents"
# Any algorithm, any hash notation (SRI, nix32): the mirror path uses the base16 digest.
out=$(fetch "url = \"file://$tmp/gone/hello-3.tar.gz\"; sha512 = \"$h512\";") || { cat "$tmp/err"; fail "mirror sha512"; }
cmp "$tmp/root$out" "$tmp/src/hello.tar.gz" || fail "mirror sha512: contents"
sri=$("$NIXPP_BIN/nix" --extra-experimental-features nix-command hash to-sri --type sha1 "$h1")
out=$(fetch "url = \"file://$tmp/gone/hello-4.tar.gz\"; hash = \"$sri\";") || { cat "$tmp/err"; fail "mirror sha1 (SRI)"; }
cmp "$tmp/root$out" "$tmp/src/hello.tar.gz" || fail "mirror sha1: contents"
# A trailing slash in the mirror URL is fine.
conf "hashed-mirrors = file://$tmp/m1/"
out=$(fetch "url = \"file://$tmp/gone/hello-5.tar.gz\"; sha256 = \"$h256\";") || { cat "$tmp/err"; fail "mirror with /"; }

# 3. Mirrors in order: m2 lacks the file, then has a corrupt one; m1 has it.
conf "hashed-mirrors = file://$tmp/m2 file://$tmp/m1"
out=$(fetch "url = \"file://$tmp/gone/hello-6.tar.gz\"; sha256 = \"$h256\";") || { cat "$tmp/err"; fail "second mirror"; }
cmp "$tmp/root$out" "$tmp/src/hello.tar.gz" || fail "second mirror: contents"
mkdir -p "$tmp/m2/sha256"
echo corrupt > "$tmp/m2/sha256/$h256"
out=$(fetch "url = \"file://$tmp/gone/hello-7.tar.gz\"; sha256 = \"$h256\";") || { cat "$tmp/err"; fail "corrupt first mirror"; }
cmp "$tmp/root$out" "$tmp/src/hello.tar.gz" || fail "corrupt first mirror: contents"
# No mirror has it: the URL is used.
echo "other" > "$tmp/src/other.txt"
ho=$(sha256sum "$tmp/src/other.txt" | cut -d' ' -f1)
out=$(fetch "url = \"file://$tmp/src/other.txt\"; sha256 = \"$ho\";") || { cat "$tmp/err"; fail "fallback to url"; }
cmp "$tmp/root$out" "$tmp/src/other.txt" || fail "fallback to url: contents"

# 4. Nothing anywhere: Nix's download error, a failed build, no valid output.
echo "missing" > "$tmp/missing.txt"
hm=$(sha256sum "$tmp/missing.txt" | cut -d' ' -f1)
drv=$("$NIXPP_BIN/nix-instantiate" --store "$S" -E "import <nix/fetchurl.nix> { url = \"file://$tmp/gone/missing.txt\"; sha256 = \"$hm\"; }" 2>/dev/null)
if ns -r "$drv" >/dev/null 2>"$tmp/err"; then fail "fetched a missing file"; fi
grep -q "unable to download 'file://$tmp/gone/missing.txt'" "$tmp/err" || { cat "$tmp/err"; fail "error text"; }
if ns --check-validity "$(ns -q --outputs "$drv")" 2>/dev/null; then fail "missing: output valid"; fi
# A wrong hash for the URL's file: the fixed-output check fails the build.
conf
wrong=$(printf '%064d' 0 | tr 0 1)
drv=$("$NIXPP_BIN/nix-instantiate" --store "$S" -E "import <nix/fetchurl.nix> { url = \"file://$tmp/src/other.txt\"; sha256 = \"$wrong\"; }" 2>/dev/null)
if ns -r "$drv" >/dev/null 2>"$tmp/err"; then fail "accepted a wrong hash"; fi
grep -qi "hash mismatch" "$tmp/err" || { cat "$tmp/err"; fail "hash mismatch text"; }

# 5. The `urls` list (later Nix's fetchurl), and executable = true (recursive hash).
cat > "$tmp/urls.nix" <<NIX
derivation { name = "from-urls"; system = "builtin"; builder = "builtin:fetchurl";
  urls = [ "file://$tmp/gone/a" "file://$tmp/src/other.txt" ];
  outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "$ho"; }
NIX
drv=$("$NIXPP_BIN/nix-instantiate" --store "$S" "$tmp/urls.nix" 2>/dev/null)
out=$(ns -r "$drv" 2>"$tmp/err") || { cat "$tmp/err"; fail "urls list"; }
cmp "$tmp/root$out" "$tmp/src/other.txt" || fail "urls list: contents"
printf '#!/bin/sh\necho hi\n' > "$tmp/src/script"
chmod +x "$tmp/src/script"
hx=$("$NIXPP_BIN/nix-hash" --type sha256 "$tmp/src/script")
out=$(fetch "url = \"file://$tmp/src/script\"; sha256 = \"$hx\"; executable = true;") || { cat "$tmp/err"; fail "executable"; }
[ -x "$tmp/root$out" ] || fail "executable: not executable"
echo "hashed_mirrors: all passed"
