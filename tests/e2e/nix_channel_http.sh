#!/usr/bin/env bash
# nix-channel with channels served over HTTP by a local server on 127.0.0.1
# (tests/e2e/lib/http_server.py), on a throwaway store (NIX_STORE_DIR etc. and HOME under a temp
# dir): --add/--update of a channel directory (Nix 2.8's requests: the URL itself, then
# nixexprs.tar.xz where it redirects to), nix-env -iA nixpkgs.hello from it; a .bz2-only
# channel, a tarball URL, a channel behind a redirect; the fetcher cache (tarball-ttl); errors
# (404, nothing to fetch, a closed port) fail clearly and leave the channels profile as it was. When Nix 2.8 is installed, its nix-channel
# runs first on the same store directory and server: the same requests in the same order, and
# the same store paths for the downloads and the unpacked channel.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
source "$(dirname "$0")/lib/http_server.bash"
trap 'stop_http_server; chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_LOG_DIR=$tmp/log NIX_STORE_DIR=$tmp/store
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\ndownload-attempts = 2\n' > "$NIX_CONF_DIR/nix.conf"
unset NIX_PROFILE NIX_PATH NIX_REMOTE XDG_CACHE_HOME  # the fetcher cache goes under $HOME
fail() { echo "FAIL: $*" >&2; exit 1; }
nc() { timeout 120 "$NIXPP_BIN/nix-channel" "$@"; }
[ -x /bin/busybox ] || fail "needs busybox-static (scripts/install-deps.sh installs it)"

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir printf chmod; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$(NIX_STATE_DIR=$tmp/state0 "$NIXPP_BIN/nix-store" --add "$tmp/tools")

. "$NIXPP_SRC/tests/e2e/lib/mkchannel.bash"
mkchannel "$tmp/srv/chan" 1.0 xz
mkchannel "$tmp/srv/chan2" 2.0 bz2
mkchannel "$tmp/srv/tarballs" 3.0 gz other-3.0.tar.gz
mkchannel "$tmp/srv/chan3" 4.0 xz
mkdir -p "$tmp/srv/empty"
start_http_server "$tmp/srv" "$tmp/requests"
base=http://127.0.0.1:$http_port

# The channels of this test: "URL NAME" lines.
channels="$base/chan nixpkgs
$base/chan2 second
$base/tarballs/other-3.0.tar.gz other
$base/redirect/chan3 viaredirect"
add_all() { while read -r url name; do "$@" --add "$url" "$name"; done <<< "$channels"; }
# The store paths of the downloads and the unpacked channels (names: chan, nixexprs.tar.*, ...).
channel_paths() {
  ls "$NIX_STORE_DIR" | grep -E -- '-(chan|chan2|chan3|nixexprs\.tar\.(xz|bz2)|other-3\.0\.tar\.gz|nixpkgs|second|other-3\.0|viaredirect)$' | sort
}

# 1. Nix 2.8 first, on the same store directory and server, for the reference.
haveNix=0
if [ -x /usr/bin/nix-channel ]; then
  haveNix=1
  (
    export NIX_STATE_DIR=$tmp/state28 HOME=$tmp/home28
    mkdir -p "$HOME"
    add_all /usr/bin/nix-channel
    timeout 120 /usr/bin/nix-channel --update 2>"$tmp/err28" || { cat "$tmp/err28"; fail "nix 2.8's nix-channel --update"; }
  )
  want_requests=$(cat "$tmp/requests")
  want_paths=$(channel_paths)
  : > "$tmp/requests"
  chmod -R u+w "$NIX_STORE_DIR"
  rm -rf "$NIX_STORE_DIR" "$tmp/state28" "$tmp/home28"
fi
rm -rf "$NIX_STORE_DIR" "$tmp/state0"

# 2. nixpp: --add, --update, nix-env -iA.
export NIX_STATE_DIR=$tmp/state HOME=$tmp/home
mkdir -p "$HOME"
[ "$("$NIXPP_BIN/nix-store" --add "$tmp/tools")" = "$tools" ] || fail "tools path"
add_all nc
[ "$(nc --list | head -1)" = "nixpkgs $base/chan" ] || fail "--list: $(nc --list)"
nc --update 2>"$tmp/err" || { cat "$tmp/err"; fail "--update"; }
grep -q "unpacking channels" "$tmp/err" || fail "no 'unpacking channels' message"
grep -qx "GET /chan" "$tmp/requests" && grep -qx "GET /chan/" "$tmp/requests" && grep -qx "GET /chan//nixexprs.tar.xz" "$tmp/requests" ||
  { cat "$tmp/requests"; fail "requests for the channel directory"; }
