#!/usr/bin/env bash
# A 100 MiB file made on the fly (tests/data/nar/make-big-file.sh): its NAR's sha256 equals the one
# Nix 2.8 gave (tests/data/nar/big.nar.sha256), and it survives --restore / nix nar cat intact.
set -euo pipefail
export LC_ALL=C
: "${NIXPP_BIN:?}" "${NIXPP_TEST_DATA:?}"
data=$NIXPP_TEST_DATA/nar
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$data/make-big-file.sh" "$tmp/big"
[ "$(stat -c %s "$tmp/big")" = 104857607 ] || fail "big file has the wrong size"
got=$("$NIXPP_BIN/nix-store" --dump "$tmp/big" | sha256sum | cut -d' ' -f1)
[ "$got" = "$(cat "$data/big.nar.sha256")" ] || fail "NAR sha256 $got differs from Nix 2.8's"

"$NIXPP_BIN/nix-store" --dump "$tmp/big" > "$tmp/big.nar"
"$NIXPP_BIN/nix-store" --restore "$tmp/restored" < "$tmp/big.nar"
cmp "$tmp/big" "$tmp/restored" || fail "restored file differs"
"$NIXPP_BIN/nix" nar cat "$tmp/big.nar" "" | cmp - "$tmp/big" || fail "nix nar cat differs"
[ "$("$NIXPP_BIN/nix" nar ls -l "$tmp/big.nar" /)" = "-r--r--r--            104857607 " ] || fail "nix nar ls -l"
echo "nar_big e2e: all passed"
