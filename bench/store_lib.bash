# bench/store_lib.bash: what the store benchmarks (store_add.sh, build_many.sh, query.sh) share.
# Sourced, never run (bench/run.sh runs only *.sh). Sets nixpp, nix28, runs, tmp (removed on
# exit), a throwaway NIX_CONF_DIR/NIX_STATE_DIR/NIX_LOG_DIR for Nix 2.8, and defines:
#   measure NAME PREP CMD...  best wall time and best CPU time (user+sys) of $runs runs (PREP,
#                             untimed, before each) and the largest peak RSS, with /usr/bin/time;
#                             stdout of run 0 in $tmp/out/NAME; called again for the same NAME,
#                             it keeps the best of all calls (to interleave implementations);
#                             BENCH_VERBOSE=1 prints every run
#   report ROWS...            the table: wall and CPU time ratios (Nix 2.8 / nixpp, target >= 2)
#                             and memory
# Env: NIXPP_BIN (build dir holding nix and its tool links; default ./build), NIX28_BIN
# (/usr/bin), BENCH_RUNS (default per benchmark), BENCH_TMP (parent of the temp dir, $TMPDIR),
# BENCH_FS (see `work` below; store_add.sh uses it).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
nixpp=$(cd "${NIXPP_BIN:-$here/../build}" && pwd)
nix28=${NIX28_BIN:-/usr/bin}
runs=${BENCH_RUNS:-${runs:-3}}
bench=$(basename "$0" .sh)

fail() { echo "$bench.sh: $*" >&2; exit 1; }
for b in "$nixpp/nix-store" "$nix28/nix-store" "$nix28/nix-instantiate" /usr/bin/time; do
  [ -x "$b" ] || fail "missing $b"
done

tmp=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/nixpp-bench.XXXXXX")
# Store contents are read-only; sandbox roots may hold mount points of finished builds (none
# stay mounted: they live in the builders' mount namespaces).
cleanup() { chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
# Both implementations run with a throwaway configuration and state: nothing touches /nix or
# /etc/nix. Every store is under $tmp.
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR" "$tmp/out"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' \
  > "$NIX_CONF_DIR/nix.conf"

source "$here/image_fs.bash"

# moveAside PATH: moves PATH, if there, to a fresh place under $work/old (deleted with $tmp at
# exit). Benchmarks move the previous run's store aside instead of deleting it: on a
# journal-less ext4 deleting thousands of inodes would tax the next run's inode allocations
# (see bench/image_fs.bash), whichever implementation it is. `moved` counts the places taken.
mkdir -p "$work/old"
moved=0
moveAside() { if [ -e "$1" ]; then moved=$((moved + 1)); mv "$1" "$work/old/$moved"; fi; }

# freshDir DIR: removes DIR (read-only store contents included).
freshDir() { chmod -R u+w "$1" 2>/dev/null || true; rm -rf "$1"; }

declare -A secs cpu rss
measure() {
  local name=$1 prep=$2
  shift 2
  local best=${secs[$name]:-} bestCpu=${cpu[$name]:-} peak=${rss[$name]:-0} i t m u s c
  for ((i = 0; i < runs; i++)); do
    $prep
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$@" > "$tmp/out/$name.$i" 2> "$tmp/err" ||
      { tail -20 "$tmp/err" >&2; fail "$name failed"; }
    read -r t m u s < "$tmp/time"
    c=$(awk "BEGIN{printf \"%.2f\", $u + $s}")
    [ -n "${BENCH_VERBOSE:-}" ] && printf '  %-16s wall %6s s  cpu %5s s  load %s\n' "$name" "$t" "$c" \
      "$(cut -d' ' -f1 /proc/loadavg)"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    if [ -z "$bestCpu" ] || awk "BEGIN{exit !($c < $bestCpu)}"; then bestCpu=$c; fi
    [ "$m" -gt "$peak" ] && peak=$m
  done
  secs[$name]=$best
  cpu[$name]=$bestCpu
  rss[$name]=$peak
}

report() {
  echo
  printf 'best of %s runs; %s cores, load %s\n' "$runs" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-18s %8s %9s %8s %8s %9s %11s %8s %8s %9s\n' benchmark "nixpp s" "Nix 2.8 s" "speed-up" \
    "nixpp cpu" "Nix cpu" "cpu ratio" "nixpp RSS" "Nix RSS" "mem ratio"
  local miss=0 r a b ca cb ma mb up cup mem flag
  for r in "$@"; do
    a=${secs["nixpp $r"]} b=${secs["Nix 2.8 $r"]} ma=${rss["nixpp $r"]} mb=${rss["Nix 2.8 $r"]}
    ca=${cpu["nixpp $r"]} cb=${cpu["Nix 2.8 $r"]}
    up=$(awk "BEGIN{a=$a; if (a < 0.01) a = 0.01; printf \"%.2f\", $b / a}")
    cup=$(awk "BEGIN{a=$ca; if (a < 0.01) a = 0.01; printf \"%.2f\", $cb / a}")
    mem=$(awk "BEGIN{printf \"%.2f\", $ma / $mb}")
    flag=
    awk "BEGIN{exit !($up >= 2)}" || { flag=' (target missed)'; miss=1; }
    printf '%-18s %8s %9s %7sx %9s %9s %10sx %5s MiB %4s MiB %9s%s\n' "$r" "$a" "$b" "$up" "$ca" "$cb" "$cup" \
      "$((ma / 1024))" "$((mb / 1024))" "$mem" "$flag"
  done
  echo
  echo "speed-up = Nix 2.8 wall time / nixpp's (target >= 2); cpu = user+sys seconds (best run), its"
  echo "ratio Nix 2.8 / nixpp; mem ratio = nixpp peak RSS / Nix 2.8's"
  if [ "$miss" = 0 ]; then echo "all targets met"; else echo "some targets missed (see above)"; fi
}
