#!/usr/bin/env bash
# cli-cases.sh MODE BINDIR: runs every nix-hash / nix hash case and prints a transcript (the
# command, its stdout, its stderr, its exit status) on stdout.
#   MODE=oracle: BINDIR holds Nix 2.8 (generate.sh records the transcript as cli.transcript);
#   MODE=nixpp:  BINDIR holds nixpp's multi-call binary links (tests/e2e/nix_hash.sh diffs).
# Forms Nix 2.8 lacks (nix-hash --base64/--sri/--to-base64/--to-sri, nix hash convert) are run,
# in oracle mode, as the Nix 2.8 command that must print the same thing; the transcript always
# shows the nixpp form. Inputs: the NAR torture tree (tests/data/nar/make-torture-tree.sh), a few
# files made here, all addressed by relative paths so messages do not depend on the temp dir.
set -euo pipefail
export LC_ALL=C
mode=$1
bin=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cd "$work"

"$here/../nar/make-torture-tree.sh" tree >/dev/null
printf 'hello\n' > hello
: > empty
printf 'abc' > abc
# 3 MB over several read buffers, deterministic.
{ yes 'nixpp hash test line, long enough to fill buffers' || true; } | head -c 3000000 > big
printf '#!/bin/sh\n' > exec && chmod 755 exec
ln -s hello link
mkfifo fifo

# run ARGS...: the same command for both implementations.
run() { alt "$*" "$@"; }

# alt "NIXPP-COMMAND" ORACLE-ARGS...: the transcript shows NIXPP-COMMAND; nixpp runs it, the
# oracle runs ORACLE-ARGS instead. Commands start with the tool name (nix-hash or nix).
alt() {
  local shown=$1
  shift
  local -a cmd
  if [ "$mode" = oracle ]; then cmd=("$@"); else read -r -a cmd <<< "$shown"; fi
  local rc=0
  # By bare name, as the error hints name the program as it was invoked.
  PATH=$bin:$PATH "${cmd[@]}" > out 2> err || rc=$?
  printf '$ %s\n' "$shown"
  cat out
  sed 's/^/! /' err
  printf '[%d]\n' "$rc"
}

algos="md5 sha1 sha256 sha512"
files="hello empty abc big exec tree/big.bin tree/README link"

# nix-hash over files (flat) and paths (NAR), every type, both of 2.8's encodings, truncation.
for t in $algos; do
  for f in $files; do
    run nix-hash --flat --type $t $f
    run nix-hash --flat --type $t --base32 $f
    run nix-hash --flat --type $t --truncate $f
  done
  for p in hello empty big exec link tree tree/dir tree/links tree/sort tree/unicode; do
    run nix-hash --type $t $p
    run nix-hash --type $t --base32 --truncate $p
  done
  # The newer encodings, checked against `nix hash` (same hash, same text).
  alt "nix-hash --type $t --base64 tree" nix hash path --type $t --base64 tree
  alt "nix-hash --type $t --sri tree" nix hash path --type $t --sri tree
  alt "nix-hash --flat --type $t --base64 big" nix hash file --type $t --base64 big
  alt "nix-hash --flat --type $t --sri hello" nix hash file --type $t --sri hello
done
run nix-hash tree hello empty
run nix-hash --flat hello empty abc
run nix-hash --base32 --truncate --type sha256 --flat big tree/big.bin
run nix-hash -- hello
alt "nix-hash --sri hello" nix hash path --type md5 --sri hello
alt "nix-hash --base16 --flat hello" nix-hash --flat hello
alt "nix-hash --base64 --base32 hello" nix-hash --base32 hello

# nix hash file|path: defaults (sha256, SRI) and every flag.
for t in $algos; do
  for b in --base16 --base32 --base64 --sri; do
    run nix hash file --type $t $b hello big tree/big.bin
    run nix hash path --type $t $b tree hello link
  done
done
run nix hash file hello empty big
run nix hash path tree tree/deep exec
run nix hash file hello --type sha1 --base16 --type md5
run nix hash path --base16 --base32 tree
run nix hash file

