#!/usr/bin/env bash
# e2e: nix-hash and nix hash file|path|to-*|convert against Nix 2.8's recorded behaviour.
# tests/data/hash/cli-cases.sh runs ~870 cases (every type and encoding, flat and NAR over the
# NAR torture tree, conversions, malformed hashes, bad flags, unreadable paths); its transcript
# under Nix 2.8 is tests/data/hash/cli.transcript. Here it runs under nixpp and must match
# byte for byte: stdout, stderr and exit status. Then the forms Nix 2.8 lacks (nix hash convert's
# --from/--to checks) are checked against the examples of Nix's manual.
set -euo pipefail
bin=${NIXPP_BIN:?}
data=${NIXPP_TEST_DATA:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PATH=$bin:$PATH
fail=0

bash "$data/hash/cli-cases.sh" nixpp "$bin" > "$tmp/transcript"
if ! diff -u "$data/hash/cli.transcript" "$tmp/transcript" > "$tmp/diff"; then
  echo "FAIL: nix-hash / nix hash differ from Nix 2.8 (- Nix 2.8, + nixpp):"
  head -n 80 "$tmp/diff"
  fail=1
fi
cases=$(grep -c '^\$ ' "$data/hash/cli.transcript")
[ "$cases" -gt 850 ] || { echo "FAIL: only $cases cases in the transcript"; fail=1; }

# expect NAME WANT-STATUS WANT-STDOUT WANT-STDERR CMD...
expect() {
  local name=$1 status=$2 out=$3 err=$4
  shift 4
  local rc=0
  "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
  if [ "$rc" != "$status" ] || [ "$(cat "$tmp/out")" != "$out" ] || [ "$(cat "$tmp/err")" != "$err" ]; then
    echo "FAIL: $name: $*"
    echo "  status $rc (want $status)"
    echo "  stdout: $(cat "$tmp/out")"; echo "  want:   $out"
    echo "  stderr: $(cat "$tmp/err")"; echo "  want:   $err"
    fail=1
  fi
}

# The examples of `nix hash convert`'s manual page (Nix 2.19+).
expect convert-nix32 0 vw46m23bizj4n8afrc0fj19wrp7mj3c0 "" \
  nix hash convert --hash-algo sha1 --to nix32 800d59cfcd3c05e900cb4e214be48f6b886a08df
expect convert-default-sri 0 sha1-gA1Zz808BekAy04hS+SPa4hqCN8= "" \
  nix hash convert --hash-algo sha1 800d59cfcd3c05e900cb4e214be48f6b886a08df
expect convert-to-sri 0 sha1-gA1Zz808BekAy04hS+SPa4hqCN8= "" \
  nix hash convert --hash-algo sha1 --to sri 800d59cfcd3c05e900cb4e214be48f6b886a08df
expect convert-from-mismatch 1 "" \
  "error: input hash 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=' does not have the expected format '--from nix32'" \
  nix hash convert --hash-algo sha256 --from nix32 ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=
expect convert-from-nix32 0 sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0= "" \
  nix hash convert --hash-algo sha256 --from nix32 1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s
# --from accepts upper-case base-16; --from sri wants SRI; base32 is a deprecated alias of nix32.
expect convert-from-base16 0 vw46m23bizj4n8afrc0fj19wrp7mj3c0 "" \
  nix hash convert --hash-algo sha1 --from base16 --to nix32 800D59CFCD3C05E900CB4E214BE48F6B886A08DF
expect convert-from-sri 0 800d59cfcd3c05e900cb4e214be48f6b886a08df "" \
  nix hash convert --from sri --to base16 sha1-gA1Zz808BekAy04hS+SPa4hqCN8=
expect convert-from-sri-bad 1 "" "error: hash '800d59cfcd3c05e900cb4e214be48f6b886a08df' is not SRI" \
  nix hash convert --hash-algo sha1 --from sri 800d59cfcd3c05e900cb4e214be48f6b886a08df
expect convert-base32-alias 0 vw46m23bizj4n8afrc0fj19wrp7mj3c0 \
  'warning: "base32" is a deprecated alias for hash format "nix32".' \
  nix hash convert --hash-algo sha1 --to base32 800d59cfcd3c05e900cb4e214be48f6b886a08df
expect convert-bad-format 1 "" \
  "error: unknown hash format 'hex', expect 'base16', 'base32', 'base64', or 'sri'
Try 'nix --help' for more information." \
  nix hash convert --to hex sha1-gA1Zz808BekAy04hS+SPa4hqCN8=
expect convert-no-type 1 "" \
  "error: hash '800d59cfcd3c05e900cb4e214be48f6b886a08df' does not include a type, nor is the type otherwise known from context" \
  nix hash convert 800d59cfcd3c05e900cb4e214be48f6b886a08df

# --version and --help (Nix 2.8 shows a man page for --help: only the status is compared).
nix-hash --version > "$tmp/v"
grep -q '^nix-hash (Nix) [0-9]' "$tmp/v" || { echo "FAIL: nix-hash --version: $(cat "$tmp/v")"; fail=1; }
for cmd in "nix-hash --help" "nix hash --help" "nix hash file --help" "nix hash convert --help"; do
  $cmd > "$tmp/h" || { echo "FAIL: $cmd exited non-zero"; fail=1; }
  grep -qi usage "$tmp/h" || { echo "FAIL: $cmd printed no usage"; fail=1; }
done

# Streaming: a 64 MiB sparse file hashes to the same value flat and through its NAR.
truncate -s 64M "$tmp/sparse"
want=$(head -c 64M /dev/zero | sha256sum | cut -d' ' -f1)
got=$(nix-hash --flat --type sha256 "$tmp/sparse")
[ "$got" = "$want" ] || { echo "FAIL: flat sha256 of 64 MiB of zeros: $got, want $want"; fail=1; }
got=$(nix-hash --type sha256 "$tmp/sparse")
want=$(nix-store --dump "$tmp/sparse" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || { echo "FAIL: NAR sha256 of 64 MiB of zeros: $got, want $want"; fail=1; }

if [ $fail = 0 ]; then echo "nix_hash: $cases transcript cases and the convert checks passed"; fi
exit $fail
