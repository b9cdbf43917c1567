#!/usr/bin/env bash
# builtins.fetchurl / fetchTarball / fetchGit / fetchTree on file:// URLs and local repositories:
# store paths and returned attributes equal Nix 2.8's for the same inputs; a wrong hash is a
# clear error; a fetch with a known hash whose path is valid needs no source.
set -euo pipefail
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
: "${NIXPP_BIN:?NIXPP_BIN must point to the build directory}"
mkdir -p "$tmp/etc" "$tmp/etc2" "$tmp/src/pkg-1.0/sub"
# The fetcher cache (~/.cache/nix, of nixpp and Nix 2.8) in the temp dir, not the user's.
export HOME=$tmp XDG_CACHE_HOME=$tmp/.cache
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$tmp/etc/nix.conf"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command flakes\n' > "$tmp/etc2/nix.conf"

nixpp() { NIX_CONF_DIR=$tmp/etc "$NIXPP_BIN/nix-instantiate" --store "local?root=$tmp/root" --eval --strict "$@"; }
haveNix=0
if [ -x /usr/bin/nix-instantiate ]; then haveNix=1; fi
nix28() { NIX_CONF_DIR=$tmp/etc2 /usr/bin/nix-instantiate --store "local?root=$tmp/root2" --eval --strict "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$NIXPP_SRC/tests/e2e/lib/same_eval.bash"

# --- fetchurl ---
echo "hello world" > "$tmp/src/hello.txt"
u="file://$tmp/src/hello.txt"
same "builtins.fetchurl \"$u\"" | grep -- '-hello.txt"$' >/dev/null || fail "fetchurl name"
same "builtins.fetchurl { url = \"$u\"; name = \"greeting\"; }" >/dev/null
good=$(sha256sum "$tmp/src/hello.txt" | cut -d' ' -f1)
p=$(same "builtins.fetchurl { url = \"$u\"; sha256 = \"$good\"; }")
[ "$(cat "$tmp/root${p//\"/}")" = "hello world" ] || fail "fetchurl contents"
# `hash` (current Nix; not in 2.8)
[ "$(nixpp -E "builtins.fetchurl { url = \"$u\"; hash = \"sha256:$good\"; }")" = "$p" ] || fail "fetchurl hash"

# wrong hash: Nix's message (SRI hashes, as current Nix prints them)
bad=0000000000000000000000000000000000000000000000000000000000000000
if nixpp -E "builtins.fetchurl { url = \"$u\"; sha256 = \"$bad\"; }" 2>"$tmp/err"; then fail "hash mismatch accepted"; fi
grep -qF "hash mismatch in file downloaded from '$u':" "$tmp/err" || { cat "$tmp/err"; fail "mismatch message"; }
grep -qF "  specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" "$tmp/err" || { cat "$tmp/err"; fail "specified"; }
grep -qE "^ +got: +sha256-" "$tmp/err" || { cat "$tmp/err"; fail "got"; }
# missing file
if nixpp -E "builtins.fetchurl \"file://$tmp/src/nope\"" 2>"$tmp/err"; then fail "missing file accepted"; fi
grep -qF "unable to download 'file://$tmp/src/nope'" "$tmp/err" || { cat "$tmp/err"; fail "missing message"; }

# --- fetchTarball ---
echo a > "$tmp/src/pkg-1.0/a"
echo b > "$tmp/src/pkg-1.0/sub/b"
printf '#!/bin/sh\n' > "$tmp/src/pkg-1.0/run.sh"; chmod +x "$tmp/src/pkg-1.0/run.sh"
ln -s a "$tmp/src/pkg-1.0/link"
tar -C "$tmp/src" --mtime=@1600000000 -czf "$tmp/src/pkg.tar.gz" pkg-1.0
tu="file://$tmp/src/pkg.tar.gz"
p=$(same "builtins.fetchTarball \"$tu\"")
[[ $p == *-source\" ]] || fail "fetchTarball name: $p"
p=${p//\"/}
[ "$(cat "$tmp/root$p/sub/b")" = b ] || fail "tarball contents"
[ -x "$tmp/root$p/run.sh" ] || fail "tarball exec bit"
same "builtins.fetchTarball { url = \"$tu\"; name = \"pkg\"; }" >/dev/null
narHash=$(NIX_CONF_DIR=$tmp/etc "$NIXPP_BIN/nix" --store "local?root=$tmp/root" path-info --json "$p" 2>/dev/null |
  grep -o 'sha256[:-][A-Za-z0-9+/=]*' | head -1 || true)
if [ -z "$narHash" ]; then narHash=$(nixpp -E "(builtins.fetchTree { type = \"tarball\"; url = \"$tu\"; }).narHash" | tr -d '"'); fi
same "builtins.fetchTarball { url = \"$tu\"; sha256 = \"$narHash\"; }" >/dev/null
if nixpp -E "builtins.fetchTarball { url = \"$tu\"; sha256 = \"$bad\"; }" 2>"$tmp/err"; then fail "tarball mismatch accepted"; fi
grep -qF "hash mismatch in file downloaded from '$tu':" "$tmp/err" || { cat "$tmp/err"; fail "tarball mismatch message"; }

# a known hash whose path is valid: no I/O (the source is gone)
mv "$tmp/src/pkg.tar.gz" "$tmp/src/moved.tar.gz"; mv "$tmp/src/hello.txt" "$tmp/src/moved.txt"
nixpp -E "builtins.fetchTarball { url = \"$tu\"; sha256 = \"$narHash\"; }" >/dev/null || fail "refetch of a valid tarball"
nixpp -E "builtins.fetchurl { url = \"$u\"; sha256 = \"$good\"; }" >/dev/null || fail "refetch of a valid file"
mv "$tmp/src/moved.tar.gz" "$tmp/src/pkg.tar.gz"; mv "$tmp/src/moved.txt" "$tmp/src/hello.txt"

# --- fetchTree ---
# (Nix 2.8's "file" type takes http(s) only; nixpp takes file:// too, as current Nix)
out=$(nixpp -E "builtins.fetchTree { type = \"file\"; url = \"$u\"; }")
[[ $out == *"outPath = $(nixpp -E "builtins.fetchurl { url = \"$u\"; name = \"source\"; }")"* ]] || fail "fetchTree file: $out"
same "builtins.fetchTree { type = \"tarball\"; url = \"$tu\"; }" >/dev/null
same "builtins.fetchTree { type = \"tarball\"; url = \"$tu\"; narHash = \"$narHash\"; }" >/dev/null
same "builtins.fetchTree { type = \"path\"; path = \"$tmp/src/pkg-1.0\"; }" >/dev/null
if nixpp -E "builtins.fetchTree { type = \"tarball\"; url = \"$tu\"; narHash = \"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"; }" 2>"$tmp/err"; then
  fail "fetchTree narHash mismatch accepted"
fi
grep -qF "NAR hash mismatch in input" "$tmp/err" || { cat "$tmp/err"; fail "narHash mismatch message"; }

# --- fetchGit ---
repo=$tmp/repo
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
export GIT_CONFIG_NOSYSTEM=1 HOME=$tmp
git init -q -b main "$repo"
echo one > "$repo/file"; mkdir "$repo/dir"; echo x > "$repo/dir/x"; ln -s file "$repo/link"
git -C "$repo" add . && GIT_COMMITTER_DATE=@1600000000 GIT_AUTHOR_DATE=@1600000000 git -C "$repo" commit -qm one
rev1=$(git -C "$repo" rev-parse HEAD)
git -C "$repo" checkout -qb other
echo two > "$repo/file"
git -C "$repo" commit -qam two --date=@1600000100
rev2=$(git -C "$repo" rev-parse HEAD)
git -C "$repo" checkout -q main
echo untracked > "$repo/untracked"

out=$(same "builtins.fetchGit $repo")
[[ $out == *"rev = \"$rev1\""* && $out == *"revCount = 1;"* && $out == *'lastModified = 1600000000;'* ]] || fail "fetchGit: $out"
out=$(same "builtins.fetchGit { url = $repo; ref = \"other\"; }")
[[ $out == *"rev = \"$rev2\""* && $out == *"revCount = 2;"* ]] || fail "fetchGit ref: $out"
same "builtins.fetchGit { url = \"file://$repo\"; rev = \"$rev1\"; }" >/dev/null
same "builtins.fetchGit { url = $repo; ref = \"other\"; rev = \"$rev1\"; name = \"named\"; }" >/dev/null
same "builtins.fetchTree { type = \"git\"; url = \"file://$repo\"; ref = \"other\"; }" >/dev/null
p=$(nixpp -E "(builtins.fetchGit { url = $repo; ref = \"other\"; }).outPath" | tr -d '"')
[ "$(cat "$tmp/root$p/file")" = two ] && [ -L "$tmp/root$p/link" ] && [ ! -e "$tmp/root$p/untracked" ] || fail "git tree contents"

# a dirty work tree: its tracked files as they are, rev 000...0
echo changed > "$repo/file"
out=$(same "builtins.fetchGit $repo")
[[ $out == *'rev = "0000000000000000000000000000000000000000"'* && $out == *'revCount = 0;'* ]] || fail "dirty: $out"
p=$(nixpp -E "(builtins.fetchGit $repo).outPath" 2>"$tmp/err" | tr -d '"')
grep -qF "warning: Git tree '$repo' is dirty" "$tmp/err" || fail "dirty warning"
[ "$(cat "$tmp/root$p/file")" = changed ] && [ ! -e "$tmp/root$p/untracked" ] || fail "dirty tree contents"
same "builtins.fetchTree { type = \"git\"; url = $repo; }" >/dev/null

# fetchTree of URL-like references: the same as of the attribute sets they stand for
git -C "$repo" checkout -q -- file
same "builtins.fetchTree \"git+file://$repo?ref=other\"" >/dev/null
same "builtins.fetchTree \"git+file://$repo?ref=main&rev=$rev1\"" >/dev/null
same "builtins.fetchTree \"$tu\"" >/dev/null
# (Nix 2.8 turns "path:..." into "file://path:...": compared with the attribute set's result)
[ "$(nixpp -E "builtins.fetchTree \"path:$tmp/src/pkg-1.0\"")" = "$(same "builtins.fetchTree { type = \"path\"; path = \"$tmp/src/pkg-1.0\"; }")" ] ||
  fail "fetchTree of a path: URL"
[ "$(nixpp -E "(builtins.fetchTree \"$tu\").outPath")" = "$(nixpp -E "(builtins.fetchTree { type = \"tarball\"; url = \"$tu\"; }).outPath")" ] ||
  fail "fetchTree of a URL and of its attributes differ"
if nixpp -E 'builtins.fetchTree "file:./rel.tar.gz"' 2>"$tmp/err"; then fail "relative file: URL accepted"; fi
grep -qF "tarball 'file:./rel.tar.gz' must use an absolute path" "$tmp/err" || { cat "$tmp/err"; fail "relative message"; }

# errors
if nixpp -E "builtins.fetchGit { url = $repo; ref = \"nope\"; }" 2>"$tmp/err"; then fail "missing ref accepted"; fi
grep -qF "nope" "$tmp/err" || { cat "$tmp/err"; fail "missing ref message"; }
if nixpp -E "builtins.fetchGit { url = $repo; bogus = 1; }" 2>"$tmp/err"; then fail "bad attribute accepted"; fi
grep -qF "unsupported Git input attribute 'bogus'" "$tmp/err" || { cat "$tmp/err"; fail "bad attribute message"; }
if nixpp -E "builtins.fetchTree { url = \"$u\"; }" 2>"$tmp/err"; then fail "fetchTree without type accepted"; fi
grep -qF "attribute 'type' is missing in call to 'fetchTree'" "$tmp/err" || { cat "$tmp/err"; fail "type message"; }
echo "fetch: ok"
