#!/usr/bin/env bash
# Fills a content-addressed source mirror (MIRROR/sha256/<base16 sha256>, the layout of Nix's
# `hashed-mirrors`) with every file pinned in pkgs/pins/: the seed's Debian 12 binary packages
# (pkgs/pins/debs.list) and the upstream tarballs of Debian's source packages
# (pkgs/pins/sources.list). Each file's sha256 is verified before it enters the mirror.
#
#   scripts/fill-mirror.sh [MIRROR_DIR]
# MIRROR_DIR defaults to $NIXPP_MIRROR, else /var/cache/nixpp/mirror for root and
# ~/.cache/nixpp/mirror for others (tests/e2e/pkgs_*.sh use the same default).
#
# Idempotent: files already in the mirror are not fetched again, and a complete mirror costs one
# pass over the lists. The files come through Debian's own tools (`apt-get download`,
# `apt-get source --download-only`) with a private apt configuration under a temp dir (its own
# lists and cache, deb and deb-src sources derived from the system's debian.sources), so the
# system's apt state is never touched and no archive host name is written in this project.
# Exit status: 0 when the mirror holds every pinned file, 2 when the archive cannot be reached,
# 1 on any other failure (a hash mismatch names the file and both hashes).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
default_mirror=/var/cache/nixpp/mirror
[ "$(id -u)" = 0 ] || default_mirror=${XDG_CACHE_HOME:-$HOME/.cache}/nixpp/mirror
mirror=${1:-${NIXPP_MIRROR:-$default_mirror}}
debs_list=$here/pkgs/pins/debs.list
srcs_list=$here/pkgs/pins/sources.list

. "$here/scripts/lib/private-apt.bash"

mkdir -p "$mirror/sha256"
missing_debs=() missing_srcs=()
while read -r pkg version sha file; do
  [ -f "$mirror/sha256/$sha" ] || missing_debs+=("$pkg=$version $sha $file")
done < <(pins "$debs_list")
while read -r attr srcpkg version file sha; do
  [ -f "$mirror/sha256/$sha" ] || missing_srcs+=("$srcpkg=$version $sha $file")
done < <(pins "$srcs_list")
total=$(( $(pins "$debs_list" | wc -l) + $(pins "$srcs_list" | wc -l) ))
if [ $(( ${#missing_debs[@]} + ${#missing_srcs[@]} )) -eq 0 ]; then
  echo "fill-mirror: $mirror holds all $total pinned files"
  exit 0
fi
echo "fill-mirror: fetching $(( ${#missing_debs[@]} + ${#missing_srcs[@]} )) of $total files into $mirror"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/dl"
private_apt_setup "$tmp" fill-mirror || {
  rc=$?
  echo "fill-mirror: $(( ${#missing_debs[@]} + ${#missing_srcs[@]} )) pinned files are missing from $mirror" >&2
  exit $rc
}

# put FILE SHA: verifies FILE against SHA and moves it into the mirror atomically.
put() {
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "fill-mirror: hash mismatch for $(basename "$1"): pinned $2, got $got" >&2
    exit 1
  fi
  cp "$1" "$mirror/sha256/.$2.tmp"
  mv -f "$mirror/sha256/.$2.tmp" "$mirror/sha256/$2"
}

cd "$tmp/dl"
stale=()
for entry in "${missing_debs[@]}"; do
  read -r spec sha file <<<"$entry"
  if ! apt-get "${apt_opts[@]}" -qq download "$spec" >"$tmp/dl.log" 2>&1; then
    cat "$tmp/dl.log" >&2
    echo "fill-mirror: apt-get download $spec failed" >&2
    stale+=("$spec")
    continue
  fi
  debs=("$tmp"/dl/*.deb)
  put "${debs[0]}" "$sha"
  rm -f "$tmp"/dl/*
done
for entry in "${missing_srcs[@]}"; do
  read -r spec sha file <<<"$entry"
  # An .orig tarball outlives the Debian revision that pinned it: when that revision is gone
  # from the archive, the current one's tarball is taken if its hash is the pinned one.
  if ! apt-get "${apt_opts[@]}" -qq source --download-only "$spec" >"$tmp/dl.log" 2>&1 &&
     ! apt-get "${apt_opts[@]}" -qq source --download-only "${spec%%=*}" >>"$tmp/dl.log" 2>&1; then
    cat "$tmp/dl.log" >&2
    echo "fill-mirror: apt-get source --download-only $spec failed" >&2
    stale+=("$spec")
    continue
  fi
  if [ ! -f "$tmp/dl/$file" ]; then
    echo "fill-mirror: $spec did not provide $file (got: $(ls "$tmp/dl" | tr '\n' ' '))" >&2
    exit 1
  fi
  put "$tmp/dl/$file" "$sha"
  rm -f "$tmp"/dl/*
done
if [ ${#stale[@]} -gt 0 ]; then
  echo "fill-mirror: ${#stale[@]} pinned versions are no longer in the Debian archive: ${stale[*]}" >&2
  echo "fill-mirror: scripts/repin-seed.sh moves the seed's pins to versions the archive has" >&2
  exit 2
fi
echo "fill-mirror: $mirror holds all $total pinned files"
