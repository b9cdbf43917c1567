#!/usr/bin/env bash
# nix-instantiate writing .drv files (without lock files, registered in batches: store/local_store.h)
# is safe beside other writers, collectors and crashes:
#  1. concurrent instantiations of the same and of overlapping graphs into one store (nixpp and
#     Nix 2.8 side by side) all succeed and print the paths of a reference run; the store is then
#     valid and intact for both implementations, which agree on references and on the database;
#  2. a `nix-store --gc` loop beside instantiations never deletes a .drv that an instantiation
#     printed (rooted by --add-root), nor any .drv its closure needs, once it has returned;
#  3. kill -9 of nix-instantiate at random moments never leaves a valid path with bad contents,
#     and the next instantiation completes the store (reusing or replacing what was left);
#  4. a damaged leftover at a .drv's name (an in-place writer's crash) is replaced, never registered.
set -euo pipefail
: "${NIXPP_BIN:?NIXPP_BIN must point to the build directory}"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  { wait; } 2>/dev/null || true
  chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT
haveNix=0
if command -v nix-instantiate >/dev/null && [[ $(command -v nix-instantiate) != "$NIXPP_BIN"/* ]]; then haveNix=1; fi
nixBin=$(dirname "$(command -v nix-instantiate 2>/dev/null || echo /usr/bin/x)")
export NIX_CONF_DIR=$tmp/etc NIX_STORE_DIR=$tmp/store NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR" "$tmp/w" "$tmp/state/gcroots"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
ni() { "$NIXPP_BIN/nix-instantiate" "$@"; }
ns() { "$NIXPP_BIN/nix-store" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
w=$tmp/w

# A layered graph: `depth` layers of `width` derivations, each depending on 3 of the layer below;
# the bottom layers are shared by every `tag`, the top `own` layers are the tag's own.
cat > "$w/graph.nix" <<'NIX'
{ depth ? 12, width ? 20, own ? 2, tag ? "a", salt ? "" }:
let
  mk = l: i: deps: derivation {
    name = "n-${toString l}-${toString i}${if l >= depth - own then "-" + tag else ""}";
    system = "x86_64-linux"; builder = "/bin/sh"; inherit deps salt;
    args = [ "-c" "echo ${toString l} ${toString i} > $out" ];
    file = if i == 0 then builtins.toFile "note-${toString l}" "layer ${toString l} ${salt}" else null;
  };
  layer = prev: l: builtins.genList (i: mk l i (if prev == [] then [] else [
    (builtins.elemAt prev i) (builtins.elemAt prev (if i + 1 < width then i + 1 else 0))
    (builtins.elemAt prev (if i + 7 < width then i + 7 else i + 7 - width)) ])) width;
  layers = builtins.foldl' (acc: l: acc ++ [ (layer (if acc == [] then [] else builtins.elemAt acc (l - 1)) l) ])
    [] (builtins.genList (l: l) depth);
in builtins.elemAt layers (depth - 1)
NIX

# The expected output of an instantiation, from a scratch store with the same store dir.
expect() { ni --store "local?root=$tmp/scratch" "$w/graph.nix" "$@" 2>/dev/null; }
# Every valid path's contents match the database, for nixpp (and Nix 2.8).
verifyAll() {
  ns --verify --check-contents 2>"$tmp/verify.err" || { cat "$tmp/verify.err" >&2; fail "$1: nixpp finds the store damaged"; }
  if [ "$haveNix" = 1 ]; then
    "$nixBin/nix-store" --verify --check-contents 2>"$tmp/verify.err" ||
      { cat "$tmp/verify.err" >&2; fail "$1: Nix 2.8 finds the store damaged"; }
  fi
  ! grep -q "was modified\|disappeared" "$tmp/verify.err" || { cat "$tmp/verify.err" >&2; fail "$1: damage reported"; }
}

# --- 1. concurrent writers --------------------------------------------------------------------
for t in a b c; do expect --argstr tag "$t" > "$w/want-$t"; done
for round in 1 2 3; do
  pids=()
  for k in 1 2 3 4 5 6; do
    t=$(printf 'a\nb\nc\n' | sed -n "$(( (k + round) % 3 + 1 ))p")
    ni "$w/graph.nix" --argstr tag "$t" > "$w/got-$round-$k-$t" 2>"$w/err-$round-$k" & pids+=($!)
  done
  if [ "$haveNix" = 1 ]; then  # Nix 2.8 writes the same files in place, under its lock files
    "$nixBin/nix-instantiate" "$w/graph.nix" --argstr tag a > "$w/got-$round-nix-a" 2>"$w/err-$round-nix" & pids+=($!)
  fi
  for p in "${pids[@]}"; do wait "$p" || fail "round $round: an instantiation failed: $(cat "$w"/err-$round-* | grep error | head -3)"; done
  pids=()
  for f in "$w"/got-$round-*; do
    t=${f##*-}
    cmp -s "$f" "$w/want-$t" || fail "round $round: $(basename "$f") printed other paths than the reference run"
  done
  verifyAll "round $round"
  # Between rounds: all of it garbage (nothing is rooted), so the next round writes it again.
  [ "$round" = 3 ] || ns --gc >/dev/null 2>&1
done
drvs=$(cat "$w"/want-* | sort -u)
closure=$(ns -q --requisites $drvs)
n=$(echo "$closure" | wc -l)
# 10 shared layers of 20, 2 layers of 20 per tag, and a toFile per layer (the same for all tags).
[ "$n" -eq $((10 * 20 + 3 * 2 * 20 + 12)) ] || fail "closure of the results: $n paths, expected 332"
for p in $closure; do
  [ "$(stat -c '%a %Y %h' "$p")" = "444 1 1" ] || fail "$p: metadata $(stat -c '%a %Y %h' "$p")"
done
if [ "$haveNix" = 1 ]; then
  # Nix 2.8 reads the database nixpp wrote: same references, same hashes, same derivers' outputs.
  for p in $(echo "$closure" | sed -n '1~17p'); do
    [ "$(ns -q --references "$p" | sort)" = "$("$nixBin/nix-store" -q --references "$p" | sort)" ] ||
      fail "references of $p differ between nixpp and Nix 2.8"
    [ "$(ns -q --hash "$p")" = "$("$nixBin/nix-store" -q --hash "$p")" ] || fail "hash of $p differs"
    case $p in *.drv) [ "$(ns -q --outputs "$p")" = "$("$nixBin/nix-store" -q --outputs "$p")" ] ||
      fail "outputs of $p differ";; esac
  done
fi
# No lock file nor temporary left in the store.
left=$(ls -A "$tmp/store" | grep -v '^\.links$' | grep '\.lock$\|^\.tmp' || true)
[ -z "$left" ] || fail "left in the store: $left"
echo "1: concurrent instantiations agree ($n paths)"

# --- 2. a collector beside instantiations -----------------------------------------------------
: > "$tmp/failures"
bad() { echo "$*" >> "$tmp/failures"; }
collector() {
  local i=0
  while [ ! -e "$tmp/stop" ]; do
    i=$((i + 1))
    ns --gc >/dev/null 2>>"$tmp/gc.err" || bad "collection $i failed: $(tail -1 "$tmp/gc.err")"
  done
  echo "$i" > "$tmp/gcs"
}
instantiator() {
  local k=$1 i out paths closure
  for ((i = 1; i <= 8; i++)); do
    out=$(ni --add-root "$w/root-$k-$i" "$w/graph.nix" --argstr tag "g$k-$((i % 3))" --argstr salt "$((i % 2))" \
      --arg depth 6 2>>"$tmp/inst-$k.err") || { bad "instantiation $k/$i failed: $(tail -1 "$tmp/inst-$k.err")"; continue; }
    # After it returned: its results (roots) and their closure are valid and intact.
    paths=$(for r in $out; do readlink "$r" || echo "$r"; done)
    closure=$(ns -q --requisites $paths 2>>"$tmp/inst-$k.err") || { bad "$k/$i: results invalid: $(tail -1 "$tmp/inst-$k.err")"; continue; }
    ns --verify-path $closure 2>/dev/null || bad "$k/$i: the closure of its results is invalid or damaged"
  done
}
rm -f "$tmp/stop"
pids=()
collector & gcPid=$!
for k in 1 2 3; do instantiator "$k" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
touch "$tmp/stop"; wait "$gcPid"; pids=()
if [ -s "$tmp/failures" ]; then head -20 "$tmp/failures" >&2; cat "$tmp"/inst-*.err | grep -v "warning" | head -20 >&2; fail "$(wc -l < "$tmp/failures") failures"; fi
[ "$(cat "$tmp/gcs")" -gt 2 ] || fail "too few collections ran beside the instantiations"
for r in "$w"/root-*; do ns --verify-path $(ns -q --requisites "$(readlink "$r")") 2>/dev/null || fail "root $r lost its closure"; done
verifyAll "collector"
echo "2: $(cat "$tmp/gcs") collections beside 24 instantiations"

# --- 3. kill -9 at random moments -------------------------------------------------------------
ns --gc >/dev/null 2>&1
expect --argstr tag k --arg depth 30 > "$w/want-k"
for i in $(seq 1 12); do
  ni "$w/graph.nix" --argstr tag k --arg depth 30 >/dev/null 2>&1 & p=$!
  sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  verifyAll "kill $i"
  # What is left invalid is garbage, never a path other processes see as valid.
  [ $((i % 4)) != 0 ] || ns --gc >/dev/null 2>&1
done
ni "$w/graph.nix" --argstr tag k --arg depth 30 > "$w/got-k" 2>/dev/null || fail "instantiation after the kills failed"
cmp -s "$w/got-k" "$w/want-k" || fail "instantiation after the kills printed other paths"
ns --verify-path $(ns -q --requisites $(cat "$w/got-k")) 2>/dev/null || fail "the closure after the kills is incomplete"
verifyAll "after the kills"
echo "3: 12 killed instantiations, then a complete one"

# --- 4. a damaged leftover at a .drv's name ---------------------------------------------------
ns --gc >/dev/null 2>&1
expect --argstr tag d --arg depth 2 > "$w/want-d"
d=$(head -1 "$w/want-d")
[ ! -e "$d" ] || fail "$d survived the collection"
head -c 20 "$tmp/scratch$d" > "$d"  # the start of it: what an in-place writer leaves when killed
chmod 444 "$d"; touch -d @1 "$d"
ni "$w/graph.nix" --argstr tag d --arg depth 2 > "$w/got-d" 2>/dev/null || fail "instantiation over a leftover failed"
cmp -s "$w/got-d" "$w/want-d" || fail "instantiation over a leftover printed other paths"
cmp -s "$d" "$tmp/scratch$d" || fail "the leftover at $d was kept"
verifyAll "leftover"
echo "4: a damaged leftover replaced"
