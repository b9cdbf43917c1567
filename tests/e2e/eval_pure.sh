#!/usr/bin/env bash
# Pure and restricted evaluation against Nix 2.8: `nix eval` (pure unless --impure or --file),
# `nix-instantiate --option pure-eval true` and `--option restrict-eval true` with -I entries,
# allowed-uris, symlinks leading out of an allowed directory, store closures of search path
# entries, and fetched or copied store paths staying readable. Each case runs both on one
# throwaway store (NIX_STORE_DIR under the temp dir, so that store paths are readable where they
# are named) and compares exit status, stdout and the error message. Two known wording changes
# since Nix 2.8 are mapped on its side: "in pure eval mode" is "in pure evaluation mode" in current
# Nix (and nixpp), and nixpp's "'fetchTree' requires a locked input" ends without 2.8's
# ", at POS" (the builtin's frame gives the position instead).
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_STORE_DIR=$tmp/store NIX_LOG_DIR=$tmp/log \
  NIX_REMOTE=local HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache
unset NIX_CONFIG NIX_USER_CONF_FILES NIX_PATH
mkdir -p "$NIX_CONF_DIR" "$HOME"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command flakes\n' \
  > "$NIX_CONF_DIR/nix.conf"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v nix-instantiate >/dev/null && nix --version | grep ' 2\.8\.' >/dev/null || fail "needs Nix 2.8 (the oracle)"
cd "$tmp"

