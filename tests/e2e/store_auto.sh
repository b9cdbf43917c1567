#!/usr/bin/env bash
# The default store (`auto`) of an unprivileged user on a machine without /nix: a chroot store
# under ~/.local/share/nix/root (as Nix >= 2.10), announced once. Run in a private mount
# namespace whose /nix is an empty root-owned tmpfs, so the real /nix is neither seen nor touched.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
if ! unshare --mount --propagation private true 2>/dev/null || ! command -v setpriv >/dev/null; then
  echo "SKIP: needs unshare --mount and setpriv (root)"; exit 0
fi
chmod 755 "$tmp"
mkdir -p "$tmp/home" "$tmp/etc"
chown 65534:65534 "$tmp/home"
printf 'build-users-group =\nsubstituters =\n' > "$tmp/etc/nix.conf"
echo hello > "$tmp/file"
chmod -R a+rX "$tmp/etc" "$tmp/file"
# as_nobody CMD...: CMD as uid/gid 65534 with HOME in $tmp and /nix an empty tmpfs.
as_nobody() {
  unshare --mount --propagation private env -u NIX_STORE_DIR -u NIX_STATE_DIR -u NIX_LOG_DIR -u NIX_REMOTE \
    -u XDG_DATA_HOME HOME="$tmp/home" NIX_CONF_DIR="$tmp/etc" sh -c \
    'mount -t tmpfs -o mode=755 tmpfs /nix && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh "$@"
}
root=$tmp/home/.local/share/nix/root

p=$(as_nobody "$NIXPP_BIN/nix-store" --add "$tmp/file" 2>"$tmp/err") || { cat "$tmp/err"; fail "add as nobody"; }
[ "$(cat "$tmp/err")" = "warning: '/nix/var/nix' does not exist, so Nix will use '$root' as a chroot store" ] \
  || fail "first-use warning: $(cat "$tmp/err")"
[ "$(cat "$root$p")" = hello ] || fail "path not in the chroot store"
[ "$p" = "$(NIX_CONF_DIR=$tmp/etc nix-store --store "local?root=$tmp/oracle" --add "$tmp/file")" ] || fail "path differs from Nix 2.8's"
[ "$(stat -c %u "$root/nix/var/nix/db/db.sqlite")" = 65534 ] || fail "store not owned by the user"
q=$(as_nobody "$NIXPP_BIN/nix-store" -q --hash "$p" 2>"$tmp/err") || { cat "$tmp/err"; fail "query as nobody"; }
[ ! -s "$tmp/err" ] || fail "warning repeated: $(cat "$tmp/err")"
[[ $q == sha256:* ]] || fail "query: $q"
# XDG_DATA_HOME moves it; NIX_STATE_DIR (the user chose the layout) turns it off.
mkdir "$tmp/xdg" && chown 65534:65534 "$tmp/xdg"
as_nobody env XDG_DATA_HOME="$tmp/xdg" "$NIXPP_BIN/nix-store" --add "$tmp/file" >/dev/null 2>&1 || fail "XDG_DATA_HOME"
[ -e "$tmp/xdg/nix/root$p" ] || fail "XDG_DATA_HOME not used"
! as_nobody env NIX_STATE_DIR=/nix/var/nix "$NIXPP_BIN/nix-store" --add "$tmp/file" >/dev/null 2>&1 \
  || fail "NIX_STATE_DIR set: should not use a chroot store (and /nix is not writable)"
# Root never gets one.
[ "$(unshare --mount --propagation private env -u NIX_STORE_DIR -u NIX_STATE_DIR -u NIX_REMOTE HOME="$tmp/home" \
  NIX_CONF_DIR="$tmp/etc" sh -c 'mount -t tmpfs -o mode=755 tmpfs /nix && "$1" --add "$2" >/dev/null 2>&1 && ls /nix/store | wc -l' \
  sh "$NIXPP_BIN/nix-store" "$tmp/file")" = 1 ] || fail "root should use /nix (the private tmpfs)"
echo "store_auto: ok"
