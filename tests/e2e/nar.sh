#!/usr/bin/env bash
# nix-store --dump/--restore and nix nar ls/cat/dump-path against vectors made with Nix 2.8
# (tests/data/nar/generate.sh).
set -euo pipefail
export LC_ALL=C
: "${NIXPP_BIN:?}" "${NIXPP_TEST_DATA:?}"
data=$NIXPP_TEST_DATA/nar
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
nix=$NIXPP_BIN/nix
store=$NIXPP_BIN/nix-store
fail() { echo "FAIL: $*" >&2; exit 1; }

# --dump of the torture tree is byte-identical to Nix's, and so is its sha256.
"$data/make-torture-tree.sh" "$tmp/tree"
"$store" --dump "$tmp/tree" > "$tmp/tree.nar"
cmp "$tmp/tree.nar" "$data/torture.nar" || fail "nix-store --dump differs from Nix 2.8's NAR"
[ "$(sha256sum < "$tmp/tree.nar" | cut -d' ' -f1)" = "$(cat "$data/torture.nar.sha256")" ] || fail "sha256"
"$nix" nar dump-path "$tmp/tree" | cmp - "$data/torture.nar" || fail "nix nar dump-path differs"
# A single file and a top-level symlink (not followed).
"$store" --dump "$tmp/tree/README" | cmp - "$data/file.nar" || fail "dump of a single file"
ln -s /some/where "$tmp/link"
"$store" --dump "$tmp/link" | cmp - "$data/symlink.nar" || fail "dump of a symlink"

# --restore then --dump round-trips; modes are as Nix restores them.
"$store" --restore "$tmp/restored" < "$data/torture.nar"
"$store" --dump "$tmp/restored" | cmp - "$data/torture.nar" || fail "restore/dump round trip"
[ -x "$tmp/restored/exec.sh" ] && [ ! -x "$tmp/restored/README" ] || fail "executable bits"
[ "$(readlink "$tmp/restored/links/dangling")" = does-not-exist ] || fail "symlink target"
for f in file symlink weird; do
  "$store" --restore "$tmp/r-$f" < "$data/$f.nar"
  "$store" --dump "$tmp/r-$f" | cmp - "$data/$f.nar" || fail "round trip of $f.nar"
done
ls "$tmp" | grep '^\.tmp-' >/dev/null && fail "temporary left behind"

# Restoring onto an existing path fails and changes nothing.
if "$store" --restore "$tmp/restored" < "$data/file.nar" 2> "$tmp/err"; then fail "restore over existing path"; fi
grep -q "^error: creating file '$tmp/restored': File exists" "$tmp/err" || fail "message: $(cat "$tmp/err")"

# Malformed input: non-zero exit, "error: ...", nothing at the target, no temporary left.
head -c 200000 "$data/torture.nar" > "$tmp/truncated.nar"
printf 'this is not a NAR at all, just some text\n' > "$tmp/text.nar"
: > "$tmp/empty.nar"
for bad in truncated text empty; do
  if "$store" --restore "$tmp/out-$bad" < "$tmp/$bad.nar" 2> "$tmp/err"; then fail "$bad accepted"; fi
  grep -q '^error: ' "$tmp/err" || fail "$bad: no error message"
  [ ! -e "$tmp/out-$bad" ] && [ ! -L "$tmp/out-$bad" ] || fail "$bad: target left behind"
done
grep -q "^error: bad archive: input doesn't look like a Nix archive" <("$store" --restore "$tmp/x" < "$tmp/text.nar" 2>&1) \
  || fail "bad magic message"
ls -A "$tmp" | grep '^\.tmp-' >/dev/null && fail "temporary left behind after errors"

# nix-store usage errors, worded as Nix 2.8 words them.
usage_error() {  # usage_error MESSAGE ARGS...
  local msg=$1; shift
  if "$store" "$@" < /dev/null > /dev/null 2> "$tmp/err"; then fail "nix-store $* succeeded"; fi
  printf 'error: %s\nTry %s for more information.\n' "$msg" "'nix-store --help'" | cmp - "$tmp/err" \
    || fail "nix-store $*: $(cat "$tmp/err")"
}
usage_error "no operation specified"
usage_error "no operation specified" --bogus
usage_error "only one argument allowed" --dump
usage_error "only one argument allowed" --restore a b
usage_error "only one operation may be specified" --dump --restore x
usage_error "unknown flag '--bogus'" --dump "$tmp/tree" --bogus  # Nix 2.8 omits the flag's name
"$store" --version | grep '^nix-store (Nix) ' >/dev/null || fail "nix-store --version"
"$store" --help | grep -- '--dump' >/dev/null || fail "nix-store --help"
mkfifo "$tmp/fifo"
if "$store" --dump "$tmp/fifo" > /dev/null 2> "$tmp/err"; then fail "dump of a fifo"; fi
grep -q "^error: file '$tmp/fifo' has an unsupported type" "$tmp/err" || fail "fifo message"
if "$store" --dump "$tmp/nonexistent" > /dev/null 2> "$tmp/err"; then fail "dump of a missing path"; fi
grep -q "^error: getting status of '$tmp/nonexistent': No such file or directory" "$tmp/err" || fail "missing message"

# nix nar ls / cat outputs equal Nix 2.8's.
cd "$data"
check() {  # check EXPECTED-FILE COMMAND...
  local exp=$1; shift
  "$@" > "$tmp/out" || fail "$* exited $?"
  cmp "$tmp/out" "$exp" || fail "$* differs from $exp"
}
check torture.ls "$nix" nar ls torture.nar /
check torture.ls-l "$nix" nar ls -l torture.nar /
check torture.ls-R "$nix" nar ls -R torture.nar /
check torture.ls-lR "$nix" nar ls -lR torture.nar /
check torture.ls-lR "$nix" nar ls --long --recursive torture.nar ""
check torture.ls-d-dir "$nix" nar ls -d torture.nar /dir
check torture.ls-l-links "$nix" nar ls -l torture.nar /links
check torture.ls-l-big "$nix" nar ls -l torture.nar /big.bin
check torture.ls.json "$nix" nar ls --json torture.nar /
check torture.ls-R.json "$nix" nar ls --json -R torture.nar /
check torture.ls-R-sort.json "$nix" nar ls --json -R torture.nar /sort
check torture.ls-big.json "$nix" nar ls --json torture.nar /big.bin
check torture.cat-exec.sh "$nix" nar cat torture.nar /exec.sh
check file.ls-l "$nix" nar ls -l file.nar /
check file.ls.json "$nix" nar ls --json file.nar /
check symlink.ls-l "$nix" nar ls -l symlink.nar /
check symlink.ls.json "$nix" nar ls --json symlink.nar /
check weird.ls-lR "$nix" nar ls -lR weird.nar /
check weird.ls-R.json "$nix" nar ls --json -R weird.nar /
"$nix" nar cat torture.nar /big.bin | cmp - "$tmp/tree/big.bin" || fail "nix nar cat of big.bin"

# Error messages and exit codes, as recorded from Nix 2.8 in errors.txt.
: > "$tmp/errors.txt"
while IFS= read -r line; do
  case $line in
    "## nix nar"*)
      args=${line#"## nix nar"}
      echo "$line" >> "$tmp/errors.txt"
      rc=0; "$nix" nar $args > /dev/null 2>> "$tmp/errors.txt" || rc=$?
      echo "exit $rc" >> "$tmp/errors.txt" ;;
  esac
done < errors.txt
diff "$tmp/errors.txt" errors.txt || fail "nix nar error messages differ from Nix 2.8's"
echo "nar e2e: all passed"
