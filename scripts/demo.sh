#!/usr/bin/env bash
# nixpp's main job, for now: serialise an example tree as a NAR, hash it, restore it, and add it
# to the default store (or the one NIX_REMOTE / --store names; pass e.g. NIX_REMOTE=local?root=DIR
# to keep /nix untouched). Once builds land, this evaluates and builds an example derivation.
set -euo pipefail
bin=$(cd "${1:-build}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/example/bin" "$work/example/share/doc"
printf '#!/bin/sh\necho "Hello, world!"\n' > "$work/example/bin/hello"
chmod +x "$work/example/bin/hello"
printf 'nixpp example tree\n' > "$work/example/share/doc/README"
ln -s bin/hello "$work/example/hello-link"

echo "== nix-hash --type sha256 --base32 (NAR hash, as store paths use)"
"$bin/nix-hash" --type sha256 --base32 "$work/example"
echo "== nix hash path (SRI)"
"$bin/nix" hash path "$work/example"
echo "== nix-store --dump | nix-store --restore, then compare"
"$bin/nix-store" --dump "$work/example" > "$work/example.nar"
"$bin/nix-store" --restore "$work/restored" < "$work/example.nar"
"$bin/nix" nar ls -lR "$work/example.nar" /
diff -r "$work/example" "$work/restored" && echo "restored tree is identical"
echo "== nix-store --add (default store: ${NIX_REMOTE:-/nix/store}), then query it"
path=$("$bin/nix-store" --add "$work/example")
echo "$path"
"$bin/nix-store" -q --hash "$path"
"$bin/nix" path-info -S "$path"
