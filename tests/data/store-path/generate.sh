#!/usr/bin/env bash
# Regenerates vectors.tsv with Nix 2.8 (the oracle) on a throwaway store. Not needed by the tests.
# Each line: kind <TAB> method <TAB> hash <TAB> name <TAB> references <TAB> expected store path
#   kind source: `nix-store --add` (hash = sha256 of the NAR, as `nix-hash --type sha256 --base32`)
#   kind fixed:  `nix-store --add-fixed [--recursive] ALGO` (hash of the file, or of its NAR)
#   kind text:   builtins.toFile (hash = sha256 of the contents; references = full paths, ',')
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nexperimental-features = nix-command\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
store="local?root=$tmp/root"
out=vectors.tsv; : > $out
for f in hello.txt script.sh dir empty; do
  p=$(nix-store --store "$store" --add "inputs/$f")
  printf 'source\tnar\tsha256:%s\t%s\t\t%s\n' "$(nix-hash --type sha256 --base32 "inputs/$f")" "$f" "$p" >> $out
done
for algo in md5 sha1 sha256 sha512; do
  for f in hello.txt script.sh empty; do
    p=$(nix-store --store "$store" --add-fixed "$algo" "inputs/$f")
    printf 'fixed\tflat\t%s:%s\t%s\t\t%s\n' "$algo" "$(nix-hash --flat --type "$algo" --base32 "inputs/$f")" "$f" "$p" >> $out
  done
  for f in hello.txt dir; do
    p=$(nix-store --store "$store" --add-fixed --recursive "$algo" "inputs/$f")
    printf 'fixed\tnar\t%s:%s\t%s\t\t%s\n' "$algo" "$(nix-hash --type "$algo" --base32 "inputs/$f")" "$f" "$p" >> $out
  done
done
text() {  # text NAME NIX-EXPRESSION-OF-CONTENTS EXPECTED-CONTENTS REFS
  p=$(nix-instantiate --store "$store" --eval -E "builtins.toFile \"$1\" $2" | tr -d '"')
  printf '%s' "$3" > "$tmp/contents"
  printf 'text\ttext\tsha256:%s\t%s\t%s\t%s\n' "$(nix-hash --flat --type sha256 --base32 "$tmp/contents")" "$1" "$4" "$p" >> $out
}
a=$(nix-instantiate --store "$store" --eval -E 'builtins.toFile "a" "a"' | tr -d '"')
b=$(nix-instantiate --store "$store" --eval -E 'builtins.toFile "b" "b"' | tr -d '"')
text plain '"plain text\n"' $'plain text\n' ''
text empty-text '""' '' ''
text one-ref '"see ${builtins.toFile "a" "a"}"' "see $a" "$a"
text two-refs '"see ${builtins.toFile "b" "b"} and ${builtins.toFile "a" "a"}"' "see $b and $a" "$(printf '%s\n%s\n' "$a" "$b" | sort | paste -sd,)"