# Conversions: every encoding of a few hashes, in and out.
hashes=()
for t in $algos; do
  for f in hello empty; do
    for b in --base16 --base32 --base64 --sri; do
      hashes+=("$t:$("$bin"/nix hash file --type $t $b $f 2>/dev/null || true)")
    done
  done
done
# (The list above is made with the binary under test: a wrong hash here still fails below, as
# the transcript records the oracle's conversions of the oracle's hashes.)
for h in "${hashes[@]}"; do
  t=${h%%:*}
  v=${h#*:}
  for to in base16 base32 base64 sri; do
    run nix hash to-$to --type $t "$v"
    case $v in *-*) run nix hash to-$to "$v" ;; esac
    run nix hash to-$to "$t:${v#$t-}"
  done
  run nix-hash --type $t --to-base16 "$v"
  run nix-hash --type $t --to-base32 "$v"
  alt "nix-hash --type $t --to-base64 $v" nix hash to-base64 --type $t "$v"
  alt "nix-hash --type $t --to-sri $v" nix hash to-sri --type $t "$v"
  for to in base16 nix32 base64 sri; do
    o=$to
    [ $to = nix32 ] && o=base32
    alt "nix hash convert --hash-algo $t --to $to $v" nix hash to-$o --type $t "$v"
  done
  alt "nix hash convert $t:${v#$t-}" nix hash to-sri "$t:${v#$t-}"
done
run nix-hash --to-base32 d41d8cd98f00b204e9800998ecf8427e 0bee89b07a248e27c83fc3d5951213c1
run nix-hash --to-base16 3y8bwfr609h3lh9ch0izcqq7fl
run nix hash to-sri sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s sha1:800d59cfcd3c05e900cb4e214be48f6b886a08df
run nix hash to-base32
run nix-hash --to-base16

# Errors: malformed hashes, unknown types, bad flags, unreadable paths.
S=WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=
N=00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq
H=5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
run nix-hash --to-base32 sha256:$N
run nix-hash --type sha256 --to-base32 sha1:$N
run nix-hash --to-base16 sha256-$S
run nix-hash --to-base16 foo:abc
run nix-hash --type sha256 --to-base16 abc
run nix hash to-base16 $H
run nix hash to-base16 sha256:${H:1}
run nix hash to-base16 sha256:${H:1}g
run nix hash to-base16 sha256:x${N:1}
run nix hash to-base16 sha256:e${N:1}
run nix hash to-base16 sha256:2${N:1}
run nix hash to-base16 sha256:z${N:1}
run nix hash to-base16 sha256:1${N:1}
run nix hash to-base16 sha256:${S%=}
run nix hash to-base16 sha256-${S%=}
run nix hash to-base16 sha256-${S}==
run nix hash to-base16 sha256-${S}abc
run nix hash to-base16 sha256-${S:4}
run nix hash to-base16 sha256-
run nix hash to-base16 sha256:
run nix hash to-base16 foo:$H
run nix hash to-base16 foo-$S
run nix hash to-base16 SHA256:$H
run nix hash to-base16 md5:$H
run nix hash to-base16 --type sha256 md5:$H
run nix hash to-base16 sha256-$H
run nix hash to-base16 sha512-$S
run nix hash to-base16 --type sha256 sha512-$S
run nix hash to-base16 sha256:a:b
run nix hash to-base16 :$H
run nix hash to-base16 --type md5 $H
run nix hash to-sri --type sha1 $H
run nix-hash --bogus
run nix-hash --type foo hello
run nix-hash --type
run nix-hash --type=sha256 hello
run nix-hash -x hello
run nix-hash - hello
run nix-hash missing
run nix-hash --flat missing
run nix-hash --flat tree
run nix-hash fifo
run nix-hash hello missing
run nix hash
run nix hash foo
run nix hash file --truncate hello
run nix hash file --type
run nix hash file --type foo hello
run nix hash file --type=sha1 hello
run nix hash path -x hello
run nix hash file missing
run nix hash path missing
run nix hash path fifo
run nix hash file tree
run nix hash to-base16 --type
run nix hash to-base16 --bogus
