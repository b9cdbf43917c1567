#!/usr/bin/env bash
# make-torture-tree.sh DIR: builds, deterministically, a file tree that exercises every corner of
# NAR serialisation: symlinks (relative, absolute, dangling, to a directory), executable and plain
# files, empty files and directories, 60 levels of nesting, UTF-8 names, names whose byte order
# differs from locale order, a 255-byte name, and a ~300 KB file holding every byte value.
# DIR must not exist. Needs only bash and coreutils. Reused by the NAR and nix-hash tests:
# tests/data/nar/torture.nar is Nix 2.8's `nix-store --dump` of this tree.
set -euo pipefail
export LC_ALL=C
umask 022

if [ $# -ne 1 ]; then echo "usage: $0 DIR" >&2; exit 1; fi
root=$1
if [ -e "$root" ] || [ -L "$root" ]; then echo "$0: '$root' already exists" >&2; exit 1; fi
mkdir -p "$root"
cd "$root"

# Plain and executable files, including empty ones and sizes on and off the 8-byte padding.
printf 'hello\n' > README
: > empty-file
printf '12345678' > exact8
printf '123456789' > nine
printf '#!/bin/sh\necho hi\n' > exec.sh
chmod 755 exec.sh
: > empty-exec
chmod 755 empty-exec
printf 'group and others may execute, owner may not\n' > not-owner-exec
chmod 655 not-owner-exec

# Empty directories, at the top and nested.
mkdir empty-dir
mkdir -p dir/sub/empty
printf 'in dir\n' > dir/file
printf 'in sub\n' > dir/sub/file

# Symlinks of every kind; NAR stores the target string as is.
mkdir links
ln -s ../README links/relative
ln -s /nix/store/00000000000000000000000000000000-absolute links/absolute
ln -s does-not-exist links/dangling
ln -s ../dir links/to-dir
ln -s . links/dot
ln -s "$(printf 'x%.0s' $(seq 1 1000))" links/long-target
ln -s 'café/☃' links/utf8-target
ln -s links-loop links/links-loop

# Names ordered differently by bytes (what NAR requires) than by a typical locale.
mkdir sort
for n in A B Z a b z _under -dash .hidden '~tilde' 'with space' ' leading-space' a.b a-b a_b ab aB \
         10 9 0 é ä Ä ß ž Ω 日本語 😀 'ﬁ' 'e' 'E' "$(printf 'e\xcc\x81-decomposed')"; do
  printf '%s\n' "$n" > "sort/$n"
done
mkdir sort/dir-a sort/dir-B
ln -s A sort/link-A

# UTF-8 names for directories, files and links.
mkdir -p 'unicode/Ωmega/日本'
printf 'café\n' > unicode/café
printf 'naïve\n' > 'unicode/naïve.txt'
printf 'deep unicode\n' > 'unicode/Ωmega/日本/ファイル'
ln -s 'Ωmega/日本/ファイル' unicode/link-ファイル

# A name of the maximum length (255 bytes).
printf 'long name\n' > "$(printf 'n%.0s' $(seq 1 255))"

# 60 levels of nesting.
p=deep
for i in $(seq 1 60); do p="$p/d$i"; done
mkdir -p "$p"
printf 'bottom\n' > "$p/leaf"
chmod 755 "$p/leaf"

# ~300 KB holding every byte value, in shifting alignments: 1200 x (counter + 256-byte block).
# (printf is a bash builtin: no process per block.)
blk=
for i in $(seq 0 255); do blk+=$(printf '\\x%02x' "$i"); done
for ((k = 0; k < 1200; k++)); do printf "%d$blk" "$k"; done > big.bin
