#!/usr/bin/env bash
# pkgs/: GNU hello 2.10 built from its upstream tarball by the stdenv bootstrapped from the pinned
# Debian seed, on a throwaway store with the sandbox on and the sources served by a hashed mirror
# (scripts/fill-mirror.sh fills it, or finds it filled). Checks: hello prints its greeting, also
# under env -i; its closure is store paths only (hello and glibc); builds see no /usr; a rebuild
# with --check is deterministic; nix-env -f pkgs -qa / -iA / -e / --rollback on the collection.
# Time: 14-16 min on the shared 2-core machine at load 13-19 (bootstrap 106-160 s, hello 350-430 s,
# and hello again for --check); about 3.5 min of CPU.
set -euo pipefail
: "${NIXPP_BIN:?}" "${NIXPP_SRC:?}"
. "$NIXPP_SRC/tests/e2e/lib/pkgs_env.bash"

# 1. hello from source: the greeting, with and without an environment.
start=$(date +%s)
"$NIXPP_BIN/nix-build" "$pkgs" -A stdenv >"$tmp/bootstrap.log" 2>&1 || { tail -30 "$tmp/bootstrap.log"; fail "bootstrap failed"; }
mid=$(date +%s)
"$NIXPP_BIN/nix-build" "$pkgs" -A hello >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; fail "nix-build -A hello failed"; }
end=$(date +%s)
echo "bootstrap: $((mid - start)) s, hello: $((end - mid)) s"
[ -L result ] || fail "no ./result link"
out=$(./result/bin/hello)
[ "$out" = "Hello, world!" ] || fail "hello printed '$out'"
out=$(env -i ./result/bin/hello)
[ "$out" = "Hello, world!" ] || fail "hello under env -i printed '$out'"

# 2. The closure: store paths only, and only hello and the seed's glibc.
closure=$("$NIXPP_BIN/nix-store" -qR ./result)
echo "$closure"
while read -r p; do
  case $p in "$NIX_STORE_DIR"/*) ;; *) fail "closure entry '$p' is not a store path" ;; esac
done <<<"$closure"
[ "$(wc -l <<<"$closure")" = 2 ] || fail "hello's closure should be hello and glibc only"
grep -q -- '-glibc-2.36' <<<"$closure" || fail "hello does not refer to the seed's glibc"
"$NIXPP_BIN/nix" path-info -S ./result
if grep -a -q '/usr/lib\|/lib64/ld-linux' result/bin/hello; then fail "hello refers to the host's /usr or /lib64"; fi

# 3. Builds see nothing of the host: no compiler, no headers.
cat > no-usr.nix <<'NIX'
{ pkgs }:
with import pkgs { };
runCommand "no-usr" { } ''
  for f in /usr/bin/gcc /usr/bin/cc /usr/include/stdio.h /bin/sh /lib64/ld-linux-x86-64.so.2; do
    if [ -e $f ]; then echo "$f is visible"; exit 1; fi
  done
  echo ok > $out
''
NIX
"$NIXPP_BIN/nix-build" -o no-usr no-usr.nix --arg pkgs "$pkgs" >"$tmp/no-usr.log" 2>&1 ||
  { cat "$tmp/no-usr.log"; fail "the sandbox shows host files"; }

# 4. A rebuild with --check is bit-for-bit identical.
"$NIXPP_BIN/nix-build" "$pkgs" -A hello --check >"$tmp/check.log" 2>&1 || { tail -20 "$tmp/check.log"; fail "hello is not deterministic"; }

# 5. The collection through nix-env: query, install, remove, roll back.
qa=$("$NIXPP_BIN/nix-env" -f "$pkgs" -qa 2>&1)
grep -q '^hello-2.10$' <<<"$qa" || fail "nix-env -qa does not list hello-2.10: $qa"
grep -q '^lua-5.3.6$' <<<"$qa" || fail "nix-env -qa does not list lua-5.3.6: $qa"
profile=$tmp/profile
"$NIXPP_BIN/nix-env" -p "$profile" -f "$pkgs" -iA hello >/dev/null 2>&1 || fail "nix-env -iA hello failed"
[ "$("$profile/bin/hello")" = "Hello, world!" ] || fail "hello from the profile"
"$NIXPP_BIN/nix-env" -p "$profile" -e hello >/dev/null 2>&1 || fail "nix-env -e hello failed"
[ ! -e "$profile/bin/hello" ] || fail "hello still in the profile after -e"
"$NIXPP_BIN/nix-env" -p "$profile" --rollback >/dev/null 2>&1 || fail "nix-env --rollback failed"
[ "$("$profile/bin/hello")" = "Hello, world!" ] || fail "hello not back after --rollback"
echo "PASS pkgs_hello"
