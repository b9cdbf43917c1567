#!/usr/bin/env bash
# Source paths in the evaluator against Nix 2.8: builtins.path and builtins.filterSource with
# filters (the store path is that of the filtered NAR; the filter sees every entry of accepted
# directories with its type), read-only (--eval) and written to a throwaway store
# (--read-write-mode), and <nix/fetchurl.nix> (same .drv path as Nix 2.8's corepkg).
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); }
command -v nix-instantiate >/dev/null || fail "needs Nix 2.8's nix-instantiate (the oracle)"

# A source tree with files, an executable, nested directories, symlinks (to a file, a directory,
# nowhere) and a file name that sorts between others.
src=$tmp/src
mkdir -p "$src/a/deep/er" "$src/b" "$src/skip/me"
echo one > "$src/a/one"
echo two > "$src/a/deep/two"
echo three > "$src/a/deep/er/three"
printf '#!/bin/sh\n' > "$src/b/run" && chmod +x "$src/b/run"
echo x > "$src/skip/me/x"
echo top > "$src/top.txt"
echo keep > "$src/a.keep"
ln -s a/one "$src/link-file"
ln -s a "$src/link-dir"
ln -s nowhere "$src/broken"

# Expressions, each evaluated by both (read-only, dummy store: paths computed, nothing written).
exprs=(
  "builtins.path { path = $src; }"
  "builtins.path { path = $src; name = \"named\"; filter = p: t: true; }"
  "builtins.path { path = $src; filter = p: t: baseNameOf p != \"skip\"; }"
  "builtins.path { path = $src; filter = p: t: t != \"symlink\"; }"
  "builtins.path { path = $src; filter = p: t: t == \"directory\"; }"
  "builtins.path { path = $src; filter = p: t: builtins.match \".*/(a|deep|two|b)\" p != null; }"
  "builtins.path { path = $src; filter = p: t: false; }"
  "builtins.filterSource (p: t: baseNameOf p != \"deep\") $src"
  "builtins.filterSource (p: t: t == \"regular\" || t == \"directory\") $src"
  "builtins.path { path = $src/a/one; recursive = false; }"
  "builtins.path { path = $src/b; filter = p: t: true; recursive = true; }"
)
for e in "${exprs[@]}"; do
  want=$(NIX_REMOTE=dummy:// nix-instantiate --eval -E "$e" 2>&1) || fail "Nix 2.8 failed on: $e: $want"
  got=$(NIX_REMOTE=dummy:// "$NIXPP_BIN/nix-instantiate" --eval -E "$e" 2>&1) || fail "nixpp failed on: $e: $got"
  [ "$got" = "$want" ] || fail "$e: nixpp $got, Nix 2.8 $want"
  ok
done

# The filter is called with each entry's full path and type, directories before their contents,
# entries in name order, never for the root nor inside rejected directories.
calls='builtins.path { path = '"$src"'; filter = p: t: builtins.trace "${t} ${p}" (baseNameOf p != "skip"); }'
want=$(NIX_REMOTE=dummy:// nix-instantiate --eval -E "$calls" 2>&1 >/dev/null | grep '^trace:')
got=$(NIX_REMOTE=dummy:// "$NIXPP_BIN/nix-instantiate" --eval -E "$calls" 2>&1 >/dev/null | grep '^trace:')
[ "$got" = "$want" ] || fail "filter calls differ: nixpp
$got
Nix 2.8
$want"
grep -q "^trace: symlink $src/broken$" <<<"$got" || fail "the filter was not told about the broken symlink"
! grep -q "$src/skip/" <<<"$got" || fail "the filter was asked about entries of a rejected directory"
ok

# Written to a store: the same path, and the copy lacks what the filter rejected.
S="local?root=$tmp/root"
e="builtins.path { path = $src; filter = p: t: baseNameOf p != \"skip\" && t != \"symlink\"; }"
want=$(NIX_REMOTE=dummy:// nix-instantiate --eval -E "$e")
got=$("$NIXPP_BIN/nix-instantiate" --store "$S" --read-write-mode --eval -E "$e")
[ "$got" = "$want" ] || fail "written filtered path $got, Nix 2.8 computes $want"
p=${got//\"/}
real=$tmp/root$p
[ -f "$real/a/deep/er/three" ] && [ -x "$real/b/run" ] || fail "the filtered copy lacks accepted files"
[ ! -e "$real/skip" ] && [ ! -L "$real/link-file" ] && [ ! -L "$real/broken" ] || fail "the filtered copy has rejected entries"
"$NIXPP_BIN/nix-store" --store "$S" --verify-path "$p" || fail "the filtered copy does not verify"
ok

# A filter that is not a function, or returns a non-Boolean: an error, exit 1.
for bad in "builtins.path { path = $src; filter = 1; }" "builtins.filterSource (p: t: \"yes\") $src"; do
  if out=$(NIX_REMOTE=dummy:// "$NIXPP_BIN/nix-instantiate" --eval -E "$bad" 2>&1); then fail "accepted: $bad"; fi
  grep -q "error:" <<<"$out" || fail "no error message for: $bad: $out"
  ok
done

# <nix/fetchurl.nix>: a function, and the same .drv as Nix 2.8's corepkg, for several argument sets.
for args in 'url = "http://example.org/f.txt"; sha256 = "0000000000000000000000000000000000000000000000000000";' \
            'url = "http://example.org/a.tar.gz"; hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; unpack = true;' \
            'url = "http://example.org/x"; sha1 = "0000000000000000000000000000000000000000"; name = "renamed"; executable = true;'; do
  e="(import <nix/fetchurl.nix> { $args }).drvPath"
  want=$(NIX_REMOTE=dummy:// nix-instantiate --eval -E "$e" 2>&1) || fail "Nix 2.8: $want"
  got=$(NIX_REMOTE=dummy:// "$NIXPP_BIN/nix-instantiate" --eval -E "$e" 2>&1) || fail "nixpp: $got"
  [ "$got" = "$want" ] || fail "fetchurl.nix { $args }: nixpp $got, Nix 2.8 $want"
  ok
done
got=$("$NIXPP_BIN/nix-instantiate" --eval -E 'builtins.isFunction (import <nix/fetchurl.nix>)')
[ "$got" = true ] || fail "<nix/fetchurl.nix> is not a function: $got"
got=$("$NIXPP_BIN/nix-instantiate" --eval -E '<nix/fetchurl.nix>')
[ "$got" = /__corepkgs__/fetchurl.nix ] || fail "<nix/fetchurl.nix> is $got"
ok

echo "eval_paths: $pass checks passed"
