#!/usr/bin/env bash
# The garbage collector against Nix 2.8 on one shared throwaway store (a plain store in a temp
# dir: NIX_STORE_DIR/NIX_STATE_DIR): the roots each finds (gcroots direct and indirect links,
# profile generations), the live and dead sets with keep-derivations / keep-outputs, refusal to
# --delete a live path (Nix's message), -q --roots, --max-freed, nix-collect-garbage, nix store
# gc, --optimise (the same .links as Nix), and each one's store checked by the other afterwards.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STORE_DIR=$tmp/store NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR" "$tmp/w"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
command -v nix-store >/dev/null || { echo "FAIL: needs Nix 2.8 (nix-bin)" >&2; exit 1; }
ns() { "$NIXPP_BIN/nix-store" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); }
# Paths only: what both print for --print-live / --print-dead.
sorted() { LC_ALL=C sort; }
# Roots without the runtime and temporary ones (those depend on the processes of the moment).
fileRoots() { grep -v -e '^/proc/' -e '^{' | LC_ALL=C sort; }

w=$tmp/w
salt=$RANDOM$RANDOM
add() { echo "$1 $salt" > "$w/$1"; ns --add "$w/$1"; }
l1=$(add leaf1); l2=$(add leaf2); l3=$(add leaf3); l4=$(add leaf4); g1=$(add garbage1)
# Text paths with references, written by Nix 2.8's evaluator.
tofile() { nix-instantiate --read-write-mode --eval -E "builtins.toFile \"$1\" \"$2\"" | tr -d '"'; }
t1=$(tofile t1 "\${builtins.storePath \"$l1\"}")
t2=$(tofile t2 "\${builtins.storePath \"$t1\"} \${builtins.storePath \"$g1\"}")
# A derivation built by Nix 2.8 (its output has the .drv as deriver), and a second one unbuilt.
cat > "$w/d.nix" <<EOF
{ n }: derivation { name = "d\${n}"; system = "x86_64-linux"; builder = "/bin/sh";
  args = [ "-c" "echo \${n} $salt \${builtins.storePath "$l4"} > \$out" ]; }
EOF
drv1=$(nix-instantiate "$w/d.nix" --argstr n 1 2>/dev/null)
drv2=$(nix-instantiate "$w/d.nix" --argstr n 2 2>/dev/null)
out1=$(nix-store -r "$drv1" 2>/dev/null)
[ -n "$out1" ] || fail "Nix 2.8 did not build the test derivation"

gcroots=$NIX_STATE_DIR/gcroots
mkdir -p "$gcroots/auto" "$NIX_STATE_DIR/profiles"
ln -s "$t1" "$gcroots/direct"                       # direct root
ln -s "$l2" "$w/result"; ln -s "$w/result" "$gcroots/auto/abc"   # indirect root
ln -s "$w/gone" "$gcroots/auto/stale"                # dangling indirect root
ln -s "$l3" "$NIX_STATE_DIR/profiles/p-1-link"; ln -s p-1-link "$NIX_STATE_DIR/profiles/p"
ln -s "$out1" "$gcroots/out1"

# 1. The roots, as both print them.
ns --gc --print-roots 2>/dev/null | fileRoots > "$tmp/roots.ours"
nix-store --gc --print-roots 2>/dev/null | fileRoots > "$tmp/roots.nix"
diff "$tmp/roots.nix" "$tmp/roots.ours" || fail "--print-roots differs from Nix 2.8"
grep -qx "$w/result -> $l2" "$tmp/roots.ours" || fail "indirect root not found"
grep -qx "$NIX_STATE_DIR/profiles/p-1-link -> $l3" "$tmp/roots.ours" || fail "profile generation not a root"
[ ! -L "$gcroots/auto/stale" ] || fail "stale indirect root link not removed"
ok

# 2. Live and dead sets, with the default keep-derivations = true, keep-outputs = false, and with
#    each flipped.
for opts in "" "--option keep-derivations false" "--option keep-outputs true"; do
  for what in live dead; do
    ns --gc --print-$what $opts 2>/dev/null | sorted > "$tmp/$what.ours"
    nix-store --gc --print-$what $opts 2>/dev/null | sorted > "$tmp/$what.nix"
    diff "$tmp/$what.nix" "$tmp/$what.ours" || fail "--print-$what $opts differs from Nix 2.8"
  done
  case "$opts" in
    "") grep -qx "$drv1" "$tmp/live.ours" || fail "keep-derivations: the deriver of a live output is dead"
        grep -qx "$l1" "$tmp/live.ours" || fail "a reference of a live path is dead"
        grep -qx "$g1" "$tmp/dead.ours" || fail "a reference of a dead path only is live"
        grep -qx "$drv2" "$tmp/dead.ours" || fail "an unrooted .drv is live" ;;
    *derivations*) grep -qx "$drv1" "$tmp/dead.ours" || fail "keep-derivations false: deriver kept" ;;
  esac
done
ok

