#!/usr/bin/env bash
# bench/store_add.sh: `nix-store --add` of a ~200 MiB tree (bench/make-tree.py: ~30 % in small
# files, ~70 % in three big files), nixpp against Nix 2.8, each into a fresh throwaway chroot
# store (--store local?root=...) every run (the previous one moved aside: see below), the runs of
# the two alternating; the page cache is warmed first. Both must print the same store path, with
# the same NAR hash registered.
# Env: as bench/store_lib.bash (BENCH_FS=image: on a fresh journaled ext4 instead of $TMPDIR's
# file system); BENCH_MIB (200), BENCH_RUNS (5), BENCH_VERBOSE.
runs=5
source "$(dirname "$0")/store_lib.bash"
mib=${BENCH_MIB:-200}

# Each run gets a fresh store; the previous run's is moved aside, not deleted (it goes with $tmp at
# exit). On ext4 without a journal (this CI machine's root file system), the inode allocator steps
# over every inode freed in the last 60-360 s one by one (recently_deleted() in
# __ext4_new_inode: perf shows 75 % of the time there), so a run right after an `rm -rf` of the
# previous run's 7,600 inodes costs seconds of kernel time whatever the program: the benchmark
# would time the previous deletion, not the add. Deletions by other processes (test suites under
# /tmp, the previous benchmark's clean-up) do the same at random, for minutes. So before each pair
# of runs (nixpp, then Nix 2.8: they alternate, both see the same conditions; the best run of
# each counts) a probe times the creation of 2,000 empty files beside the stores and, while that
# takes more than 0.2 s of CPU (0.035 s on tmpfs, 0.07-0.17 s on this ext4 under load, 0.5-1.2 s
# after a big deletion), waits (up to 2 minutes, then measures anyway and says so).
# BENCH_VERBOSE=1 shows every run.
# probe DIR: creates DIR with 2,000 empty files; prints the CPU seconds that took.
probe() {
  python3 -c '
import os, sys, time
d = sys.argv[1]
os.mkdir(d)
t = time.process_time()
for i in range(2000):
    os.close(os.open(f"{d}/{i}", os.O_CREAT | os.O_WRONLY, 0o644))
print(f"{time.process_time() - t:.3f}")' "$1"
}
waitForFastInodes() {
  local i t
  for ((i = 0; i < 12; i++)); do
    moved=$((moved + 1))
    t=$(probe "$work/old/$moved")
    awk "BEGIN{exit !($t < 0.2)}" && return 0
    if [ "$i" = 0 ]; then
      echo "  creating 2,000 files took ${t}s of CPU: inodes were freed recently; waiting"
    fi
    sleep 10
  done
  echo "  creating 2,000 files still takes ${t}s of CPU after 2 minutes: measuring anyway"
}

echo "building a ${mib} MiB tree in $work ..."
python3 "$here/make-tree.py" "$work/tree" "$mib"
cat $(find "$work/tree" -type f) > /dev/null  # warm the page cache

prepNixpp() { moveAside "$work/root-nixpp"; }
prepNix28() { moveAside "$work/root-nix"; }
total=$runs
runs=1
for ((r = 0; r < total; r++)); do
  waitForFastInodes
  measure "nixpp add" prepNixpp "$nixpp/nix-store" --store "local?root=$work/root-nixpp" --add "$work/tree"
  measure "Nix 2.8 add" prepNix28 "$nix28/nix-store" --store "local?root=$work/root-nix" --add "$work/tree"
done
runs=$total
p=$(cat "$tmp/out/nixpp add.0")
[ "$p" = "$(cat "$tmp/out/Nix 2.8 add.0")" ] || fail "the two store paths differ"
h1=$("$nix28/nix-store" --store "local?root=$work/root-nixpp" -q --hash "$p")
h2=$("$nix28/nix-store" --store "local?root=$work/root-nix" -q --hash "$p")
[ "$h1" = "$h2" ] || fail "NAR hashes differ: $h1 / $h2"
"$nix28/nix-store" --store "local?root=$work/root-nixpp" --verify-path "$p" || fail "Nix 2.8 rejects nixpp's path"

echo "stores on: $(findmnt -no SOURCE,FSTYPE -T "$work") ($( [ -n "$imageFs" ] && echo "a fresh image, BENCH_FS=image" || echo "the file system of $work"))"
report add
