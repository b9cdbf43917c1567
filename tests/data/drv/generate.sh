#!/usr/bin/env bash
# Regenerates the derivation vectors in this folder with Nix 2.8 (the oracle), on a throwaway
# store. Not needed by the tests, which read only the committed files:
#   <hash>-<name>.drv        every .drv instantiated from drvs.nix (and their input .drvs)
#   <hash>-<name>.drv.json   `nix show-derivation` of it
#   <hash>-<name>.drv.recursive.json   `nix show-derivation --recursive` (for a few)
#   index.tsv                attribute name <TAB> .drv base name
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nexperimental-features = nix-command ca-derivations impure-derivations\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
store="local?root=$tmp/root"
rm -f ./*.drv ./*.drv.json index.tsv
for a in $(nix-instantiate --eval -E 'builtins.concatStringsSep " " (builtins.attrNames (import ./drvs.nix))' | tr -d '"'); do
  p=$(nix-instantiate --store "$store" drvs.nix -A "$a" 2>/dev/null)
  p=${p%%!*}
  printf '%s\t%s\n' "$a" "$(basename "$p")" >> index.tsv
done
for f in "$tmp"/root/nix/store/*.drv; do
  b=$(basename "$f")
  cp "$f" "$b"; chmod 644 "$b"
  nix show-derivation --store "$store" "/nix/store/$b" > "$b.json"
done
for a in deep deferred2 fixed-dep-on-fixed; do
  b=$(awk -v a="$a" '$1 == a { print $2 }' index.tsv)
  nix show-derivation --store "$store" --recursive "/nix/store/$b" > "$b.recursive.json"
done
