#!/usr/bin/env bash
# bench/nar_hash.sh: NAR serialisation and NAR hashing throughput, nixpp against Nix 2.8 and
# against sha256sum (the physical limit: the same bytes, hashed by coreutils).
# Builds a deterministic ~1 GiB tree (bench/make-tree.py; BENCH_MIB to change the size) in a
# temporary directory, warms the page cache, then times each command best of 3 (BENCH_RUNS) with
# /usr/bin/time, keeping the largest peak RSS. Prints a table and the throughput ratios.
# Env: NIXPP_BIN (build dir with nix, nix-hash, nix-store; default ./build), NIX28_BIN (default
# /usr/bin), BENCH_MIB (1024), BENCH_RUNS (3), BENCH_TMP (parent of the temp dir, $TMPDIR).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
nixpp=$(cd "${NIXPP_BIN:-$here/../build}" && pwd)
nix28=${NIX28_BIN:-/usr/bin}
mib=${BENCH_MIB:-1024}
runs=${BENCH_RUNS:-3}
for b in "$nixpp/nix-store" "$nixpp/nix-hash" "$nix28/nix-store" "$nix28/nix-hash" /usr/bin/time; do
  [ -x "$b" ] || { echo "nar_hash.sh: missing $b" >&2; exit 1; }
done

tmp=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/nixpp-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Nix 2.8 runs with a throwaway configuration and state; it never touches /nix or /etc/nix.
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nexperimental-features = nix-command\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"

echo "building a ${mib} MiB tree in $tmp ..."
python3 "$here/make-tree.py" "$tmp/tree" "$mib"
"$nix28/nix-store" --dump "$tmp/tree" > "$tmp/tree.nar"
narBytes=$(stat -c %s "$tmp/tree.nar")
files=$(find "$tmp/tree" -type f | wc -l)

# Sanity: both implementations agree before anything is timed.
want=$(sha256sum < "$tmp/tree.nar" | cut -d' ' -f1)
got=$("$nixpp/nix-store" --dump "$tmp/tree" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || { echo "nixpp nix-store --dump differs from Nix 2.8's" >&2; exit 1; }
[ "$("$nixpp/nix-hash" --type sha256 "$tmp/tree")" = "$want" ] || { echo "nixpp nix-hash is wrong" >&2; exit 1; }
[ "$("$nix28/nix-hash" --type sha256 "$tmp/tree")" = "$want" ] || { echo "Nix 2.8 nix-hash disagrees" >&2; exit 1; }

# measure NAME CMD...: best wall time of $runs runs (after one warm-up) and the peak RSS in KiB.
declare -A secs rss
measure() {
  local name=$1
  shift
  "$@" > /dev/null  # warm-up: page cache, binaries
  local best= peak=0 i t m
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > /dev/null
    read -r t m < "$tmp/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    [ "$m" -gt "$peak" ] && peak=$m
  done
  secs[$name]=$best
  rss[$name]=$peak
}

measure "nixpp nix-store --dump" "$nixpp/nix-store" --dump "$tmp/tree"
measure "Nix 2.8 nix-store --dump" "$nix28/nix-store" --dump "$tmp/tree"
measure "nixpp nix-hash --type sha256" "$nixpp/nix-hash" --type sha256 "$tmp/tree"
measure "Nix 2.8 nix-hash --type sha256" "$nix28/nix-hash" --type sha256 "$tmp/tree"
measure "sha256sum tree.nar" sha256sum "$tmp/tree.nar"
# coreutils' sha256sum does not use the CPU's SHA extensions; OpenSSL (which nixpp and Nix use)
# does, so `openssl dgst` over the NAR file is the tighter limit where it is installed.
haveOpenssl=
if command -v openssl > /dev/null; then
  measure "openssl dgst -sha256 tree.nar" openssl dgst -sha256 "$tmp/tree.nar"
  haveOpenssl=1
fi

rate() { awk "BEGIN{t=${secs[$1]}; if (t < 0.01) t = 0.01; printf \"%.0f\", $narBytes / 1048576 / t}"; }
ratio() { awk "BEGIN{a=${secs[$1]}; b=${secs[$2]}; if (a < 0.01) a = 0.01; printf \"%.2f\", b / a}"; }

echo
printf 'NAR of %s files, %s bytes (%.0f MiB); best of %s runs; %s cores, load %s\n' "$files" "$narBytes" \
  "$(awk "BEGIN{print $narBytes/1048576}")" "$runs" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %8s %9s %12s\n' command seconds "MiB/s" "peak RSS"
for n in "nixpp nix-store --dump" "Nix 2.8 nix-store --dump" "nixpp nix-hash --type sha256" \
         "Nix 2.8 nix-hash --type sha256" "sha256sum tree.nar" ${haveOpenssl:+"openssl dgst -sha256 tree.nar"}; do
  printf '%-34s %8s %9s %9s MiB\n' "$n" "${secs[$n]}" "$(rate "$n")" "$((${rss[$n]} / 1024))"
done
echo
echo "throughput ratios (higher is better for nixpp):"
echo "  nixpp / Nix 2.8, nix-store --dump:     $(ratio "nixpp nix-store --dump" "Nix 2.8 nix-store --dump")"
echo "  nixpp / Nix 2.8, nix-hash sha256:      $(ratio "nixpp nix-hash --type sha256" "Nix 2.8 nix-hash --type sha256")"
echo "  nixpp nix-hash / sha256sum (target >= 0.90): $(ratio "nixpp nix-hash --type sha256" "sha256sum tree.nar")"
if [ -n "$haveOpenssl" ]; then
  echo "  nixpp nix-hash / openssl dgst:         $(ratio "nixpp nix-hash --type sha256" "openssl dgst -sha256 tree.nar")"
fi