# 3. --delete refuses a live path, in Nix's words, deleting nothing; -q --roots says why.
if ns --delete "$l1" > "$tmp/out" 2> "$tmp/err"; then fail "--delete of a live path succeeded"; fi
grep -qx "error: Cannot delete path '$l1' since it is still alive. To find out why, use: nix-store --query --roots" "$tmp/err" ||
  { cat "$tmp/err"; fail "--delete message"; }
[ "$(cat "$tmp/out")" = "0 store paths deleted, 0.00 MiB freed" ] || fail "--delete summary: $(cat "$tmp/out")"
[ -e "$l1" ] && ns -q --hash "$l1" >/dev/null || fail "refused path was touched"
ns -q --roots "$l1" 2>/dev/null | fileRoots > "$tmp/qroots.ours"
nix-store -q --roots "$l1" 2>/dev/null | fileRoots > "$tmp/qroots.nix"
diff "$tmp/qroots.nix" "$tmp/qroots.ours" || fail "-q --roots differs from Nix 2.8"
grep -qx "$gcroots/direct -> $t1" "$tmp/qroots.ours" || fail "-q --roots misses the root"
# A path whose referrer is not deleted with it is alive too; deleting both works.
if ns --delete "$drv2" "$l4" >/dev/null 2>&1; then fail "--delete of a referenced path succeeded"; fi
ns --delete "$drv2" > "$tmp/out" 2>/dev/null || fail "--delete of a dead path failed"
[ "$(cat "$tmp/out")" = "1 store paths deleted, 0.00 MiB freed" ] || fail "--delete summary: $(cat "$tmp/out")"
[ ! -e "$drv2" ] || fail "deleted path still on disk"
ok

# 4. --max-freed stops after the first path past the limit.
big=$w/big; head -c 2000000 /dev/urandom > "$big"; pbig=$(ns --add "$big")
ns --gc --max-freed 1 > "$tmp/out" 2> "$tmp/err" || fail "--max-freed"
grep -q "deleted more than 1 bytes; stopping" "$tmp/err" || fail "no --max-freed message"
grep -qx "1 store paths deleted, .* MiB freed" "$tmp/out" || fail "--max-freed summary: $(cat "$tmp/out")"
ok

# 5. A full collection deletes exactly what Nix 2.8 calls dead; Nix 2.8 finds the store intact
#    and nothing more to collect.
#    Dead trees (read-only directories, 1.5 MiB of files) are deleted whole and counted; what an
#    earlier nixpp left in .gc-trash, and an invalid half-deleted tree, are deleted too.
echo "dead $salt" > "$w/dead"; pdead=$(ns --add "$w/dead")
mkdir -p "$w/tree/sub/subsub"; echo "$salt" > "$w/tree/a"; ln -s a "$w/tree/l"
head -c 1048576 /dev/zero > "$w/tree/sub/big"; head -c 524288 /dev/zero > "$w/tree/sub/subsub/half"
ptree=$(ns --add "$w/tree")
nix-store --gc --print-dead 2>/dev/null | sorted > "$tmp/dead.nix"
grep -qx "$ptree" "$tmp/dead.nix" || fail "test setup: the tree is not dead"
mkdir -p "$NIX_STORE_DIR/.gc-trash/x-old/d" "$NIX_STORE_DIR/00000000000000000000000000000000-half/d"
touch "$NIX_STORE_DIR/.gc-trash/x-old/d/f" "$NIX_STORE_DIR/00000000000000000000000000000000-half/d/f"
chmod -R a-w "$NIX_STORE_DIR/.gc-trash/x-old" "$NIX_STORE_DIR/00000000000000000000000000000000-half"
ns --gc > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "--gc"; }
[ ! -e "$ptree" ] || fail "dead tree still on disk"
[ ! -e "$NIX_STORE_DIR/.gc-trash" ] || fail "old trash left behind"
[ ! -e "$NIX_STORE_DIR/00000000000000000000000000000000-half" ] || fail "invalid leftover left behind"
grep -q "store paths deleted, 1\.5[0-9] MiB freed$" "$tmp/out" || fail "bytes freed: $(cat "$tmp/out")"
grep "^deleting '" "$tmp/err" | grep -v -e "-half'$" | sed "s/^deleting '\(.*\)'$/\1/" | sorted > "$tmp/deleted"
diff "$tmp/dead.nix" "$tmp/deleted" || fail "deleted set differs from Nix 2.8's dead set"
grep -qx "$(($(wc -l < "$tmp/deleted") + 1)) store paths deleted, .* MiB freed" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
grep -q "^note: currently hard linking saves" "$tmp/err" || fail "no hard-linking note"
[ ! -e "$pdead" ] && [ -e "$l1" ] && [ -e "$out1" ] || fail "wrong paths deleted"
[ -z "$(nix-store --gc --print-dead 2>/dev/null)" ] || fail "Nix 2.8 still finds garbage"
nix-store --verify --check-contents 2>/dev/null || fail "Nix 2.8 finds the store damaged"
ns --verify --check-contents 2>/dev/null || fail "nixpp finds the store damaged"
ok

