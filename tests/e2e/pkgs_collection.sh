#!/usr/bin/env bash
# pkgs/: the collection beyond hello, built from upstream sources in the sandbox on a throwaway
# store (sources from the hashed mirror that scripts/fill-mirror.sh fills): zlib, bzip2, xz,
# ncurses, readline, lua 5.3 and 5.4 side by side in one profile, the lua.override variant with
# readline, oniguruma and jq. Each package is exercised, its closure checked to be store paths.
# PKGS_ONLY="zlib bzip2 xz lua5_4 readline jq" restricts the run (lua5_4: both luas and the profile;
# readline: ncurses, readline, luaReadline). Each package is rebuilt with --check (deterministic).
# Runs in a mount namespace where the host's toolchain is covered (tests/e2e/lib/pkgs_env.bash).
# Prints the build and --check time of each package; 396 s in all at load 5-7 on 2 cores (beside
# pkgs_make_sqlite): bootstrap 8 s, zlib 10+11 s, bzip2 6+6, xz 62+46, lua5_3 6+7, lua5_4 10+15,
# ncurses 47+55, readline 10+19, luaReadline 3+13, oniguruma 11+14, jq 11+11.
set -euo pipefail
: "${NIXPP_BIN:?}" "${NIXPP_SRC:?}"
. "$NIXPP_SRC/tests/e2e/lib/pkgs_env.bash"

bootstrapStdenv

if want zlib; then
  build zlib
  [ -e zlib/lib/libz.so.1 ] || fail "zlib: no lib/libz.so.1"
  check zlib
fi
if want bzip2; then
  build bzip2
  echo "bzip2 round trip" | env -i bzip2/bin/bzip2 | env -i bzip2/bin/bzip2 -d | grep "bzip2 round trip" >/dev/null || fail "bzip2 round trip"
  check bzip2
fi
if want xz; then
  build xz
  echo "xz round trip" | env -i xz/bin/xz | env -i xz/bin/xz -d | grep "xz round trip" >/dev/null || fail "xz round trip"
  check xz
fi
if want lua5_4; then
  build lua5_3
  build lua5_4
  [ "$(env -i lua5_3/bin/lua -e 'print(_VERSION)')" = "Lua 5.3" ] || fail "lua5_3 runs"
  [ "$(env -i lua5_4/bin/lua -e 'print(_VERSION)')" = "Lua 5.4" ] || fail "lua5_4 runs"
  # Side by side in one profile: each under its versioned name, 5.4 owning lua (priority).
  profile=$tmp/profile
  "$NIXPP_BIN/nix-env" -p "$profile" -f "$pkgs" -iA lua5_3 lua5_4 >"$tmp/env.log" 2>&1 || { cat "$tmp/env.log"; fail "nix-env -iA lua5_3 lua5_4"; }
  [ "$("$profile/bin/lua5.3" -e 'print(_VERSION)')" = "Lua 5.3" ] || fail "lua5.3 from the profile"
  [ "$("$profile/bin/lua5.4" -e 'print(_VERSION)')" = "Lua 5.4" ] || fail "lua5.4 from the profile"
  [ "$("$profile/bin/lua" -e 'print(_VERSION)')" = "Lua 5.4" ] || fail "lua from the profile is not 5.4"
  "$NIXPP_BIN/nix-env" -p "$profile" -q | sort | tr '\n' ' ' | grep "lua-5.3.6 lua-5.4.4" >/dev/null || fail "nix-env -q lists both luas"
  check lua5_3 lua5_4
fi
if want readline; then
  build ncurses
  build readline
  [ -e readline/lib/libreadline.so.8 ] || fail "readline: no lib/libreadline.so.8"
  build luaReadline
  # The variant links readline (and through it ncurses); the plain lua does not.
  grep -a -q libreadline.so luaReadline/bin/lua5.4 || fail "lua.override { readlineSupport = true; } does not use readline"
  if [ -e lua5_4 ] && grep -a -q libreadline.so lua5_4/bin/lua5.4; then fail "plain lua uses readline"; fi
  [ "$(env -i luaReadline/bin/lua -e 'print(1+1)')" = 2 ] || fail "luaReadline runs"
  check ncurses readline luaReadline
fi
if want jq; then
  build oniguruma
  build jq
  out=$(echo '{"name":"nixpp","tags":["a","bc"]}' | env -i jq/bin/jq -c '[.name, (.tags|map(test("^b")))]')
  [ "$out" = '["nixpp",[false,true]]' ] || fail "jq printed $out"
  check oniguruma jq
fi
echo "PASS pkgs_collection"
