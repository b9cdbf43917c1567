#!/usr/bin/env bash
# bench/query.sh: store queries over a closure of a few thousand paths, nixpp against Nix 2.8.
# Nix 2.8 writes BENCH_PATHS (5000) text files with references (builtins.toFile, file i referring
# to files i-1, i/2 and 7i/11) into a throwaway store and exports their closure once; then:
#   import  `nix-store --import` of that export into a fresh chroot store every run;
#   qR      `nix-store -qR` of the last file (the whole closure), on the imported store;
# Both must print the same closure.
# Env: as bench/store_lib.bash; BENCH_PATHS (5000), BENCH_RUNS (5).
runs=5
source "$(dirname "$0")/store_lib.bash"
n=${BENCH_PATHS:-5000}

echo "writing a closure of $n paths with Nix 2.8 ..."
S0="local?root=$tmp/root-gen"
top=$("$nix28/nix-instantiate" --store "$S0" --read-write-mode --eval -E "
  let files = builtins.genList mk $n;
      at = builtins.elemAt files;
      mk = i: builtins.toFile \"q\${toString i}\"
        (if i == 0 then \"root\" else \"\${at (i - 1)} \${at (i / 2)} \${at (i * 7 / 11)}\");
  in at ($n - 1)" | tr -d '"')
"$nix28/nix-store" --store "$S0" --export $("$nix28/nix-store" --store "$S0" -qR "$top") > "$tmp/closure.export"
[ "$("$nix28/nix-store" --store "$S0" -qR "$top" | wc -l)" -eq "$n" ] || fail "the closure is not $n paths"

prepNixpp() { freshDir "$tmp/root-nixpp"; }
prepNix28() { freshDir "$tmp/root-nix"; }
Sa="local?root=$tmp/root-nixpp" Sb="local?root=$tmp/root-nix"
measure "nixpp import" prepNixpp sh -c "exec '$nixpp/nix-store' --store '$Sa' --import < '$tmp/closure.export'"
measure "Nix 2.8 import" prepNix28 sh -c "exec '$nix28/nix-store' --store '$Sb' --import < '$tmp/closure.export'"
cmp -s "$tmp/out/nixpp import.0" "$tmp/out/Nix 2.8 import.0" || fail "the imports print different paths"
measure "nixpp qR" : "$nixpp/nix-store" --store "$Sa" -qR "$top"
measure "Nix 2.8 qR" : "$nix28/nix-store" --store "$Sb" -qR "$top"
[ "$(sort "$tmp/out/nixpp qR.0")" = "$(sort "$tmp/out/Nix 2.8 qR.0")" ] || fail "-qR: the closures differ"
[ "$(wc -l < "$tmp/out/nixpp qR.0")" -eq "$n" ] || fail "-qR: nixpp printed the wrong number of paths"
# Nix 2.8 reads nixpp's import.
[ "$("$nix28/nix-store" --store "$Sa" -qR "$top" | sort)" = "$(sort "$tmp/out/Nix 2.8 qR.0")" ] ||
  fail "Nix 2.8 sees a different closure in nixpp's store"

report import qR
