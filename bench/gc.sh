#!/usr/bin/env bash
# bench/gc.sh: the garbage collector, nixpp against Nix 2.8: `nix-store --gc` of a store holding
# BENCH_PATHS (3000) dead paths — a third text files in chains of references, a third small
# directory trees, a third single files — beside 200 live ones. One store is made once, then
# copied afresh before every run, so both collect the very same state; both must delete the same
# set of paths (compared) and leave a store the other finds intact. Best of BENCH_RUNS (3) wall
# times and CPU times (user + sys) with /usr/bin/time and the largest peak RSS; prints the ratios
# (Nix 2.8 / nixpp, target >= 2) and nixpp's peak RSS.
# Env: NIXPP_BIN (default ./build), NIX28_BIN (/usr/bin), BENCH_PATHS, BENCH_RUNS, BENCH_TMP.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
nixpp=$(cd "${NIXPP_BIN:-$here/../build}" && pwd)
nix28=${NIX28_BIN:-/usr/bin}
runs=${BENCH_RUNS:-3}
npaths=${BENCH_PATHS:-3000}
for b in "$nixpp/nix-store" "$nix28/nix-store" /usr/bin/time; do
  [ -x "$b" ] || { echo "gc.sh: missing $b" >&2; exit 1; }
done
tmp=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/nixpp-bench-gc.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "gc.sh: $*" >&2; exit 1; }
# Both use the same logical store dir (so the paths are the same) in a chroot store under $tmp.
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR" "$tmp/w"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
salt=$RANDOM$RANDOM
S() { echo "local?root=$tmp/$1"; }

# The template store.
third=$(((npaths + 200) / 3))
"$nixpp/nix-instantiate" --store "$(S template)" --read-write-mode --eval --strict -E "
  let chain = c: n: if n == 0 then builtins.toFile \"c\${toString c}-0\" \"$salt \${toString c}\"
                    else builtins.toFile \"c\${toString c}-\${toString n}\" \"\${chain c (n - 1)}\";
  in map (c: chain c 29) (builtins.genList (x: x) ($third / 30))" > /dev/null
for ((i = 0; i < third; i++)); do
  mkdir -p "$tmp/w/d$i/s"; echo "$salt d $i" > "$tmp/w/d$i/a"; echo "$i" > "$tmp/w/d$i/s/b"
  head -c 3000 /dev/urandom > "$tmp/w/d$i/s/c"; ln -s a "$tmp/w/d$i/l"
  echo "$salt f $i" > "$tmp/w/f$i"; head -c $((RANDOM % 8000)) /dev/urandom >> "$tmp/w/f$i"
done
(cd "$tmp/w" && "$nixpp/nix-store" --store "$(S template)" --add d* f* > "$tmp/added")
live=$(head -200 "$tmp/added")
mkdir -p "$tmp/template/nix/var/nix/gcroots"
n=0; for p in $live; do ln -s "$p" "$tmp/template/nix/var/nix/gcroots/r$((n++))"; done
rm -rf "$tmp/w"
total=$("$nixpp/nix-store" --store "$(S template)" --gc --print-dead 2>/dev/null | wc -l)
[ "$total" -ge $((npaths * 9 / 10)) ] || fail "only $total dead paths in the template"

fresh() { chmod -R u+w "$tmp/run" 2>/dev/null || true; rm -rf "$tmp/run"; cp -a "$tmp/template" "$tmp/run"; }
declare -A secs cpu rss
measure() {
  local name=$1 bin=$2 best= bestCpu= peak=0 i t m u s c
  for ((i = 0; i < runs; i++)); do
    fresh
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$bin/nix-store" --store "$(S run)" --gc > "$tmp/$name.out" 2> "$tmp/$name.err" ||
      { cat "$tmp/$name.err" >&2; fail "$name failed"; }
    read -r t m u s < "$tmp/time"
    c=$(awk "BEGIN{printf \"%.2f\", $u + $s}")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    if [ -z "$bestCpu" ] || awk "BEGIN{exit !($c < $bestCpu)}"; then bestCpu=$c; fi
    [ "$m" -gt "$peak" ] && peak=$m
  done
  secs[$name]=$best; cpu[$name]=$bestCpu; rss[$name]=$peak
  grep "^deleting '" "$tmp/$name.err" | sort > "$tmp/$name.deleted"
}
measure nix28 "$nix28"
"$nixpp/nix-store" --store "$(S run)" --verify --check-contents 2>/dev/null || fail "nixpp finds Nix 2.8's result damaged"
measure nixpp "$nixpp"
"$nix28/nix-store" --store "$(S run)" --verify --check-contents 2>/dev/null || fail "Nix 2.8 finds nixpp's result damaged"
cmp -s "$tmp/nix28.deleted" "$tmp/nixpp.deleted" || fail "the deleted sets differ"
[ "$(wc -l < "$tmp/nixpp.deleted")" = "$total" ] || fail "deleted $(wc -l < "$tmp/nixpp.deleted") of $total"

printf 'best of %s runs; %s cores, load %s\n' "$runs" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %8s %8s %10s\n' "nix-store --gc ($total dead)" seconds "cpu s" "peak RSS"
for n in nix28 nixpp; do printf '%-28s %8s %8s %7d MiB\n' "$n" "${secs[$n]}" "${cpu[$n]}" $((rss[$n] / 1024)); done
awk -v a="${secs[nix28]}" -v b="${secs[nixpp]}" -v ca="${cpu[nix28]}" -v cb="${cpu[nixpp]}" \
  -v ma="${rss[nix28]}" -v mb="${rss[nixpp]}" \
  'BEGIN { printf "ratio Nix 2.8 / nixpp: wall %.2fx, cpu %.2fx (target >= 2); memory nixpp / Nix 2.8: %.2f\n",
           a / (b > 0 ? b : 0.001), ca / (cb > 0 ? cb : 0.001), mb / ma }'
