#!/usr/bin/env bash
# Moves the seed's pins (pkgs/pins/debs.list) whose pinned version the Debian archive no longer has
# to the version of the release's main suite (bookworm, not -security or -updates: those change
# every few weeks, the main suite only at point releases), downloading each new file and writing its
# sha256 into the list. Pins still available are left alone. Then run scripts/fill-mirror.sh.
#
#   scripts/repin-seed.sh [--dry-run]
# Every package built on the seed changes its store path when a pin moves: that is the point of
# pinning, and the reason to move as few pins as possible.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib/private-apt.bash"
list=$here/pkgs/pins/debs.list
dry=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
private_apt_setup "$tmp" repin-seed
mkdir -p "$tmp/dl"
cd "$tmp/dl"
moved=0
while read -r pkg version sha file; do
  versions=$(apt-cache "${apt_opts[@]}" madison "$pkg" 2>/dev/null | awk -F'|' '$3 ~ /Packages/ {gsub(/ /,"",$2); print $2 "|" $3}')
  if grep -q "^$version|" <<<"$versions"; then continue; fi
  new=$(grep -v -- '-security\|-updates' <<<"$versions" | head -1 | cut -d'|' -f1)
  [ -n "$new" ] || new=$(head -1 <<<"$versions" | cut -d'|' -f1)
  if [ -z "$new" ]; then
    echo "repin-seed: $pkg: no version in the archive" >&2
    exit 1
  fi
  newfile=$(apt-cache "${apt_opts[@]}" show "$pkg=$new" | awk '/^Filename:/ {print $2; exit}')
  apt-get "${apt_opts[@]}" -qq download "$pkg=$new" >"$tmp/dl.log" 2>&1 || { cat "$tmp/dl.log" >&2; exit 2; }
  debs=("$tmp"/dl/*.deb)
  newsha=$(sha256sum "${debs[0]}" | cut -d' ' -f1)
  rm -f "$tmp"/dl/*
  echo "repin-seed: $pkg $version -> $new ($newsha)"
  moved=$((moved + 1))
  if [ "$dry" != --dry-run ]; then
    PKG=$pkg OLD=$version NEW=$new SHA=$newsha FILE=$newfile python3 - "$list" <<'PY'
import os, sys
p = sys.argv[1]
lines = open(p).read().split("\n")
for i, l in enumerate(lines):
    f = l.split()
    if len(f) >= 4 and not l.startswith("#") and f[0] == os.environ["PKG"] and f[1] == os.environ["OLD"]:
        lines[i] = " ".join([f[0], os.environ["NEW"], os.environ["SHA"], os.environ["FILE"]])
open(p, "w").write("\n".join(lines))
PY
  fi
done < <(pins "$list")
echo "repin-seed: $moved pins moved"