# Files: d/ will be a search path entry; d/link leads out of it; f.txt is outside.
mkdir -p d/sub
echo hi > f.txt
echo '"in-d"' > d/a.nix
echo 'import ./a.nix' > d/b.nix
echo "builtins.readFile $tmp/f.txt" > d/c.nix
echo x > d/sub/x
ln -s "$tmp/f.txt" d/link
tar -czf t.tar.gz d
h=$(nix-hash --type sha256 --flat --base32 f.txt)
p=$(nix-store --add d)                          # a store path ...
r=$(nix-instantiate --read-write-mode --eval -E "builtins.toFile \"r\" \"\${builtins.storePath $p}\"")
r=${r//\"/}                                     # ... and one referring to it

# The error message of a run's stderr: nixpp prints it on the last "error: ..." line (after the
# "… while" frames), Nix 2.8 on the first.
msg_nixpp() { grep -E '^ *error: .' "$1" | tail -1 | sed 's/^ *//' || true; }
msg_nix28() {
  grep -E '^error: .' "$1" | head -1 |
    sed -e 's/ in pure eval mode / in pure evaluation mode /' -e "s/\(requires a locked input\), at .*/\1/" || true
}

pass=0
# check TOOL ARGS...: `TOOL ARGS...` by Nix 2.8 and by nixpp: same exit status, stdout, message.
check() {
  local tool=$1; shift
  local rn=0 rp=0
  "$tool" "$@" >"$tmp/out28" 2>"$tmp/err28" || rn=$?
  "$NIXPP_BIN/$tool" "$@" >"$tmp/outpp" 2>"$tmp/errpp" || rp=$?
  local what="$tool $*"
  [ "$rn" = "$rp" ] || fail "$what: exit $rp, Nix 2.8 $rn
nixpp: $(cat "$tmp/outpp" "$tmp/errpp")
Nix 2.8: $(cat "$tmp/out28" "$tmp/err28")"
  cmp -s "$tmp/out28" "$tmp/outpp" || fail "$what: stdout [$(cat "$tmp/outpp")], Nix 2.8 [$(cat "$tmp/out28")]"
  local mn mp
  mn=$(msg_nix28 "$tmp/err28")
  mp=$(msg_nixpp "$tmp/errpp")
  [ "$mn" = "$mp" ] || fail "$what: message [$mp], Nix 2.8 [$mn]"
  pass=$((pass + 1))
}

# --- pure evaluation: `nix eval` without --impure ---
check nix eval --expr "builtins.readFile $tmp/f.txt"
check nix eval --expr "builtins.pathExists $tmp/f.txt"
check nix eval --expr "import $tmp/d/a.nix"
check nix eval --expr "builtins.readDir $tmp/d"
check nix eval --expr "builtins.hashFile \"sha256\" $tmp/f.txt"
check nix eval --expr "\"\${$tmp/f.txt}\""
check nix eval --expr "builtins.path { path = $tmp/d; }"
check nix eval --expr "builtins.readFile (builtins.toFile \"x\" \"hi\")"
check nix eval -I "nixpkgs=$tmp/d" --expr '<nixpkgs>'
check nix eval -I "nixpkgs=$tmp/d" --expr 'builtins.nixPath'
check nix eval --expr 'builtins.findFile [] "foo"'
check nix eval --expr 'builtins.getEnv "HOME"'
check nix eval --expr 'builtins.currentSystem'
check nix eval --expr 'builtins.currentTime'
check nix eval --expr '[ (builtins ? currentSystem) (builtins ? currentTime) (builtins ? getEnv) ]'
check nix eval --expr "builtins.storePath $p"
check nix eval --expr "builtins.fetchurl \"file://$tmp/f.txt\""
check nix eval --expr "builtins.fetchTarball \"file://$tmp/t.tar.gz\""
check nix eval --expr "builtins.fetchTree { type = \"file\"; url = \"file://$tmp/f.txt\"; }"
check nix eval --expr "builtins.fetchGit $tmp/d"
# What pure evaluation allows: hashed fetches and paths, whose results are then readable.
check nix eval --expr "builtins.readFile (builtins.fetchurl { url = \"file://$tmp/f.txt\"; sha256 = \"$h\"; })"
check nix eval --expr "builtins.readFile (builtins.path { path = $tmp/f.txt; sha256 = \"$h\"; recursive = false; })"
check nix eval --impure --expr "builtins.readFile $tmp/f.txt"
check nix eval --impure --expr 'builtins.getEnv "HOME"'
check nix eval -f "$tmp/d/c.nix"        # --file is impure in Nix 2.8
check nix-instantiate --eval --option pure-eval true "$tmp/d/a.nix"
check nix-instantiate --eval --option pure-eval true -E "builtins.readFile $tmp/f.txt"
check nix-instantiate --eval --option pure-eval true -E "builtins.scopedImport {} $tmp/d/a.nix"

# Flakes (nix profile's local flakes) are evaluated purely, with their source readable.
mkdir fl
cat > fl/flake.nix <<EOF
{
  outputs = { self }: {
    packages.x86_64-linux.default = throw (if builtins ? currentSystem then "impure \${builtins.getEnv "HOME"}"
      else "pure \${builtins.getEnv "HOME"} \${import ./v.nix}");
    packages.x86_64-linux.outside = builtins.readFile $tmp/f.txt;
  };
}
EOF
echo '"v1"' > fl/v.nix
check nix profile install --profile "$tmp/prof" ./fl
check nix profile install --profile "$tmp/prof" --impure ./fl
check nix profile install --profile "$tmp/prof" ./fl#outside

# A chroot store: store paths with context are read (and checked) where the store keeps them.
# (With the default store directory: given another, Nix 2.8 still keeps files in ROOT/nix/store.)
C=(--store "local?root=$tmp/croot")
unset NIX_STORE_DIR
check nix eval "${C[@]}" --impure --expr '[ (import (builtins.toFile "x.nix" "1")) (builtins.readFile (builtins.toFile "x" "hi")) ]'
check nix eval "${C[@]}" --impure --expr 'builtins.hashFile "sha256" (builtins.toFile "x" "hi")'
check nix eval "${C[@]}" --expr 'builtins.readFile (builtins.toFile "x" "hi")'
# (another URL than above: the fetcher cache would remember that one in the other store)
hx=$(nix-hash --type sha256 --flat --base32 d/sub/x)
check nix eval "${C[@]}" --expr "builtins.readFile (builtins.fetchurl { url = \"file://$tmp/d/sub/x\"; sha256 = \"$hx\"; })"
export NIX_STORE_DIR=$tmp/store

# --- restricted evaluation: only the search path (and what is fetched or copied) ---
R=(--eval --option restrict-eval true)
check nix-instantiate "${R[@]}" -E "import $tmp/d/a.nix"
check nix-instantiate "${R[@]}" "$tmp/d/a.nix"
check nix-instantiate "${R[@]}" -I "$tmp/d" -E "import $tmp/d/b.nix"
check nix-instantiate "${R[@]}" -I "x=$tmp/d" -E '[ <x/a.nix> (import <x/b.nix>) ]'
check nix-instantiate "${R[@]}" -I d -I y=./nope -E '[ (import d/a.nix) builtins.nixPath ]' --strict
check nix-instantiate "${R[@]}" -I "$tmp/d" "$tmp/d/c.nix"
check nix-instantiate "${R[@]}" -I "$tmp/d" -E "builtins.readFile $tmp/d/../f.txt"
check nix-instantiate "${R[@]}" -I "$tmp/d" -E "builtins.readFile $tmp/d/link"
check nix-instantiate "${R[@]}" -I "$tmp/d" -E "builtins.readFile $tmp/d/sub/x"
check nix-instantiate "${R[@]}" -I "$tmp/d" -E "map builtins.pathExists [ $tmp/d/a.nix $tmp/d/link $tmp/f.txt /etc/passwd ]"
check nix-instantiate "${R[@]}" -I "$tmp/d" -E "builtins.readDir $tmp/d"
check nix-instantiate "${R[@]}" -I "$tmp/d" -E "builtins.filterSource (p: t: true) $tmp/d/sub"
check nix-instantiate "${R[@]}" -E 'builtins.getEnv "HOME"'
check nix-instantiate "${R[@]}" -E 'builtins.currentSystem'
check nix-instantiate "${R[@]}" -E "builtins.storePath $p"
check nix-instantiate "${R[@]}" -E "builtins.fetchGit $tmp/d"
check nix-instantiate "${R[@]}" -E 'builtins.fetchurl "https://example.com/x"'
check nix-instantiate "${R[@]}" -E "builtins.fetchurl \"file://$tmp/f.txt\""
check nix-instantiate "${R[@]}" --option allowed-uris "https://example.com" -E 'builtins.fetchurl "https://example.com.evil/x"'
check nix-instantiate "${R[@]}" --option allowed-uris "https://example.com/" -E 'builtins.fetchTarball "https://example.org/x.tar.gz"'
check nix-instantiate "${R[@]}" --option allowed-uris "file://$tmp" \
  -E "builtins.readFile (builtins.fetchurl { url = \"file://$tmp/f.txt\"; sha256 = \"$h\"; })"
# A search path entry that is a URL is fetched (unchecked) and readable.
check nix-instantiate "${R[@]}" -I "x=file://$tmp/t.tar.gz" -E 'import <x/a.nix>'
# Instantiation: sources under an allowed path are copied; the file given must be allowed too.
echo 'derivation { name = "x"; system = "x86_64-linux"; builder = "/bin/sh"; src = ./a.nix; dir = ./sub; }' > d/drv.nix
check nix-instantiate --option restrict-eval true -I "$tmp/d" "$tmp/d/drv.nix"
check nix-instantiate --option restrict-eval true "$tmp/d/drv.nix"
# A search path entry in the store: its closure is readable, other store paths are not.
check nix-instantiate "${R[@]}" -I "q=$r" -E "[ (builtins.readFile <q>) (import $p/a.nix) ]"
check nix-instantiate "${R[@]}" -I "q=$p" -E "builtins.readFile $r"

echo "eval_pure: $pass cases equal to Nix 2.8"
[ "$pass" -ge 15 ] || fail "too few cases"
