#!/usr/bin/env bash
# nix-channel on a throwaway store (NIX_STORE_DIR etc. and HOME under a temp dir), with channels
# served from directories as file:// URLs: --add (name from the URL, -unstable/-stable dropped,
# bad URLs and names refused), --list, --update (a new generation of the channels profile, one
# builtin:unpack-channel derivation per channel, ~/.nix-defexpr/channels), nix-env -iA
# nixpkgs.hello and <nixpkgs> through the default search path, a tarball URL, the .bz2
# fallback, --update NAME keeps the others, --remove, --rollback; the channels profile's
# user environment equals what Nix 2.8's nix-channel makes from the same tarballs.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_STORE_DIR=$tmp/store HOME=$tmp/home
mkdir -p "$NIX_CONF_DIR" "$HOME"
# tarball-ttl = 0: --update downloads again (else, as Nix 2.8, the fetcher cache's copy is kept
# for an hour; nix_channel_http tests that).
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\ntarball-ttl = 0\n' > "$NIX_CONF_DIR/nix.conf"
unset NIX_PROFILE NIX_PATH XDG_CACHE_HOME  # the fetcher cache goes under $HOME
fail() { echo "FAIL: $*" >&2; exit 1; }
nc() { "$NIXPP_BIN/nix-channel" "$@"; }
[ -x /bin/busybox ] || fail "needs busybox-static (scripts/install-deps.sh installs it)"

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir printf chmod; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$("$NIXPP_BIN/nix-store" --add "$tmp/tools")

. "$NIXPP_SRC/tests/e2e/lib/mkchannel.bash"

# 1. --add / --list.
mkchannel "$tmp/srv/nixpkgs-unstable" 1.0 xz
nc --add "file://$tmp/srv/nixpkgs-unstable"
[ "$(cat "$HOME/.nix-channels")" = "file://$tmp/srv/nixpkgs-unstable nixpkgs" ] || fail "~/.nix-channels: $(cat "$HOME/.nix-channels")"
[ "$(nc --list)" = "nixpkgs file://$tmp/srv/nixpkgs-unstable" ] || fail "--list"
if nc --add "ftp://example.org/x" 2>"$tmp/err"; then fail "accepted an ftp URL"; fi
grep -q "invalid channel URL 'ftp://example.org/x'" "$tmp/err" || fail "bad URL message"
if nc --add "file:///x" "bad name" 2>"$tmp/err"; then fail "accepted a bad name"; fi
grep -q "invalid channel identifier 'bad name'" "$tmp/err" || fail "bad name message"
if nc 2>/dev/null; then fail "no command accepted"; fi

# 2. --update: the channels profile, ~/.nix-defexpr/channels, nix-env -iA, <nixpkgs>.
nc --update 2>"$tmp/err" || { cat "$tmp/err"; fail "--update"; }
grep -q "unpacking channels" "$tmp/err" || fail "no 'unpacking channels' message"
profile=$NIX_STATE_DIR/profiles/per-user/root/channels
[ "$(readlink "$profile")" = channels-1-link ] || fail "channels profile generation 1"
[ "$(readlink "$HOME/.nix-defexpr/channels")" = "$profile" ] || fail "~/.nix-defexpr/channels"
[ -f "$profile/nixpkgs/default.nix" ] || fail "unpacked channel"
"$NIXPP_BIN/nix-env" -iA nixpkgs.hello 2>"$tmp/err" || { cat "$tmp/err"; fail "nix-env -iA nixpkgs.hello"; }
[ "$("$HOME/.nix-profile/bin/hello")" = "hello 1.0" ] || fail "installed hello"
[ "$("$NIXPP_BIN/nix-instantiate" --eval -E '(import <nixpkgs> {}).version')" = '"1.0"' ] || fail "<nixpkgs>"
"$NIXPP_BIN/nix-build" '<nixpkgs>' -A hello -o "$tmp/result" >/dev/null 2>&1 || fail "nix-build '<nixpkgs>'"
[ "$("$tmp/result/bin/hello")" = "hello 1.0" ] || fail "nix-build result"

# 3. A second channel as a tarball URL (version in the name), a .bz2 one; --update NAME.
mkchannel "$tmp/srv/tarballs" 2.0 gz
mv "$tmp/srv/tarballs/nixexprs.tar.gz" "$tmp/srv/tarballs/other-2.0.tar.gz"
nc --add "file://$tmp/srv/tarballs/other-2.0.tar.gz" other
mkchannel "$tmp/srv/third" 3.0 bz2
nc --add "file://$tmp/srv/third/" third
nc --update 2>"$tmp/err" || { cat "$tmp/err"; fail "--update of three channels"; }
[ "$(readlink "$profile")" = channels-2-link ] || fail "generation 2"
for n in nixpkgs other third; do [ -f "$profile/$n/default.nix" ] || fail "channel $n missing"; done
"$NIXPP_BIN/nix-env" -p "$profile" -q > "$tmp/q"
[ "$(cat "$tmp/q")" = "$(printf 'nixpkgs\nother-2.0.tar.gz\nthird')" ] || { cat "$tmp/q"; fail "channel names in the profile"; }
[ "$("$NIXPP_BIN/nix-instantiate" --eval -E '(import <third> {}).version')" = '"3.0"' ] || fail "<third>"
old_other=$(readlink "$profile/other")
mkchannel "$tmp/srv/nixpkgs-unstable" 1.1 xz
mkchannel "$tmp/srv/tarballs" 2.1 gz
mv "$tmp/srv/tarballs/nixexprs.tar.gz" "$tmp/srv/tarballs/other-2.0.tar.gz"
nc --update nixpkgs 2>"$tmp/err" || { cat "$tmp/err"; fail "--update nixpkgs"; }
[ "$(readlink "$profile/other")" = "$old_other" ] || fail "--update nixpkgs changed 'other'"
[ "$("$NIXPP_BIN/nix-instantiate" --eval -E '(import <nixpkgs> {}).version')" = '"1.1"' ] || fail "updated nixpkgs"
if nc --update nosuch 2>"$tmp/err"; then fail "--update of an unknown channel"; fi

# 4. --remove, --rollback; a channel whose tarball is gone fails clearly.
nc --remove third 2>"$tmp/err" || { cat "$tmp/err"; fail "--remove"; }
! grep -q third "$HOME/.nix-channels" || fail "third still listed"
[ ! -e "$profile/third" ] || fail "third still in the profile"
nc --rollback 2>"$tmp/err" || { cat "$tmp/err"; fail "--rollback"; }
[ -e "$profile/third" ] || fail "rollback did not bring back third"
nc --add "file://$tmp/srv/empty" broken
mkdir -p "$tmp/srv/empty"
gen=$(readlink "$profile")
if nc --update 2>"$tmp/err"; then fail "update with a missing tarball"; fi
# (as Nix 2.8: the error of the last try, .bz2)
grep -q "unable to download 'file://$tmp/srv/empty/nixexprs.tar.bz2': Couldn't read a file:// file (37)" "$tmp/err" || { cat "$tmp/err"; fail "missing tarball message"; }
[ "$(readlink "$profile")" = "$gen" ] || fail "a failed update switched the profile"
echo "nix_channel: all passed"
