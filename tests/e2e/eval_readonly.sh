#!/usr/bin/env bash
# nix-instantiate --eval is read-only, as in Nix: derivation, source and toFile paths are computed,
# equal to the ones a writing evaluation gets, and nothing is added to the store.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir src && echo hello > src/f
cat > e.nix <<'NIX'
let
  a = derivation { name = "a"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo ${./src} > $out" ]; };
  b = derivation { name = "b"; system = "x86_64-linux"; builder = "/bin/sh"; inherit a;
                   t = builtins.toFile "t" "x${./src/f}"; outputs = [ "out" "dev" ]; };
in { paths = [ a.drvPath b.drvPath b.dev.outPath "${./src/f}" ]; inherit b; }
NIX
inst="$NIXPP_BIN/nix-instantiate"
"$inst" --store "local?root=$tmp/ro" --eval --strict -A paths e.nix > ro.out
[ ! -e "$tmp/ro/nix/store" ] || { echo "FAIL: --eval wrote to the store: $(ls "$tmp/ro/nix/store")"; exit 1; }
"$inst" --store "local?root=$tmp/rw" --eval --strict --read-write-mode -A paths e.nix > rw.out
cmp ro.out rw.out || { echo "FAIL: read-only paths differ from written ones"; diff ro.out rw.out; exit 1; }
[ "$(ls "$tmp/rw/nix/store" | grep -c '\.drv$')" = 2 ] || { echo "FAIL: --read-write-mode did not write both .drv files"; exit 1; }
# Instantiation writes the .drv whose path --eval computed.
drv=$("$inst" --store "local?root=$tmp/inst" -A b e.nix)
grep -qF "\"$drv\"" ro.out || { echo "FAIL: instantiated $drv, not in $(cat ro.out)"; exit 1; }
[ -f "$tmp/inst$drv" ] || { echo "FAIL: $drv not written"; exit 1; }
# --readonly-mode makes instantiation read-only too (paths printed, nothing written).
drv2=$("$inst" --store "local?root=$tmp/ro2" --readonly-mode -A b e.nix 2>/dev/null)
[ "$drv2" = "$drv" ] && [ ! -e "$tmp/ro2/nix/store" ] || { echo "FAIL: --readonly-mode instantiation"; exit 1; }
echo "eval read-only: 5 passed, 0 failed"
