#!/usr/bin/env bash
# End-to-end test of nixpp's configuration chain: nix.conf (with include / !include / extra-),
# the user files, NIX_CONFIG, and command-line flags, observed through `nix show-config` and
# `nix config show NAME`, plus the unknown-setting warning. Expected values are Nix 2.8's
# behaviour (see tests/data/config/generate.sh).
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nix=$NIXPP_BIN/nix
fail() { echo "FAIL: $*" >&2; exit 1; }
# Settings only from files we write here.
export NIX_CONF_DIR=$tmp/etc HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_CONFIG_DIRS=$tmp/xdg
unset NIX_CONFIG NIX_USER_CONF_FILES NIX_REMOTE NIX_PATH
mkdir -p "$NIX_CONF_DIR/sub" "$XDG_CONFIG_HOME/nix"

# get NAME [ARGS...]: the value of one setting.
get() { local n=$1; shift; "$nix" config show "$@" "$n"; }
expect() { # expect NAME VALUE [ARGS...]
  local n=$1 v=$2; shift 2
  local got; got=$(get "$n" "$@") || fail "nix config show $n failed"
  [ "$got" = "$v" ] || fail "$n: expected '$v', got '$got'"
}

# Defaults.
expect store auto
expect require-sigs true
expect substituters https://cache.nixos.org/
expect pure-eval true

# The system file, an include relative to it, a missing !include, extra- appends.
cat > "$NIX_CONF_DIR/nix.conf" <<'CONF'
# comment
cores = 3   # trailing comment
substituters = https://a/  https://b/
extra-substituters = https://c/
keep-going = yes
include sub/more.conf
!include sub/missing.conf
CONF
printf 'max-jobs = 7\nextra-trusted-users = alice\n' > "$NIX_CONF_DIR/sub/more.conf"
expect cores 3
expect substituters "https://a/ https://b/ https://c/"
expect keep-going true
expect max-jobs 7
expect trusted-users "root alice"

# The whole listing: sorted "name = value" lines ending with a blank line.
"$nix" show-config > "$tmp/all"
grep -qx 'cores = 3' "$tmp/all" || fail "show-config lacks cores"
grep -qx 'build-users-group = ' "$tmp/all" || fail "show-config lacks empty build-users-group"
sort -c <(grep . "$tmp/all") || fail "show-config is not sorted"
[ "$(tail -c 2 "$tmp/all" | od -An -c | tr -d ' ')" = '\n\n' ] || fail "show-config does not end with a blank line"

# The user file overrides the system file; NIX_CONFIG overrides both; flags override everything.
printf 'cores = 4\nextra-substituters = https://u/\n' > "$XDG_CONFIG_HOME/nix/nix.conf"
expect cores 4
expect substituters "https://a/ https://b/ https://c/ https://u/"
export NIX_CONFIG=$'cores = 5\nsandbox = relaxed'
expect cores 5
expect sandbox relaxed
expect cores 6 --option cores 6
expect cores 7 --cores 7
expect substituters "x y" --option substituters "x y"
expect substituters "https://a/ https://b/ https://c/ https://u/ z" --extra-substituters z
expect substituters "c" --extra-substituters a --extra-substituters b --substituters c
expect substituters "c d" --option substituters c --option extra-substituters d
expect sandbox false --no-sandbox
expect sandbox true --sandbox
expect keep-going false --no-keep-going
expect max-jobs 3 -j 3
expect store /tmp/x --store /tmp/x
NIX_REMOTE=daemon expect store daemon
unset NIX_CONFIG

# NIX_USER_CONF_FILES replaces the XDG files; the first listed wins.
printf 'cores = 11\n' > "$tmp/u1"; printf 'cores = 12\nconnect-timeout = 12\n' > "$tmp/u2"
NIX_USER_CONF_FILES=$tmp/u1:$tmp/u2 expect cores 11
NIX_USER_CONF_FILES=$tmp/u1:$tmp/u2 expect connect-timeout 12

# Unknown settings: a warning (once, sorted), not an error; unknown --option is silent for `nix`.
printf 'foo = 1\nextra-cores = 2\n' >> "$NIX_CONF_DIR/nix.conf"
"$nix" show-config > /dev/null 2> "$tmp/err"
printf "warning: unknown setting 'extra-cores'\nwarning: unknown setting 'foo'\n" | diff - "$tmp/err" \
  || fail "unknown-setting warnings differ"
"$nix" show-config --option bar 1 > /dev/null 2> "$tmp/err"
! grep -q "'bar'" "$tmp/err" || fail "unknown --option warned"

# Errors: a missing `include`, an illegal line, a bad value, an unknown flag.
printf 'include nothere.conf\n' >> "$NIX_CONF_DIR/nix.conf"
if "$nix" show-config > /dev/null 2> "$tmp/err"; then fail "missing include accepted"; fi
grep -qF "error: file '$NIX_CONF_DIR/nothere.conf' included from '$NIX_CONF_DIR/nix.conf' not found" "$tmp/err" \
  || fail "wrong missing-include error: $(cat "$tmp/err")"
printf 'garbage\n' > "$NIX_CONF_DIR/nix.conf"
if "$nix" show-config > /dev/null 2> "$tmp/err"; then fail "illegal line accepted"; fi
grep -qF "error: illegal configuration line 'garbage' in '$NIX_CONF_DIR/nix.conf'" "$tmp/err" || fail "wrong illegal-line error"
: > "$NIX_CONF_DIR/nix.conf"
if "$nix" show-config --cores x > /dev/null 2> "$tmp/err"; then fail "bad value accepted"; fi
grep -qF "error: setting 'cores' has invalid value 'x'" "$tmp/err" || fail "wrong bad-value error"
if "$nix" show-config --foo bar > /dev/null 2> "$tmp/err"; then fail "unknown flag accepted"; fi
grep -qF "error: unrecognised flag '--foo'" "$tmp/err" || fail "wrong unknown-flag error"
if "$nix" config show no-such-setting > /dev/null 2> "$tmp/err"; then fail "unknown name accepted"; fi
echo "config: all checks passed"