# 6. The other way round: Nix 2.8 collects, nixpp agrees there is nothing left and all is intact.
echo "dead2 $salt" > "$w/dead2"; pdead2=$(ns --add "$w/dead2")
[ "$(ns --gc --print-dead 2>/dev/null)" = "$pdead2" ] || fail "nixpp's dead set"
nix-store --gc >/dev/null 2>&1
[ -z "$(ns --gc --print-dead 2>/dev/null)" ] || fail "garbage left after Nix 2.8's collection"
ns --verify --check-contents 2>/dev/null || fail "store damaged after Nix 2.8's collection"
ok

# 7. nix-collect-garbage (--dry-run deletes nothing), nix store gc, and -d deleting old
#    generations first.
echo "dead3 $salt" > "$w/dead3"; pdead3=$(ns --add "$w/dead3")
[ -z "$("$NIXPP_BIN/nix-collect-garbage" --dry-run 2>/dev/null)" ] && [ -e "$pdead3" ] || fail "--dry-run collected"
"$NIXPP_BIN/nix-collect-garbage" > "$tmp/out" 2>/dev/null
[ "$(cat "$tmp/out")" = "1 store paths deleted, 0.00 MiB freed" ] && [ ! -e "$pdead3" ] || fail "nix-collect-garbage: $(cat "$tmp/out")"
pdead4=$(add dead4)
"$NIXPP_BIN/nix" store gc > "$tmp/out" 2>/dev/null
[ "$(cat "$tmp/out")" = "1 store paths deleted, 0.00 MiB freed" ] && [ ! -e "$pdead4" ] || fail "nix store gc: $(cat "$tmp/out")"
ln -s "$l4" "$NIX_STATE_DIR/profiles/p-2-link"; ln -sfn p-2-link "$NIX_STATE_DIR/profiles/p"
"$NIXPP_BIN/nix-collect-garbage" -d > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "nix-collect-garbage -d"; }
[ ! -L "$NIX_STATE_DIR/profiles/p-1-link" ] && [ -L "$NIX_STATE_DIR/profiles/p-2-link" ] || fail "-d: generations"
grep -q "removing old generations of profile $NIX_STATE_DIR/profiles/p" "$tmp/err" || fail "-d: message"
[ ! -e "$l3" ] || fail "-d: the old generation's path survived"
grep -qx "1 store paths deleted, 0.00 MiB freed" "$tmp/out" || fail "-d summary: $(cat "$tmp/out")"
ok

# 8. --optimise: identical files become one inode, linked from the same .links entry Nix 2.8
#    uses (so Nix 2.8 finds nothing more to link afterwards); the store stays valid.
mkdir -p "$w/o1" "$w/o2"
head -c 300000 /dev/urandom > "$w/o1/f"; cp "$w/o1/f" "$w/o2/f"; cp "$w/o1/f" "$w/o2/g"
o1=$(ns --add "$w/o1"); o2=$(ns --add "$w/o2")
ln -s "$o1" "$gcroots/o1"; ln -s "$o2" "$gcroots/o2"
ns --optimise 2> "$tmp/err" || fail "--optimise"
grep -qx "0.57 MiB freed by hard-linking 2 files" "$tmp/err" || fail "--optimise summary: $(cat "$tmp/err")"
[ "$(stat -c %i "$o1/f")" = "$(stat -c %i "$o2/f")" ] && [ "$(stat -c %i "$o1/f")" = "$(stat -c %i "$o2/g")" ] ||
  fail "files not hard-linked"
nix-store --optimise 2> "$tmp/err"
grep -q "^0.00 MiB freed by hard-linking 0 files" "$tmp/err" || fail "Nix 2.8 relinked: $(cat "$tmp/err")"
nix-store --verify --check-contents 2>/dev/null || fail "store damaged by --optimise"
# auto-optimise-store: a new path's files are linked as they are added.
mkdir -p "$w/o3"; cp "$w/o1/f" "$w/o3/h"
o3=$(ns --option auto-optimise-store true --add "$w/o3")
[ "$(stat -c %i "$o3/h")" = "$(stat -c %i "$o1/f")" ] || fail "auto-optimise-store did not link"
nix-store --verify-path "$o3" 2>/dev/null || fail "auto-optimised path damaged"
rm "$gcroots/o2"
ns --gc > "$tmp/out" 2> "$tmp/err"
[ -e "$o1/f" ] && [ "$(stat -c %h "$o1/f")" = 2 ] || fail "link count after collecting a sharer"
grep -q "^note: currently hard linking saves -0.00 MiB" "$tmp/err" || fail "hard-linking note: $(grep note "$tmp/err")"
ok

# 9. Bad input: clear errors, non-zero exits.
if ns --gc --print-foo >/dev/null 2> "$tmp/err"; then fail "bad --gc flag accepted"; fi
grep -q "bad sub-operation '--print-foo' in GC" "$tmp/err" || fail "bad flag message: $(cat "$tmp/err")"
if ns --gc --max-freed lots >/dev/null 2>&1; then fail "bad --max-freed accepted"; fi
if ns --delete /etc/passwd >/dev/null 2>&1; then fail "--delete outside the store accepted"; fi
if "$NIXPP_BIN/nix-collect-garbage" --delete-older-than x >/dev/null 2>&1; then fail "bad period accepted"; fi
ok

echo "gc: $pass groups passed"
