# bench/image_fs.bash: where a benchmark that writes stores puts them. Sourced after `tmp`,
# `fail` and a `cleanup` trap are set; sets `work` and `imageFs`, and replaces `cleanup`.
#
# work: where a benchmark puts its trees and stores. BENCH_FS=image makes it a fresh ext4 file
# system (mkfs.ext4's defaults, a journal included: what a Nix user's /nix usually is), made in
# a sparse image file under /dev/shm (BENCH_FS_MIB, default 6144) and loop-mounted on $tmp/fs
# for the run (root only); unmounted and deleted at exit. Where $tmp is a journal-less ext4 (this
# CI machine's root file system), every inode created within minutes of other inodes being
# freed costs a scan of them (recently_deleted() in ext4's allocator), whoever freed them: the
# image measures the programs rather than the machine's recent deletions. Default: $tmp.
work=$tmp
imageFs=
if [ "${BENCH_FS:-}" = image ]; then
  [ "$(id -u)" = 0 ] || fail "BENCH_FS=image needs root (mount)"
  imageFs=$(mktemp /dev/shm/nixpp-bench-fs.XXXXXX)
  truncate -s "${BENCH_FS_MIB:-6144}M" "$imageFs"
  mkfs.ext4 -q -F "$imageFs" || fail "mkfs.ext4 failed"
  mkdir "$tmp/fs"
  mount -o loop "$imageFs" "$tmp/fs" || { rm -f "$imageFs"; fail "cannot loop-mount an image"; }
  work=$tmp/fs
  cleanup() {  # replaces the caller's: unmounts, then removes as before
    chmod -R u+w "$tmp" 2>/dev/null || true
    umount "$tmp/fs" 2>/dev/null || umount -l "$tmp/fs" 2>/dev/null || true
    rm -f "$imageFs"
    rm -rf "$tmp"
  }
elif [ -n "${BENCH_FS:-}" ]; then
  fail "BENCH_FS must be empty or 'image'"
fi

