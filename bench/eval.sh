#!/usr/bin/env bash
# bench/eval.sh: the Nix language evaluator, nixpp against Nix 2.8, on the programs in bench/eval/:
#   fib.nix    naive recursion (fib 30);
#   attrs.nix  listToAttrs of 100k entries, repeated `//`, lookups, intersectAttrs, removeAttrs;
#   lists.nix  sort of 100k ints, foldl', concatStringsSep, replaceStrings, match, split;
#   strings.nix  string processing alone: concatStringsSep, replaceStrings, match, split,
#              substring, interpolation, stringLength over 20k-50k strings;
#   drvs.nix   3000 interdependent derivations (60 layers of 50, each depending on 3 of the
#              layer below), instantiated with `nix-instantiate` into a fresh throwaway store
#              (--store local?root=...) for every run;
#   drvpaths.nix  `--eval --strict` of the 3000 drvPaths, twice: read-only, the default of both
#              (paths computed, nothing written: "drvpaths-ro"), and with --read-write-mode, where
#              both write the .drv files into a fresh throwaway store ("drvpaths-store").
# Every output (and every .drv file written) must be identical between nixpp and Nix 2.8, or the
# benchmark fails. Times each command best of 3 (BENCH_RUNS) with /usr/bin/time, keeping the
# largest peak RSS, and prints the time ratio (Nix 2.8 / nixpp; target >= 2) and the memory ratio
# (nixpp / Nix 2.8; target <= 0.5).
# Env: NIXPP_BIN (build dir with nix-instantiate; default ./build), NIX28_BIN (default /usr/bin),
# BENCH_RUNS (3), BENCH_TMP (parent of the temp dir, $TMPDIR), BENCH_FS (image: the stores on a
# fresh journaled ext4, see bench/image_fs.bash), BENCH_ONLY (a space-separated list
# of the benchmarks to run, e.g. "drvs drvpaths-store"; default all).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
nixpp=$(cd "${NIXPP_BIN:-$here/../build}" && pwd)
nix28=${NIX28_BIN:-/usr/bin}
runs=${BENCH_RUNS:-3}
for b in "$nixpp/nix-instantiate" "$nix28/nix-instantiate" /usr/bin/time; do
  [ -x "$b" ] || { echo "eval.sh: missing $b" >&2; exit 1; }
done

