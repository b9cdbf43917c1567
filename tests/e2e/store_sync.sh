#!/usr/bin/env bash
# How the local store writes paths: text paths (toFile, .drv files) written in place under the
# path's lock, leftovers of a crash at their location replaced, canonical metadata; and the
# setting fsync-store-paths: off by default (as Nix: no fsync of store contents, only SQLite's),
# on: every file and directory of a new path, and the store directory, fsync'ed (seen by strace).
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
R=$tmp/root
S="local?root=$R"
fail() { echo "FAIL: $*" >&2; exit 1; }
inst() { "$NIXPP_BIN/nix-instantiate" --store "$S" "$@"; }
toFile() { inst --read-write-mode --eval -E "builtins.toFile \"$1\" \"$2\"" | tr -d '"'; }

# 1. A text path: contents, canonical metadata, registration Nix 2.8 accepts.
p=$(toFile hello 'hello world')
[ "$(cat "$R$p")" = "hello world" ] || fail "text path contents"
[ "$(stat -c '%a %Y' "$R$p")" = "444 1" ] || fail "text path metadata: $(stat -c '%a %Y' "$R$p")"
[ "$(nix-store --store "$S" -q --hash "$p")" = "$(nix-hash --type sha256 --base32 "$R$p" | sed 's/^/sha256:/')" ] ||
  fail "registered NAR hash"
nix-store --store "$S" --verify --check-contents 2>/dev/null || fail "Nix 2.8 rejects the store"
# Adding it again gives the same path.
[ "$(toFile hello 'hello world')" = "$p" ] || fail "second add, other path"

# 2. Leftovers of a crash at an unregistered text path's location (a partial file, a directory)
# are replaced. Read-only --eval computes the path without writing it.
for kind in file dir; do
  q=$(inst --eval -E "builtins.toFile \"left-$kind\" \"complete contents\"" | tr -d '"')
  [ ! -e "$R$q" ] || fail "--eval wrote $q"
  if [ $kind = file ]; then printf partial > "$R$q"; else mkdir -p "$R$q/sub"; fi
  [ "$(toFile "left-$kind" 'complete contents')" = "$q" ] || fail "leftover $kind: other path"
  [ "$(cat "$R$q")" = "complete contents" ] || fail "leftover $kind not replaced"
done
nix-store --store "$S" --verify --check-contents 2>/dev/null || fail "store unclean after leftovers"

# 3. A .drv (text, with references) registers its outputs.
d=$(inst -E 'derivation { name = "d"; system = "x86_64-linux"; builder = "/bin/sh"; src = builtins.toFile "s" "x"; }')
[ -n "$(nix-store --store "$S" -q --outputs "$d")" ] || fail "derivation outputs"
[ "$("$NIXPP_BIN/nix-store" --store "$S" -q --references "$d" | wc -l)" = 1 ] || fail ".drv references"

# 4. fsync-store-paths: strace shows which descriptors are fsync'ed.
mkdir -p "$tmp/tree/sub"
for i in 1 2 3; do echo "$i" > "$tmp/tree/f$i"; echo "$i" > "$tmp/tree/sub/g$i"; done
syncs() {  # syncs ARGS...: the number of fsync/fdatasync calls on files under the store dir
  strace -f -y -qq -e trace=fsync,fdatasync -o "$tmp/strace" "$NIXPP_BIN/nix-store" --store "$S" "$@" > /dev/null
  grep -c "<$R/nix/store" "$tmp/strace" || true
}
[ "$(syncs --add "$tmp/tree")" = 0 ] || fail "store contents fsync'ed by default"
echo 4 > "$tmp/tree/f4"
n=$(syncs --option fsync-store-paths true --add "$tmp/tree")
[ "$n" -ge 9 ] || fail "fsync-store-paths = true: only $n fsyncs (7 files and dirs, the parent, the store dir)"
echo 5 > "$tmp/tree/f5"
[ "$(syncs --option fsync-store-paths false --add "$tmp/tree")" = 0 ] || fail "fsync-store-paths = false"
[ "$("$NIXPP_BIN/nix" config show fsync-store-paths)" = false ] || fail "default of fsync-store-paths"
nix-store --store "$S" --verify --check-contents 2>/dev/null || fail "store unclean at the end"
echo "store_sync: all passed"
