#!/usr/bin/env bash
# Regenerates the NAR test vectors in this folder with the Nix 2.8 oracle (not needed to run the
# tests, which read only the committed files). Uses a throwaway config and state; never /nix.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR"
printf 'build-users-group =\nsandbox = false\nexperimental-features = nix-command\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
nix() { command nix --store "local?root=$tmp/root" "$@"; }

# The torture tree, its NAR and listings.
"$here/make-torture-tree.sh" "$tmp/tree"
nix-store --dump "$tmp/tree" > "$here/torture.nar"
sha256sum < "$here/torture.nar" | cut -d' ' -f1 > "$here/torture.nar.sha256"
nix nar ls "$here/torture.nar" / > "$here/torture.ls"
nix nar ls -l "$here/torture.nar" / > "$here/torture.ls-l"
nix nar ls -R "$here/torture.nar" / > "$here/torture.ls-R"
nix nar ls -lR "$here/torture.nar" / > "$here/torture.ls-lR"
nix nar ls -d "$here/torture.nar" /dir > "$here/torture.ls-d-dir"
nix nar ls -l "$here/torture.nar" /links > "$here/torture.ls-l-links"
nix nar ls -l "$here/torture.nar" /big.bin > "$here/torture.ls-l-big"
nix nar ls --json "$here/torture.nar" / > "$here/torture.ls.json"
nix nar ls --json -R "$here/torture.nar" / > "$here/torture.ls-R.json"
nix nar ls --json -R "$here/torture.nar" /sort > "$here/torture.ls-R-sort.json"
nix nar ls --json "$here/torture.nar" /big.bin > "$here/torture.ls-big.json"
(nix nar ls --json -d "$here/torture.nar" /dir 2>&1 || true) > "$here/torture.ls-d-json.err"
nix nar cat "$here/torture.nar" /exec.sh > "$here/torture.cat-exec.sh"

# Single-file NARs (a regular file, an executable, a symlink at the top).
printf 'hello\n' > "$tmp/file"
nix-store --dump "$tmp/file" > "$here/file.nar"
nix nar ls --json "$here/file.nar" / > "$here/file.ls.json"
nix nar ls -l "$here/file.nar" / > "$here/file.ls-l"
ln -s /some/where "$tmp/link"
nix-store --dump "$tmp/link" > "$here/symlink.nar"
nix nar ls -l "$here/symlink.nar" / > "$here/symlink.ls-l"
nix nar ls --json "$here/symlink.nar" / > "$here/symlink.ls.json"

# The 100+ MB file the e2e test makes on the fly (tests/e2e/nar_big.sh must use the same recipe).
"$here/make-big-file.sh" "$tmp/big"
nix-store --dump "$tmp/big" | sha256sum | cut -d' ' -f1 > "$here/big.nar.sha256"

# Names that need JSON escaping (control characters, quotes, backslashes, invalid UTF-8).
mkdir "$tmp/weird"
for n in $'new\nline' $'tab\there' 'quote"d' 'back\slash' $'ctl\x01\x1f\x7f' $'bad\xffutf8' $'bell\a\b\f\v' 'ascii'; do
  printf 'x' > "$tmp/weird/$n"
done
ln -s $'target\nwith "newline"\\' "$tmp/weird/link"
nix-store --dump "$tmp/weird" > "$here/weird.nar"
nix nar ls --json -R "$here/weird.nar" / > "$here/weird.ls-R.json"
nix nar ls -lR "$here/weird.nar" / > "$here/weird.ls-lR"

# Error messages of `nix nar` (stderr, then the exit status).
errs=$here/errors.txt
: > "$errs"
for args in "ls torture.nar /missing" "ls torture.nar README" "ls torture.nar /dir/" "ls --json torture.nar /missing" \
            "cat torture.nar /dir" "cat torture.nar /links/relative" "cat torture.nar /missing" "cat file.nar /" \
            "ls torture.nar" "ls torture.nar / extra" "ls --bogus torture.nar /" "ls -d --json torture.nar /dir" ""; do
  echo "## nix nar $args" >> "$errs"
  rc=0; (cd "$here" && nix nar $args >/dev/null 2>>"$errs") || rc=$?
  echo "exit $rc" >> "$errs"
done