tmp=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/nixpp-bench.XXXXXX")
cleanup() { chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
# Nix 2.8 runs with a throwaway configuration and state; it never touches /nix or /etc/nix.
# Nothing here runs either implementation without an explicit --store under $tmp, except plain
# evaluations that cannot write (no derivations), and Nix 2.8 with --readonly-mode.
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
cp "$here"/eval/*.nix "$tmp/"

fail() { echo "eval.sh: $*" >&2; exit 1; }
# The stores go to $work: $tmp, or with BENCH_FS=image a fresh journaled ext4 (bench/image_fs.bash).
source "$here/image_fs.bash"
# want NAME: whether benchmark NAME is selected (BENCH_ONLY).
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
# freshRoot NAME: no store at $tmp/NAME. The old one is moved aside, not deleted: on a file system
# without a journal, ext4 steps over every recently deleted inode at each inode it creates, so
# deleting the last run's thousands of files would tax the next timed run (whichever
# implementation it is). The trash goes with $tmp at exit.
freshRoot() { [ ! -e "$work/$1" ] || mv "$work/$1" "$(mktemp -d "$work/trash.XXXXXX")/"; }

# measure NAME PREP CMD...: best wall time of $runs runs and the peak RSS in KiB. PREP (a function
# or `:`) runs before each run, untimed. The first run's stdout is kept in $tmp/out/NAME.
declare -A secs rss cpus
mkdir -p "$tmp/out"
measure() {
  local name=$1 prep=$2
  shift 2
  local best= bestCpu= peak=0 i t m u s c
  for ((i = 0; i < runs; i++)); do
    $prep
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$@" > "$tmp/out/$name.$i" 2> "$tmp/err" ||
      { cat "$tmp/err" >&2; fail "$name failed"; }
    read -r t m u s < "$tmp/time"
    c=$(awk "BEGIN{print $u + $s}")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    if [ -z "$bestCpu" ] || awk "BEGIN{exit !($c < $bestCpu)}"; then bestCpu=$c; fi
    [ "$m" -gt "$peak" ] && peak=$m
  done
  secs[$name]=$best
  cpus[$name]=$bestCpu
  rss[$name]=$peak
}
# same A B: the outputs of two measured commands must be identical.
same() {
  cmp -s "$tmp/out/$1.0" "$tmp/out/$2.0" ||
    { diff "$tmp/out/$1.0" "$tmp/out/$2.0" | head -5 >&2 || true; fail "outputs differ: $1 / $2"; }
}

cd "$tmp"
rows=()
for prog in fib attrs lists strings; do
  want "$prog" || continue
  "$nixpp/nix-instantiate" --eval --strict "$prog.nix" > /dev/null  # warm-up
  measure "nixpp $prog" : "$nixpp/nix-instantiate" --eval --strict "$prog.nix"
  measure "Nix 2.8 $prog" : "$nix28/nix-instantiate" --eval --strict "$prog.nix"
  same "nixpp $prog" "Nix 2.8 $prog"
  rows+=("$prog")
done

# drvs: a fresh store for every run, so that every run writes all 3000 .drv files.
prepNixpp() { freshRoot root-nixpp; }
prepNix28() { freshRoot root-nix; }
if want drvs; then
measure "nixpp drvs" prepNixpp "$nixpp/nix-instantiate" --store "local?root=$work/root-nixpp" drvs.nix
measure "Nix 2.8 drvs" prepNix28 "$nix28/nix-instantiate" --store "local?root=$work/root-nix" drvs.nix
same "nixpp drvs" "Nix 2.8 drvs"
[ "$(wc -l < "$tmp/out/nixpp drvs.0")" -eq 3000 ] || fail "drvs: expected 3000 .drv paths"
# The .drv files themselves, byte for byte.
while read -r p; do
  cmp -s "$work/root-nixpp$p" "$work/root-nix$p" || fail "drvs: $p differs between the two stores"
done < "$tmp/out/nixpp drvs.0"
rows+=(drvs)
fi

# drvpaths: read-only (the default of --eval; a throwaway --store all the same), then writing.
if want drvpaths-ro; then
measure "Nix 2.8 drvpaths-ro" : "$nix28/nix-instantiate" --readonly-mode --eval --strict drvpaths.nix
measure "nixpp drvpaths-ro" prepNixpp "$nixpp/nix-instantiate" --store "local?root=$work/root-nixpp" --eval --strict drvpaths.nix
same "nixpp drvpaths-ro" "Nix 2.8 drvpaths-ro"
[ ! -e "$work/root-nixpp/nix/store" ] || [ -z "$(ls "$work/root-nixpp/nix/store")" ] || fail "drvpaths-ro: nixpp wrote to the store"
rows+=(drvpaths-ro)
fi
if want drvpaths-store; then
# Its output is checked against Nix 2.8's read-only one: made here, untimed, if not measured above.
[ -e "$tmp/out/Nix 2.8 drvpaths-ro.0" ] ||
  "$nix28/nix-instantiate" --readonly-mode --eval --strict drvpaths.nix > "$tmp/out/Nix 2.8 drvpaths-ro.0"
measure "nixpp drvpaths-store" prepNixpp "$nixpp/nix-instantiate" --store "local?root=$work/root-nixpp" --read-write-mode --eval --strict drvpaths.nix
measure "Nix 2.8 drvpaths-store" prepNix28 "$nix28/nix-instantiate" --store "local?root=$work/root-nix" --read-write-mode --eval --strict drvpaths.nix
same "nixpp drvpaths-store" "Nix 2.8 drvpaths-store"
same "nixpp drvpaths-store" "Nix 2.8 drvpaths-ro"
n=$(find "$work/root-nix/nix/store" -maxdepth 1 -name "*.drv" | wc -l)
[ "$n" -eq 3000 ] || fail "drvpaths-store: Nix 2.8 wrote $n .drv files, not 3000"
rows+=(drvpaths-store)
fi
[ "${#rows[@]}" -gt 0 ] || fail "BENCH_ONLY='${BENCH_ONLY:-}' selects no benchmark"

echo
echo "stores on: $(findmnt -no SOURCE,FSTYPE -T "$work") ($( [ -n "$imageFs" ] && echo "a fresh image, BENCH_FS=image" || echo "the file system of $work"))"
printf 'best of %s runs; %s cores, load %s\n' "$runs" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %10s %10s %12s %12s %11s %11s %9s %9s %9s\n' benchmark "nixpp s" "Nix 2.8 s" "nixpp RSS" "Nix 2.8 RSS" "speed-up" "mem ratio" "nixpp cpu" "Nix cpu" "cpu up"
miss=0
for r in "${rows[@]}"; do
  a=${secs["nixpp $r"]} b=${secs["Nix 2.8 $r"]} ma=${rss["nixpp $r"]} mb=${rss["Nix 2.8 $r"]}
  up=$(awk "BEGIN{a=$a; if (a < 0.01) a = 0.01; printf \"%.2f\", $b / a}")
  mem=$(awk "BEGIN{printf \"%.2f\", $ma / $mb}")
  flag=
  awk "BEGIN{exit !($up >= 2 && $mem <= 0.5)}" || { flag=' (target missed)'; miss=1; }
  ca=${cpus["nixpp $r"]} cb=${cpus["Nix 2.8 $r"]}
  cup=$(awk "BEGIN{a=$ca; if (a < 0.01) a = 0.01; printf \"%.2f\", $cb / a}")
  printf '%-16s %10s %10s %8s MiB %8s MiB %10sx %11s %9s %9s %8sx%s\n' "$r" "$a" "$b" "$((ma / 1024))" "$((mb / 1024))" "$up" "$mem" "$ca" "$cb" "$cup" "$flag"
done
echo
echo "speed-up = Nix 2.8 time / nixpp time (target >= 2); mem ratio = nixpp peak RSS / Nix 2.8's (target <= 0.5)"
echo "cpu = best user+sys seconds, cpu up = their ratio: steadier than wall time on a loaded machine"
[ "$miss" = 0 ] && echo "all targets met" || echo "some targets missed (the outputs agree; see above)"