grep -qx "GET /chan2//nixexprs.tar.bz2" "$tmp/requests" || { cat "$tmp/requests"; fail "the .bz2 fallback"; }
profile=$NIX_STATE_DIR/profiles/per-user/root/channels
for n in nixpkgs second other viaredirect; do [ -f "$profile/$n/default.nix" ] || fail "channel $n missing"; done
if [ $haveNix = 1 ]; then
  [ "$(cat "$tmp/requests")" = "$want_requests" ] ||
    fail "requests differ from Nix 2.8's:"$'\n'"$(diff <(echo "$want_requests") "$tmp/requests")"
  [ "$(channel_paths)" = "$want_paths" ] ||
    fail "store paths differ from Nix 2.8's:"$'\n'"$(diff <(echo "$want_paths") <(channel_paths))"
fi
timeout 120 "$NIXPP_BIN/nix-env" -iA nixpkgs.hello 2>"$tmp/err" || { cat "$tmp/err"; fail "nix-env -iA nixpkgs.hello"; }
[ "$("$HOME/.nix-profile/bin/hello")" = "hello 1.0" ] || fail "installed hello"
[ "$("$NIXPP_BIN/nix-instantiate" --eval -E '(import <second> {}).version')" = '"2.0"' ] || fail "<second>"
[ "$("$NIXPP_BIN/nix-instantiate" --eval -E '(import <other> {}).version')" = '"3.0"' ] || fail "<other>"
[ "$("$NIXPP_BIN/nix-instantiate" --eval -E '(import <viaredirect> {}).version')" = '"4.0"' ] || fail "<viaredirect>"

# 3. A new release on the server: within tarball-ttl, --update keeps the fetcher cache's copy
# without asking the server (as Nix 2.8); with tarball-ttl = 0 it fetches the new release.
mkchannel "$tmp/srv/chan" 1.1 xz
: > "$tmp/requests"
nc --update nixpkgs 2>"$tmp/err" || { cat "$tmp/err"; fail "--update nixpkgs (cached)"; }
[ ! -s "$tmp/requests" ] || { cat "$tmp/requests"; fail "--update within tarball-ttl asked the server"; }
[ "$("$NIXPP_BIN/nix-instantiate" --eval -E '(import <nixpkgs> {}).version')" = '"1.0"' ] || fail "cached nixpkgs"
nc --option tarball-ttl 0 --update nixpkgs 2>"$tmp/err" || { cat "$tmp/err"; fail "--update nixpkgs"; }
grep -qx "GET /chan//nixexprs.tar.xz" "$tmp/requests" || { cat "$tmp/requests"; fail "tarball-ttl = 0: not downloaded again"; }
[ "$("$NIXPP_BIN/nix-instantiate" --eval -E '(import <nixpkgs> {}).version')" = '"1.1"' ] || fail "updated nixpkgs"
timeout 120 "$NIXPP_BIN/nix-env" -iA nixpkgs.hello 2>"$tmp/err" || { cat "$tmp/err"; fail "nix-env -iA the new hello"; }
[ "$("$HOME/.nix-profile/bin/hello")" = "hello 1.1" ] || fail "updated hello"

# 4. Errors: a 404 channel, a channel with nothing in it; the profile stays as it was.
gen=$(readlink "$profile")
nc --add "$base/nochan" broken
if nc --update 2>"$tmp/err"; then fail "update with a 404 channel"; fi
grep -qF "error: unable to download '$base/nochan': HTTP error 404 ('File not found')" "$tmp/err" || { cat "$tmp/err"; fail "404 channel message"; }
[ "$(readlink "$profile")" = "$gen" ] || fail "a failed update switched the profile"
nc --remove broken 2>/dev/null || true
gen=$(readlink "$profile")
nc --add "$base/empty" broken
if nc --update 2>"$tmp/err"; then fail "update of an empty channel"; fi
grep -qF "error: unable to download '$base/empty//nixexprs.tar.bz2': HTTP error 404 ('File not found')" "$tmp/err" ||
  { cat "$tmp/err"; fail "empty channel message"; }
[ "$(readlink "$profile")" = "$gen" ] || fail "a failed update switched the profile"
port=$(closed_port)
nc --remove broken 2>/dev/null || true
nc --add "http://127.0.0.1:$port/chan" broken
start=$(date +%s)
if nc --update 2>"$tmp/err"; then fail "update from a closed port"; fi
grep -qF "error: unable to download 'http://127.0.0.1:$port/chan': Couldn't connect to server (7)" "$tmp/err" || { cat "$tmp/err"; fail "closed port message"; }
[ $(( $(date +%s) - start )) -lt 30 ] || fail "a closed port took too long"
echo "nix_channel_http: all passed"
