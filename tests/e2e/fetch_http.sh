#!/usr/bin/env bash
# The fetchers over HTTP, from a local server on 127.0.0.1 (tests/e2e/lib/http_server.py):
# builtins.fetchurl, fetchTarball, fetchTree (file, tarball) and <nix/fetchurl.nix>
# (builtin:fetchurl, hashed-mirrors, unpack) give Nix 2.8's store paths; redirects are followed;
# HTTP errors, a redirect loop, a closed port and a stalled server are clear errors in Nix 2.8's
# words (the "unable to download" line compared with Nix 2.8's), with a non-zero exit and no hang;
# transient errors are retried (download-attempts); a hash mismatch leaves the store as it was;
# netrc-file; HTTPS with a self-signed certificate (NIX_SSL_CERT_FILE; builtin:fetchurl does not verify).
set -euo pipefail
: "${NIXPP_BIN:?NIXPP_BIN must point to the build directory}"
tmp=$(mktemp -d)
source "$(dirname "$0")/lib/http_server.bash"
trap 'stop_http_server; chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/etc" "$tmp/etc2" "$tmp/srv/mirror/sha256" "$tmp/t/pkg-1.0/sub" "$tmp/home"
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/home/.cache
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$tmp/etc/nix.conf"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command flakes\n' > "$tmp/etc2/nix.conf"
fail() { echo "FAIL: $*" >&2; exit 1; }

S="local?root=$tmp/root"
nixpp() { NIX_CONF_DIR=$tmp/etc timeout 60 "$NIXPP_BIN/nix-instantiate" --store "$S" --eval --strict "$@"; }
haveNix=0
if [ -x /usr/bin/nix-instantiate ]; then haveNix=1; fi
nix28() { NIX_CONF_DIR=$tmp/etc2 timeout 60 /usr/bin/nix-instantiate --store "local?root=$tmp/root2" --eval --strict "$@"; }
. "$NIXPP_SRC/tests/e2e/lib/same_eval.bash"
# fails EXPR MESSAGE [OPTIONS...]: nixpp fails on EXPR, in bounded time, with an error line
# "unable to download ..." containing MESSAGE, equal to Nix 2.8's (evaluation errors around it
# are rendered as current Nix does, with a trace, so only that line is compared).
fails() {
  local expr=$1 msg=$2; shift 2
  if nixpp "$@" -E "$expr" 2>"$tmp/err"; then fail "accepted: $expr"; fi
  local line; line=$(grep -v "^warning:" "$tmp/err" | grep -m1 -o "unable to download .*" || true)
  [[ $line == *"$msg"* ]] || { cat "$tmp/err"; fail "message for $expr: want '$msg'"; }
  if [ $haveNix = 1 ]; then
    nix28 "$@" -E "$expr" 2>"$tmp/err2" >/dev/null && fail "nix 2.8 accepted: $expr"
    local want; want=$(grep -v "^warning:" "$tmp/err2" | grep -m1 -o "unable to download .*" || true)
    [ "$line" = "$want" ] || fail "the error for $expr"$'\n'"  nixpp: $line"$'\n'"  nix:   $want"
  fi
}
store_listing() { ls "$tmp/root/nix/store" 2>/dev/null | grep -v '\.lock$' || true; }

echo "hello world" > "$tmp/srv/hello.txt"
echo a > "$tmp/t/pkg-1.0/a"; echo b > "$tmp/t/pkg-1.0/sub/b"
printf '#!/bin/sh\n' > "$tmp/t/pkg-1.0/run.sh"; chmod +x "$tmp/t/pkg-1.0/run.sh"
ln -s a "$tmp/t/pkg-1.0/link"
tar -C "$tmp/t" --mtime=@1600000000 -czf "$tmp/srv/pkg.tar.gz" pkg-1.0
start_http_server "$tmp/srv" "$tmp/requests"
base=http://127.0.0.1:$http_port
good=$(sha256sum "$tmp/srv/hello.txt" | cut -d' ' -f1)
bad=0000000000000000000000000000000000000000000000000000000000000000

