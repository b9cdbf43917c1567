#!/usr/bin/env bash
# End-to-end test of `nix show-derivation` / `nix derivation show [--recursive]`: the JSON must
# equal what Nix 2.8 printed for every .drv vector in tests/data/drv (see generate.sh there), and
# malformed .drv files and bad arguments must fail with an error.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nix=$NIXPP_BIN/nix
data=$NIXPP_TEST_DATA/drv
fail() { echo "FAIL: $*" >&2; exit 1; }

n=0
for drv in "$data"/*.drv; do
  b=$(basename "$drv")
  "$nix" show-derivation "$drv" > "$tmp/got.json" || fail "show-derivation $b failed"
  cmp -s "$tmp/got.json" "$drv.json" || { diff "$drv.json" "$tmp/got.json" | head -20; fail "show-derivation $b"; }
  "$nix" derivation show "$drv" > "$tmp/got.json" || fail "derivation show $b failed"
  cmp -s "$tmp/got.json" "$drv.json" || fail "derivation show $b"
  n=$((n + 1))
done
[ "$n" -ge 26 ] || fail "only $n vectors"

# --recursive: input derivations are read from beside the one given.
for want in "$data"/*.drv.recursive.json; do
  drv=${want%.recursive.json}
  "$nix" show-derivation --recursive "$drv" > "$tmp/got.json" || fail "--recursive $(basename "$drv")"
  cmp -s "$tmp/got.json" "$want" || { diff "$want" "$tmp/got.json" | head -20; fail "--recursive $(basename "$drv")"; }
  "$nix" derivation show -r "$drv" > "$tmp/got.json"
  cmp -s "$tmp/got.json" "$want" || fail "derivation show -r $(basename "$drv")"
done

# Several derivations at once: one object, keyed and sorted by path.
a=$(ls "$data"/*-simple.drv) b=$(ls "$data"/*-multi.drv)
"$nix" show-derivation "$a" "$b" > "$tmp/two.json"
python3 - "$tmp/two.json" "$a.json" "$b.json" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
want = {**json.load(open(sys.argv[2])), **json.load(open(sys.argv[3]))}
assert got == want, "two derivations"
assert list(got) == sorted(got), "sorted keys"
PY

# Errors: a truncated .drv, a file that is not a .drv, no argument, an unknown flag.
bad=$tmp/ffdrlgaq9qwmhg92cqydynaq0vxmh52l-bad.drv
head -c 50 "$a" > "$bad"
if "$nix" show-derivation "$bad" > /dev/null 2> "$tmp/err"; then fail "accepted a truncated .drv"; fi
grep -q "^error: error parsing derivation '/nix/store/ffdrlgaq9qwmhg92cqydynaq0vxmh52l-bad.drv'" "$tmp/err" \
  || fail "message: $(cat "$tmp/err")"
if "$nix" show-derivation "$data/index.tsv" > /dev/null 2>&1; then fail "accepted a non-.drv file"; fi
if "$nix" show-derivation > /dev/null 2>&1; then fail "accepted no argument"; fi
if "$nix" derivation show --bogus "$a" > /dev/null 2> "$tmp/err"; then fail "accepted --bogus"; fi
grep -q "unrecognised flag '--bogus'" "$tmp/err" || fail "message: $(cat "$tmp/err")"
if "$nix" derivation frobnicate > /dev/null 2>&1; then fail "accepted 'derivation frobnicate'"; fi
# A store elsewhere (NIX_STORE_DIR): the paths in the .drv and in the JSON are under it.
mkdir -p "$tmp/etc" "$tmp/s"
printf 'substituters =\n' > "$tmp/etc/nix.conf"
d=$(NIX_CONF_DIR=$tmp/etc NIX_STORE_DIR=$tmp/s/store NIX_STATE_DIR=$tmp/s/var NIX_LOG_DIR=$tmp/s/log \
  "$NIXPP_BIN/nix-instantiate" -E 'derivation { name = "x"; system = "x86_64-linux"; builder = "/bin/sh"; }' 2>/dev/null)
NIX_CONF_DIR=$tmp/etc NIX_STORE_DIR=$tmp/s/store "$nix" show-derivation "$d" > "$tmp/s.json" ||
  fail "show-derivation with NIX_STORE_DIR"
grep -qF "\"$d\"" "$tmp/s.json" || fail "NIX_STORE_DIR not used: $(cat "$tmp/s.json")"
echo "ok: $n derivations"
