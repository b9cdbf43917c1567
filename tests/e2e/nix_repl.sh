#!/usr/bin/env bash
# End-to-end test of `nix repl` driven through a pipe: expressions (printed one level deep, in
# current Nix's multi-line layout), bindings, :l, :p, :t, :q, multi-line input, errors that do not
# end the session. Over a pipe the repl echoes each line after its prompt, as Nix 2.8's does; Nix
# colours values with ANSI codes even then, nixpp only on a terminal (not compared here).
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nix=$NIXPP_BIN/nix
fail() { echo "FAIL: $*" >&2; exit 1; }
export NIX_CONF_DIR=$tmp/etc HOME=$tmp/home
unset NIX_CONFIG NIX_USER_CONF_FILES NIX_REMOTE NIX_PATH
mkdir -p "$NIX_CONF_DIR" "$HOME"
printf 'build-users-group =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
cd "$tmp"
printf '{ x = 1; y = { z = "a"; }; }' > g.nix

cat > input <<'IN'
1 + 2
x = 5
x * 2
{ a = 1; b = { c = 2; }; }
:p { a = 1; b = { c = 2; }; }
:t x
:l g.nix
y
throw "oops"
[ 1 (throw "n") ]
foo
:t map
let a = 1;
in a + 1
[ 1 ]
:q
1
IN
"$nix" repl --store "local?root=$tmp/root" < input > out 2> err || fail "nix repl exited $?"
cat > want <<'OUT'
Welcome to Nix 2.24.0. Type :? for help.

nix-repl> 1 + 2
3

nix-repl> x = 5

nix-repl> x * 2
10

nix-repl> { a = 1; b = { c = 2; }; }
{
  a = 1;
  b = { ... };
}

nix-repl> :p { a = 1; b = { c = 2; }; }
{
  a = 1;
  b = { c = 2; };
}

nix-repl> :t x
an integer

nix-repl> :l g.nix
Added 2 variables.

nix-repl> y
{ z = "a"; }

nix-repl> throw "oops"

nix-repl> [ 1 (throw "n") ]
[
  1
  «error: n»
]

nix-repl> foo

nix-repl> :t map
the built-in function 'map'

nix-repl> let a = 1;
          in a + 1
2

nix-repl> [ 1 ]
[ 1 ]

nix-repl> :q
OUT
diff -u want out || fail "repl output differs"
grep -qF "error: oops" err || fail "missing 'error: oops' in: $(cat err)"
grep -qF "error: undefined variable 'foo'" err || fail "missing undefined variable error in: $(cat err)"

# End of input ends the session cleanly.
echo '"s"' | "$nix" repl --store "local?root=$tmp/root" > out2 || fail "nix repl at EOF"
grep -qx '"s"' out2 || fail "string result: $(cat out2)"

# The terminal path (libedit), when `script` is available: a result and tab completion.
if command -v script >/dev/null; then
  printf 'longVariableName = 41\nlongVar\t + 1\ns = { foo.barbaz = 1; }\ns.foo.bar\t\n:q\n' > tin
  TERM=dumb script -qec "$nix repl --store 'local?root=$tmp/root'" /dev/null < tin > tout 2>&1 || true
  tr -d '\r' < tout | grep '^42' >/dev/null || fail "terminal: completion of a variable: $(cat -A tout)"
  tr -d '\r' < tout | grep '^1$' >/dev/null || fail "terminal: completion of an attribute path: $(cat -A tout)"
fi
echo "nix_repl: ok"