# 1. fetchurl: plain, named, with its hash, through redirects (the name is the original URL's).
p=$(same "builtins.fetchurl \"$base/hello.txt\"")
[[ $p == *-hello.txt\" ]] || fail "fetchurl name: $p"
[ "$(cat "$tmp/root${p//\"/}")" = "hello world" ] || fail "fetchurl contents"
same "builtins.fetchurl { url = \"$base/hello.txt\"; name = \"greeting\"; }" >/dev/null
[ "$(same "builtins.fetchurl { url = \"$base/hello.txt\"; sha256 = \"$good\"; }")" = "$p" ] || fail "fetchurl with sha256"
r=$(same "builtins.fetchurl \"$base/redirect2/hello.txt\"")
[ "$(cat "$tmp/root${r//\"/}")" = "hello world" ] || fail "redirected contents"
grep -qx "GET /redirect/hello.txt" "$tmp/requests" || fail "the second redirect was not followed"

# 2. fetchTarball and fetchTree.
t=$(same "builtins.fetchTarball \"$base/pkg.tar.gz\"")
[[ $t == *-source\" ]] || fail "fetchTarball name: $t"
t=${t//\"/}
[ "$(cat "$tmp/root$t/sub/b")" = b ] && [ -x "$tmp/root$t/run.sh" ] && [ -L "$tmp/root$t/link" ] || fail "tarball contents"
narHash=$(nixpp -E "(builtins.fetchTree { type = \"tarball\"; url = \"$base/pkg.tar.gz\"; }).narHash" | tr -d '"')
same "builtins.fetchTarball { url = \"$base/pkg.tar.gz\"; sha256 = \"$narHash\"; }" >/dev/null
same "builtins.fetchTree { type = \"tarball\"; url = \"$base/redirect/pkg.tar.gz\"; }" >/dev/null
# (Nix 2.8 refuses type "file"; current Nix takes it, as nixpp does)
out=$(nixpp -E "builtins.fetchTree { type = \"file\"; url = \"$base/hello.txt\"; }")
[[ $out == *"outPath = $(nixpp -E "builtins.fetchurl { url = \"$base/hello.txt\"; name = \"source\"; }")"* ]] || fail "fetchTree file: $out"

# 3. Hash mismatches: Nix's message; nothing added to the store.
before=$(store_listing)
if nixpp -E "builtins.fetchurl { url = \"$base/hello.txt\"; name = \"mismatch\"; sha256 = \"$bad\"; }" 2>"$tmp/err"; then fail "fetchurl mismatch accepted"; fi
grep -qF "hash mismatch in file downloaded from '$base/hello.txt':" "$tmp/err" || { cat "$tmp/err"; fail "fetchurl mismatch message"; }
grep -qE "^ +got: +sha256-" "$tmp/err" || { cat "$tmp/err"; fail "mismatch: got"; }
if nixpp -E "builtins.fetchTarball { url = \"$base/pkg.tar.gz\"; name = \"mismatch\"; sha256 = \"$bad\"; }" 2>"$tmp/err"; then fail "fetchTarball mismatch accepted"; fi
grep -qF "hash mismatch in file downloaded from '$base/pkg.tar.gz':" "$tmp/err" || { cat "$tmp/err"; fail "fetchTarball mismatch message"; }
[ "$(store_listing)" = "$before" ] || fail "a hash mismatch changed the store: $(diff <(echo "$before") <(store_listing))"
# A tarball that is not one.
if nixpp -E "builtins.fetchTarball \"$base/hello.txt\"" 2>"$tmp/err"; then fail "a text file unpacked"; fi
grep -qF "failed to extract archive" "$tmp/err" || { cat "$tmp/err"; fail "not-a-tarball message"; }

# 4. HTTP errors, in Nix 2.8's words (first line compared).
fails "builtins.fetchurl \"$base/nope.txt\"" "'$base/nope.txt': HTTP error 404 ('File not found')"
grep -qF "response body:" "$tmp/err" || { cat "$tmp/err"; fail "404: no response body"; }
fails "builtins.fetchurl \"$base/status/403/x\"" "HTTP error 403 ('Forbidden')"
fails "builtins.fetchTarball \"$base/status/410/x.tar.gz\"" "HTTP error 410 ('Gone')"
fails "builtins.fetchurl \"$base/loop/x\"" "HTTP error 302 ('Found') (curl error: Number of redirects hit maximum amount)"
[ "$(grep -c '^GET /loop/x$' "$tmp/requests")" -le 22 ] || fail "a redirect loop was retried"

# 5. Transient errors: retried download-attempts times with a warning, then an error.
out=$(nixpp --option download-attempts 3 -E "builtins.fetchurl \"$base/flaky/2/k1/hello.txt\"" 2>"$tmp/err") || { cat "$tmp/err"; fail "flaky server with 3 attempts"; }
[ "$(cat "$tmp/root${out//\"/}")" = "hello world" ] || fail "flaky contents"
[ "$(grep -c "^warning: error: unable to download '$base/flaky/2/k1/hello.txt': HTTP error 503 ('Service Unavailable')" "$tmp/err")" = 2 ] ||
  { cat "$tmp/err"; fail "retry warnings"; }
grep -qE "; retrying in [0-9]+ ms$" "$tmp/err" || { cat "$tmp/err"; fail "retry warning's end"; }
fails "builtins.fetchurl \"$base/status/500/y\"" "HTTP error 500 ('Internal Server Error')" --option download-attempts 2
[ "$(grep -c '^GET /status/500/y$' "$tmp/requests")" = $((2 + 2 * haveNix)) ] || fail "500: not tried exactly twice"
port=$(closed_port)
start=$(date +%s)
fails "builtins.fetchurl \"http://127.0.0.1:$port/x\"" "'http://127.0.0.1:$port/x': Couldn't connect to server (7)" --option download-attempts 2
[ $(( $(date +%s) - start )) -lt 30 ] || fail "a closed port took too long"
# A server that stops sending: stalled-download-timeout.
start=$(date +%s)
if nixpp --option stalled-download-timeout 1 --option download-attempts 1 -E "builtins.fetchurl \"$base/stall/pkg.tar.gz\"" 2>"$tmp/err"; then
  fail "stalled download accepted"
fi
grep -qF "unable to download '$base/stall/pkg.tar.gz': HTTP error 200 ('OK') (curl error: Timeout was reached)" "$tmp/err" || { cat "$tmp/err"; fail "stall message"; }
[ $(( $(date +%s) - start )) -lt 20 ] || fail "a stalled download took too long"

# 6. <nix/fetchurl.nix> (builtin:fetchurl): the same .drv as Nix 2.8; built over HTTP.
realise() {  # realise ARGS: prints the output of import <nix/fetchurl.nix> { ARGS }
  local drv
  drv=$(NIX_CONF_DIR=$tmp/etc "$NIXPP_BIN/nix-instantiate" --store "$S" -E "import <nix/fetchurl.nix> { $1 }" 2>"$tmp/err") ||
    { cat "$tmp/err"; fail "instantiate: $1"; }
  if [ $haveNix = 1 ]; then
    local want; want=$(NIX_CONF_DIR=$tmp/etc2 /usr/bin/nix-instantiate --store "local?root=$tmp/root2" -E "import <nix/fetchurl.nix> { $1 }" 2>/dev/null)
    [ "$drv" = "$want" ] || fail "drv of $1: $drv vs $want"
  fi
  NIX_CONF_DIR=$tmp/etc timeout 60 "$NIXPP_BIN/nix-store" --store "$S" "${@:2}" -r "$drv" 2>"$tmp/err"
}
o=$(realise "url = \"$base/redirect/hello.txt\"; sha256 = \"$good\";") || { cat "$tmp/err"; fail "builtin:fetchurl over http"; }
cmp "$tmp/root$o" "$tmp/srv/hello.txt" || fail "builtin:fetchurl contents"
cp "$tmp/srv/hello.txt" "$tmp/srv/tool"; chmod -x "$tmp/srv/tool"
cp "$tmp/srv/hello.txt" "$tmp/exe"; chmod +x "$tmp/exe"
o=$(realise "url = \"$base/tool\"; executable = true; sha256 = \"$("$NIXPP_BIN/nix-hash" --type sha256 "$tmp/exe")\";") ||
  { cat "$tmp/err"; fail "executable = true"; }
[ -x "$tmp/root$o" ] || fail "executable = true: not executable"
# unpack = true: a NAR, plain or xz-compressed, restored.
NIX_CONF_DIR=$tmp/etc "$NIXPP_BIN/nix-store" --dump "$tmp/t/pkg-1.0" > "$tmp/srv/pkg.nar"
xz -k "$tmp/srv/pkg.nar"
narSha=$(sha256sum "$tmp/srv/pkg.nar" | cut -d' ' -f1)
o=$(realise "url = \"$base/pkg.nar\"; unpack = true; sha256 = \"$narSha\";") || { cat "$tmp/err"; fail "unpack = true"; }
diff -r "$tmp/root$o" "$tmp/t/pkg-1.0" >/dev/null || fail "unpacked NAR contents"
o2=$(realise "url = \"$base/pkg.nar.xz\"; name = \"pkg-xz\"; unpack = true; sha256 = \"$narSha\";") || { cat "$tmp/err"; fail "unpack = true, xz"; }
diff -r "$tmp/root$o2" "$tmp/t/pkg-1.0" >/dev/null || fail "unpacked NAR.xz contents"
# hashed-mirrors over HTTP: the URL is gone, the mirror has it.
cp "$tmp/srv/hello.txt" "$tmp/srv/mirror/sha256/$good"
printf 'hashed-mirrors = %s/status/404/ %s/mirror\n' "$base" "$base" >> "$tmp/etc/nix.conf"
o=$(realise "url = \"$base/gone/hello-2.txt\"; sha256 = \"$good\";") || { cat "$tmp/err"; fail "hashed mirror over http"; }
cmp "$tmp/root$o" "$tmp/srv/hello.txt" || fail "mirror contents"
grep -qx "GET /mirror/sha256/$good" "$tmp/requests" || fail "the mirror was not asked"
# Every source fails: a clear error, no valid output.
if realise "url = \"$base/gone/other.txt\"; sha256 = \"$bad\";" --option download-attempts 1 >/dev/null; then fail "a build from nowhere succeeded"; fi
grep -qF "unable to download '$base/gone/other.txt': HTTP error 404 ('File not found')" "$tmp/err" || { cat "$tmp/err"; fail "builtin:fetchurl 404 message"; }

# 7. netrc-file: a server that wants basic authentication.
fails "builtins.fetchurl \"$base/auth/hello.txt\"" "HTTP error 401 ('Unauthorized')"
printf 'machine 127.0.0.1 login nixpp password secret\n' > "$tmp/netrc"
out=$(nixpp --option netrc-file "$tmp/netrc" -E "builtins.fetchurl \"$base/auth/hello.txt\"" 2>"$tmp/err") || { cat "$tmp/err"; fail "netrc-file"; }
[ "$(cat "$tmp/root${out//\"/}")" = "hello world" ] || fail "netrc download contents"

# 8. HTTPS with a self-signed certificate: refused unless NIX_SSL_CERT_FILE names it; builtin:fetchurl
# does not verify (the output hash is checked anyway).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null || fail "openssl cannot make a certificate"
start_http_server "$tmp/srv" "$tmp/tls-requests" "$tmp/cert.pem" "$tmp/key.pem"
tls=https://127.0.0.1:$http_port
fails "builtins.fetchurl \"$tls/hello.txt\"" "'$tls/hello.txt': SSL peer certificate or SSH remote key was not OK (60)" --option download-attempts 1
export NIX_SSL_CERT_FILE=$tmp/cert.pem
out=$(same "builtins.fetchurl { url = \"$tls/hello.txt\"; name = \"over-tls\"; }")
[ "$(cat "$tmp/root${out//\"/}")" = "hello world" ] || fail "https contents"
unset NIX_SSL_CERT_FILE
o=$(realise "url = \"$tls/hello.txt\"; name = \"over-tls-builtin\"; sha256 = \"$good\";") || { cat "$tmp/err"; fail "builtin:fetchurl over https"; }
cmp "$tmp/root$o" "$tmp/srv/hello.txt" || fail "builtin:fetchurl https contents"

# 9. The fetcher cache (~/.cache/nix/fetcher-cache-v1.sqlite, shared with Nix 2.8): within
# tarball-ttl an unpinned fetch reuses its last result without asking the server; after it, the
# server is asked with the ETag (a 304 keeps the path); the tarball itself is in the store too
# (a flat file, as Nix 2.8); Nix 2.8 and nixpp reuse each other's entries.
echo one > "$tmp/srv/c1.txt"
c1=$(nixpp -E "builtins.fetchurl \"$base/c1.txt\"")
echo two > "$tmp/srv/c1.txt"
: > "$tmp/requests"
[ "$(nixpp -E "builtins.fetchurl \"$base/c1.txt\"")" = "$c1" ] || fail "cached fetchurl"
[ ! -s "$tmp/requests" ] || { cat "$tmp/requests"; fail "a cached fetch asked the server"; }
c2=$(nixpp --option tarball-ttl 0 -E "builtins.fetchurl \"$base/c1.txt\"")
[ "$c2" != "$c1" ] && [ "$(cat "$tmp/root${c2//\"/}")" = two ] || fail "tarball-ttl = 0: not fetched again"
[ "$(nixpp --option tarball-ttl 0 -E "builtins.fetchurl \"$base/c1.txt\"")" = "$c2" ] || fail "revalidated fetchurl"
grep -qx "304 /c1.txt" "$tmp/requests" || { cat "$tmp/requests"; fail "no If-None-Match revalidation"; }
mkdir -p "$tmp/t2/ct-1"; echo one > "$tmp/t2/ct-1/f"
tar -C "$tmp/t2" -czf "$tmp/srv/ct.tar.gz" ct-1
t1=$(nixpp -E "builtins.fetchTarball \"$base/ct.tar.gz\"")
echo two > "$tmp/t2/ct-1/f"; tar -C "$tmp/t2" -czf "$tmp/srv/ct.tar.gz" ct-1
: > "$tmp/requests"
[ "$(nixpp -E "builtins.fetchTarball \"$base/ct.tar.gz\"")" = "$t1" ] || fail "cached fetchTarball"
[ ! -s "$tmp/requests" ] || { cat "$tmp/requests"; fail "a cached fetchTarball asked the server"; }
t2=$(nixpp --option tarball-ttl 0 -E "builtins.fetchTarball \"$base/ct.tar.gz\"")
[ "$(cat "$tmp/root${t2//\"/}/f")" = two ] || fail "tarball-ttl = 0: tarball not fetched again"
[ "$(nixpp --option tarball-ttl 0 -E "builtins.fetchTarball \"$base/ct.tar.gz\"")" = "$t2" ] || fail "revalidated fetchTarball"
grep -qx "304 /ct.tar.gz" "$tmp/requests" || { cat "$tmp/requests"; fail "no tarball revalidation"; }
flat=$(cd "$tmp/root/nix/store" && for f in *-source; do [ -f "$f" ] && cmp -s "$f" "$tmp/srv/ct.tar.gz" && echo "$f"; done || true)
[ -n "$flat" ] || fail "the tarball itself is not in the store"
if [ $haveNix = 1 ]; then
  nix28same() { NIX_CONF_DIR=$tmp/etc2 timeout 60 /usr/bin/nix-instantiate --store "$S" --eval -E "$1"; }
  echo x1 > "$tmp/srv/x1.txt"
  n=$(nix28same "builtins.fetchurl \"$base/x1.txt\"") || fail "nix 2.8 on nixpp's store"
  echo changed > "$tmp/srv/x1.txt"
  : > "$tmp/requests"
  [ "$(nixpp -E "builtins.fetchurl \"$base/x1.txt\"")" = "$n" ] || fail "nixpp did not reuse Nix 2.8's cache entry"
  echo y1 > "$tmp/srv/y1.txt"
  m=$(nixpp -E "builtins.fetchTarball \"$base/ct.tar.gz\"" --option tarball-ttl 0)
  y=$(nixpp -E "builtins.fetchurl \"$base/y1.txt\"")
  echo changed > "$tmp/srv/y1.txt"
  : > "$tmp/requests"
  [ "$(nix28same "builtins.fetchurl \"$base/y1.txt\"")" = "$y" ] || fail "Nix 2.8 did not reuse nixpp's cache entry"
  [ "$(nix28same "builtins.fetchTarball \"$base/ct.tar.gz\"")" = "$m" ] || fail "Nix 2.8 did not reuse nixpp's tarball entry"
  [ ! -s "$tmp/requests" ] || { cat "$tmp/requests"; fail "cache entries of the other implementation not used"; }
fi

# 10. Search path entries that are URLs (-I, NIX_PATH) are fetched as tarballs, once; one that
# cannot be downloaded is skipped with Nix 2.8's warning.
mkdir -p "$tmp/t3/sp-1/sub"
echo '{ x = 42; }' > "$tmp/t3/sp-1/default.nix"; echo '"deep"' > "$tmp/t3/sp-1/sub/f.nix"
tar -C "$tmp/t3" -czf "$tmp/srv/sp.tar.gz" sp-1
: > "$tmp/requests"
out=$(nixpp -I "sp=$base/sp.tar.gz" -E '[ (import <sp>).x (import <sp/sub/f.nix>) ]' 2>"$tmp/err") || { cat "$tmp/err"; fail "search path URL"; }
[ "$out" = '[ 42 "deep" ]' ] || fail "search path URL: $out"
[ "$(grep -c '^GET /sp.tar.gz$' "$tmp/requests")" = 1 ] || { cat "$tmp/requests"; fail "search path URL fetched more than once"; }
# NIX_PATH: a URL's "scheme:" does not split the entry (but, as in Nix 2.8, a port's ':' does).
[ "$(NIX_PATH="a=/nonexistent:sp=file://$tmp/srv/sp.tar.gz:b=/x" nixpp -E '(import <sp>).x')" = 42 ] || fail "NIX_PATH URL"
[ "$(nixpp -E '(import <sp>).x' -I "sp=$base/nope.tar.gz" -I "sp=$base/sp.tar.gz" 2>"$tmp/err")" = 42 ] || { cat "$tmp/err"; fail "fallback after a bad URL"; }
grep -qxF "warning: Nix search path entry '$base/nope.tar.gz' cannot be downloaded, ignoring" "$tmp/err" || { cat "$tmp/err"; fail "search path warning"; }
if nixpp -I "sp=$base/nope.tar.gz" -E '<sp>' 2>"$tmp/err"; then fail "a missing search path entry found"; fi
grep -qF "file 'sp' was not found in the Nix search path" "$tmp/err" || { cat "$tmp/err"; fail "not found message"; }
if [ $haveNix = 1 ]; then
  [ "$(nix28 -I "sp=$base/sp.tar.gz" -E '(import <sp>).x')" = 42 ] || fail "Nix 2.8 on the search path URL"
  # (each the real path in its own chroot store, as Nix 2.8 gives it)
  [ "$(basename "$(nixpp -I "sp=$base/sp.tar.gz" -E '<sp>')")" = "$(basename "$(nix28 -I "sp=$base/sp.tar.gz" -E '<sp>')")" ] ||
    fail "search path store path differs from Nix 2.8's"
fi
echo "fetch_http: all passed"
