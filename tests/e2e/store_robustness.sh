#!/usr/bin/env bash
# The local store under stress: concurrent adds of one tree, tampering caught by --verify
# --check-contents, malformed --import leaving nothing valid, kill -9 during --add leaving no
# valid path with bad contents.
set -euo pipefail
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc; mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nexperimental-features = nix-command\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
ours="$NIXPP_BIN/nix-store"
S="local?root=$tmp/s"
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$tmp"

# A tree of a few hundred files.
mkdir tree
for i in $(seq 1 40); do mkdir tree/d$i; for j in $(seq 1 8); do echo "$i $j" > tree/d$i/f$j; done; done
head -c 3000000 /dev/urandom > tree/blob

# 0. Many processes opening one new store at once: all succeed (the first creates the database
# and switches it to WAL while the others wait; SQLite would answer some "database is locked").
echo small > small
for i in $(seq 1 10); do
  pids=()
  for k in 1 2 3 4 5 6; do $ours --store "local?root=$tmp/fresh$i" --add small > /dev/null & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || fail "concurrent open of a new store $i failed"; done
done
rm -rf "$tmp"/fresh*

# 1. Two concurrent adds of the same tree: both succeed, one valid path, same output.
$ours --store "$S" --add tree > out1 & p1=$!
$ours --store "$S" --add tree > out2 & p2=$!
wait $p1 || fail "first concurrent add failed"
wait $p2 || fail "second concurrent add failed"
cmp out1 out2 || fail "concurrent adds disagree"
P=$(cat out1)
[[ $($ours --store "$S" --dump-db | grep -c '^/nix/store/') == 1 ]] || fail "more than one valid path"
$ours --store "$S" --verify --check-contents 2>/dev/null || fail "store not clean after concurrent adds"
[[ $P == $(nix-store --store "local?root=$tmp/oracle" --add tree) ]] || fail "path differs from Nix 2.8's"
ls "$tmp/s/nix/store" | grep '\.lock$' >/dev/null && fail "lock files left behind"

# 2. Tampering is detected, by us and by --verify-path.
chmod u+w "$tmp/s$P/d1"; chmod u+w "$tmp/s$P/d1/f1"; echo tampered > "$tmp/s$P/d1/f1"
err=$($ours --store "$S" --verify --check-contents 2>&1) && fail "tampered file not detected"
[[ $err == *"path '$P' was modified! expected hash 'sha256:"* ]] || fail "verify message: $err"
[[ $err == *"warning: not all store errors were fixed"* ]] || fail "verify warning: $err"
$ours --store "$S" --verify-path "$P" 2>/dev/null && fail "--verify-path missed the tampering"
echo "1 1" > "$tmp/s$P/d1/f1"; chmod a-w "$tmp/s$P/d1/f1" "$tmp/s$P/d1"
$ours --store "$S" --verify --check-contents 2>/dev/null || fail "restored file still reported"

# 3. A disappeared path is removed from the database.
Q=$(echo gone > gone && $ours --store "$S" --add gone)
chmod u+w "$tmp/s/nix/store"; rm -f "$tmp/s$Q"
err=$($ours --store "$S" --verify 2>&1) || fail "--verify failed on a removable missing path"
[[ $err == *"path '$Q' disappeared, removing from database..."* ]] || fail "disappeared message: $err"
$ours --store "$S" -q --hash "$Q" 2>/dev/null && fail "disappeared path still valid"

# 4. Malformed --import input: a clear error, nothing new valid.
$ours --store "$S" --export "$P" > exp
E="local?root=$tmp/e"
for bad in "head -c 1000 exp" "head -c 8 /dev/zero | tr '\\0' '\\2'" "head -c 2000000 exp" \
           "cat exp | head -c -100"; do
  err=$(bash -c "$bad" | $ours --store "$E" --import 2>&1) && fail "malformed import accepted ($bad)"
  [[ $err == error:* ]] || fail "no clear error for $bad: $err"
  [[ -z $($ours --store "$E" --dump-db) ]] || fail "malformed import left a valid path ($bad)"
done
err=$(printf '\2\0\0\0\0\0\0\0' | $ours --store "$E" --import 2>&1) && fail "bad tag accepted"
[[ $err == "error: input doesn't look like something created by 'nix-store --export'" ]] || fail "tag message: $err"
[[ $($ours --store "$E" --import < exp) == "$P" ]] || fail "good import"
$ours --store "$E" --verify --check-contents 2>/dev/null || fail "store unclean after import"

# 5. kill -9 during --add at a few points: the store stays consistent and the add then works.
K="local?root=$tmp/k"
head -c 50000000 /dev/urandom > tree/big
for delay in 0.05 0.2 0.4 0.7; do
  $ours --store "$K" --add tree > /dev/null 2>&1 & pid=$!
  sleep $delay; kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  $ours --store "$K" --verify --check-contents 2>/dev/null || fail "store unclean after kill -9 at $delay"
  nix-store --store "$K" --verify --check-contents 2>/dev/null || fail "Nix 2.8 finds store unclean after kill at $delay"
done
R=$($ours --store "$K" --add tree)
$ours --store "$K" --verify --check-contents 2>/dev/null || fail "store unclean after re-add"
[[ $R == $(nix-store --store "local?root=$tmp/oracle" --add tree) ]] || fail "re-added path differs from Nix 2.8's"
echo OK
