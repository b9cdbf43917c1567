#!/usr/bin/env bash
# bench/store_add.sh: `nix-store --add` of a ~200 MiB tree (bench/make-tree.py: ~30 % in small
# files, ~70 % in three big files), nixpp against Nix 2.8, each into a fresh throwaway chroot
# store (--store local?root=...) every run; the page cache is warmed first. Both must print the
# same store path, with the same NAR hash registered.
# Env: as bench/store_lib.bash; BENCH_MIB (200), BENCH_RUNS (3).
runs=3
source "$(dirname "$0")/store_lib.bash"
mib=${BENCH_MIB:-200}

echo "building a ${mib} MiB tree in $tmp ..."
python3 "$here/make-tree.py" "$tmp/tree" "$mib"
cat $(find "$tmp/tree" -type f) > /dev/null  # warm the page cache

prepNixpp() { freshDir "$tmp/root-nixpp"; }
prepNix28() { freshDir "$tmp/root-nix"; }
measure "nixpp add" prepNixpp "$nixpp/nix-store" --store "local?root=$tmp/root-nixpp" --add "$tmp/tree"
measure "Nix 2.8 add" prepNix28 "$nix28/nix-store" --store "local?root=$tmp/root-nix" --add "$tmp/tree"
p=$(cat "$tmp/out/nixpp add.0")
[ "$p" = "$(cat "$tmp/out/Nix 2.8 add.0")" ] || fail "the two store paths differ"
h1=$("$nix28/nix-store" --store "local?root=$tmp/root-nixpp" -q --hash "$p")
h2=$("$nix28/nix-store" --store "local?root=$tmp/root-nix" -q --hash "$p")
[ "$h1" = "$h2" ] || fail "NAR hashes differ: $h1 / $h2"
"$nix28/nix-store" --store "local?root=$tmp/root-nixpp" --verify-path "$p" || fail "Nix 2.8 rejects nixpp's path"

report add
