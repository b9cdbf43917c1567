#!/usr/bin/env bash
# End-to-end test of `nix eval`: --expr, --file with attribute paths, --arg/--argstr, --apply,
# --json, --raw, pure evaluation by default and --impure, errors. Expected outputs are Nix 2.8's
# (`nix eval` with nix-command enabled) where 2.8 already prints as current Nix does; where
# current Nix differs from 2.8 (functions «lambda ... @ pos», derivations «derivation ...drv»,
# the newline after --json) the expectation follows current Nix and says so.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nix=$NIXPP_BIN/nix
fail() { echo "FAIL: $*" >&2; exit 1; }
export NIX_CONF_DIR=$tmp/etc HOME=$tmp/home
unset NIX_CONFIG NIX_USER_CONF_FILES NIX_REMOTE NIX_PATH
mkdir -p "$NIX_CONF_DIR" "$HOME"
printf 'build-users-group =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
S=(--store "local?root=$tmp/root")
cd "$tmp"

# check EXPECTED ARGS...: stdout of `nix eval ARGS...` (which must succeed) is EXPECTED.
check() {
  local want=$1; shift
  local got; got=$("$nix" eval "${S[@]}" "$@") || fail "nix eval $* failed"
  [[ $got == "$want" ]] || fail "nix eval $*: got [$got], want [$want]"
}
# check_fail ERROR ARGS...: `nix eval ARGS...` exits 1 and its stderr contains ERROR.
check_fail() {
  local want=$1; shift
  local rc=0
  "$nix" eval "${S[@]}" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [[ $rc == 1 ]] || fail "nix eval $*: exit $rc, want 1"
  grep -qF -- "$want" "$tmp/err" || fail "nix eval $*: stderr [$(cat "$tmp/err")] lacks [$want]"
}

check '{ a = 1; b = "x"; c = [ 1 2 { d = null; } ]; e = 1.5; p = /tmp/foo; }' \
  --expr '{ a = 1; b = "x"; c = [ 1 2 { d = null; } ]; p = /tmp/foo; e = 1.5; }'
check '3' --expr '1 + 2'
check '[ 2 "a\nb" 2.5 null true ]' --expr '[ (1+1) "a\nb" 2.5 null true ]'
check '{ a = «repeated»; }' --expr 'let x = { a = x; }; in x'
check '2' --expr '{a = 1;}' --apply 'x: x.a + 1'
# Pure by default: getEnv gives "".
check '""' --expr 'builtins.getEnv "HOME"'
check "\"$HOME\"" --impure --expr 'builtins.getEnv "HOME"'

# --raw: verbatim, no newline at the end.
"$nix" eval "${S[@]}" --raw --expr '"hello\nworld"' > "$tmp/raw"
printf 'hello\nworld' | cmp -s - "$tmp/raw" || fail "--raw output: $(od -c "$tmp/raw")"
check_fail "cannot coerce an integer to a string" --raw --expr '1'
# A derivation as --raw is its outPath (Nix 2.8: same path).
check '/nix/store/gwwjwi08fyrbrz2d8zkfvy65nzzq2czp-x' --raw --expr 'derivation { name = "x"; builder = "b"; system = "s"; }'
# Current Nix (not 2.8) prints derivations by their .drv path.
check '«derivation /nix/store/5wq5jx7219pmi3xklyhl77fjbqvy6qaj-x.drv»' --expr 'derivation { name = "x"; builder = "b"; system = "s"; }'
check '«primop map»' --expr 'builtins.map'

# --json: one line (current Nix ends it with a newline; 2.8 did not).
"$nix" eval "${S[@]}" --json --expr '{ a = 1; b = [ true null ]; }' > "$tmp/json"
printf '{"a":1,"b":[true,null]}\n' | cmp -s - "$tmp/json" || fail "--json output: $(cat "$tmp/json")"
check_fail "cannot convert a function to JSON" --json --expr 'x: x'

# --file with an attribute path; auto-arguments are passed when the path goes through a function.
printf '{ x ? 1 }: { a = x; b.c = "s"; }' > f.nix
check '5' -f f.nix --arg x 5 a
check '1' --file ./f.nix a
check 's' -f f.nix --argstr x hi b.c --raw
check "«lambda @ $tmp/f.nix:1:1»" -f f.nix
echo '{ y = 7; }' | "$nix" eval "${S[@]}" --file - y > "$tmp/stdin"
[[ $(cat "$tmp/stdin") == 7 ]] || fail "--file -"
mkdir inc && echo '42' > inc/answer.nix
# As Nix 2.8, pure evaluation has no search path: -I needs --impure.
check '42' --impure -I "$tmp/inc" --expr 'import <answer.nix>'
check_fail "cannot look up '<answer.nix>' in pure evaluation mode (use '--impure' to override)" \
  -I "$tmp/inc" --expr 'import <answer.nix>'

# Errors.
check_fail "error: boo" --expr 'throw "boo"'
check_fail "error: x" --expr '{ a = throw "x"; }'
check_fail "the expression selected by the selection path 'foo' should be a set but is an integer" --expr '1' foo
check_fail "attribute 'b' missing" --expr '{ a = 1; }' --apply 'x: x.b'
check_fail "flakes are not supported" '.#foo'
rc=0; "$nix" eval "${S[@]}" --expr 1 --json --raw 2>/dev/null || rc=$?
[[ $rc != 0 ]] || fail "--json --raw accepted"
echo "nix_eval: ok"
