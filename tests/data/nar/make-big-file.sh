#!/usr/bin/env bash
# make-big-file.sh FILE: writes a deterministic 104857607-byte (100 MiB + 7) file: a repeating
# pattern of numbered lines, cut at an odd length so the NAR needs padding. Needs only coreutils.
set -euo pipefail
export LC_ALL=C
{ seq -f '%010g line of the big NAR test file' 1 3000000 || true; } | head -c 104857607 > "$1"
