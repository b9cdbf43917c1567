#!/usr/bin/env bash
# nix-prefetch-url from a local HTTP server on 127.0.0.1 (tests/e2e/lib/http_server.py): the
# printed hash and "path is '...'" equal Nix 2.8's (--type, --print-path, --unpack, --executable,
# --name, an expected hash); a valid expected path needs no download; a wrong expected hash or a
# 404 is a clear error with nothing added to the store; usage errors.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
source "$(dirname "$0")/lib/http_server.bash"
trap 'stop_http_server; chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/etc" "$tmp/srv" "$tmp/t/pkg-1.0" "$tmp/home"
export NIX_CONF_DIR=$tmp/etc HOME=$tmp/home XDG_CACHE_HOME=$tmp/home/.cache
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
fail() { echo "FAIL: $*" >&2; exit 1; }
npu() { timeout 60 "$NIXPP_BIN/nix-prefetch-url" --store "local?root=$tmp/root" "$@"; }
haveNix=0
if [ -x /usr/bin/nix-prefetch-url ]; then haveNix=1; fi
# same ARGS...: stdout and stderr of nixpp equal Nix 2.8's (each on its own store).
same() {
  local out err
  out=$(npu "$@" 2>"$tmp/err") || { cat "$tmp/err"; fail "nixpp failed: $*"; }
  err=$(cat "$tmp/err")
  if [ $haveNix = 1 ]; then
    local want
    want=$(timeout 60 /usr/bin/nix-prefetch-url --store "local?root=$tmp/root2" "$@" 2>"$tmp/err2") || fail "nix 2.8 failed: $*"
    [ "$out" = "$want" ] || fail "stdout of $*"$'\n'"  nixpp: $out"$'\n'"  nix:   $want"
    [ "$err" = "$(cat "$tmp/err2")" ] || fail "stderr of $*"$'\n'"  nixpp: $err"$'\n'"  nix:   $(cat "$tmp/err2")"
  fi
  printf '%s\n' "$out"
}

echo "hello world" > "$tmp/srv/hello.txt"
echo a > "$tmp/t/pkg-1.0/a"; ln -s a "$tmp/t/pkg-1.0/l"
tar -C "$tmp/t" -czf "$tmp/srv/pkg.tar.gz" pkg-1.0
start_http_server "$tmp/srv" "$tmp/requests"
base=http://127.0.0.1:$http_port

h=$(same "$base/hello.txt")
[ "$h" = "$("$NIXPP_BIN/nix-hash" --type sha256 --flat --base32 "$tmp/srv/hello.txt")" ] || fail "hash: $h"
grep -qx "path is '/nix/store/[a-z0-9]*-hello.txt'" "$tmp/err" || { cat "$tmp/err"; fail "path is"; }
p=$(same --print-path --type sha512 "$base/redirect/hello.txt" | tail -1)
cmp "$tmp/root$p" "$tmp/srv/hello.txt" || fail "--print-path contents"
same --type md5 "$base/hello.txt" >/dev/null
same --type sha1 --name renamed "$base/hello.txt" >/dev/null
same --executable --name tool "$base/hello.txt" >/dev/null
same --unpack "$base/pkg.tar.gz" >/dev/null
p=$(same --unpack --print-path "$base/pkg.tar.gz" | tail -1)
[ -L "$tmp/root$p/l" ] && [ "$(cat "$tmp/root$p/a")" = a ] || fail "--unpack contents"

# An expected hash whose path is valid: no download.
: > "$tmp/requests"
same "$base/hello.txt" "$h" >/dev/null
[ ! -s "$tmp/requests" ] || fail "downloaded a valid path again"

# Errors: nothing added to the store.
before=$(ls "$tmp/root/nix/store")
if npu "$base/hello.txt" 0000000000000000000000000000000000000000000000000000 --name other 2>"$tmp/err"; then fail "wrong hash accepted"; fi
grep -q "^error: hash mismatch for '" "$tmp/err" || { cat "$tmp/err"; fail "mismatch message"; }
if npu "$base/nope" 2>"$tmp/err"; then fail "404 accepted"; fi
grep -qF "error: unable to download '$base/nope': HTTP error 404 ('File not found')" "$tmp/err" || { cat "$tmp/err"; fail "404 message"; }
[ "$(ls "$tmp/root/nix/store")" = "$before" ] || fail "a failure changed the store"
if npu 2>"$tmp/err"; then fail "no URL accepted"; fi
grep -qF "error: you must specify a URL" "$tmp/err" || { cat "$tmp/err"; fail "no URL message"; }
if npu a b c 2>"$tmp/err"; then fail "three arguments accepted"; fi
grep -qF "error: too many arguments" "$tmp/err" || { cat "$tmp/err"; fail "too many message"; }
echo "nix_prefetch_url: all passed"
