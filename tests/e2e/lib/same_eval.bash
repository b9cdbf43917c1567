# tests/e2e/lib/same_eval.bash: `same EXPR` evaluates EXPR with the caller's `nixpp` and, when
# $haveNix is 1, its `nix28` function, fails unless both print the same non-empty output, and
# prints it. Needs $tmp and fail().
same() {
  local out; out=$(nixpp -E "$1" 2>"$tmp/err") || { cat "$tmp/err" >&2; fail "nixpp failed on: $1"; }
  [ -n "$out" ] || fail "empty output for: $1"
  if [ $haveNix = 1 ]; then
    local want; want=$(nix28 -E "$1" 2>/dev/null) || fail "nix 2.8 failed on: $1"
    [ "$out" = "$want" ] || fail "$1"$'\n'"  nixpp: $out"$'\n'"  nix:   $want"
  fi
  echo "$out"
}
