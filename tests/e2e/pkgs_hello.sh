#!/usr/bin/env bash
# pkgs/: GNU hello 2.10 built from its upstream tarball by the stdenv bootstrapped from the pinned
# Debian seed, on a throwaway store with the sandbox on and the sources served by a hashed mirror
# (scripts/fill-mirror.sh fills it, or finds it filled), in a mount namespace where the host's
# toolchain is covered (tests/e2e/lib/pkgs_env.bash). Checks: hello prints its greeting, also
# under env -i; its closure is store paths only (hello and glibc); builds see no /usr; rebuilds
# of hello and of the bootstrap's derivations with --check are deterministic; nix-env -f pkgs
# -qa / -iA / -e / --rollback on the collection; nix-shell -p hello and a shell.nix with
# stdenv.mkDerivation (--run, --pure, the stdenv's compiler, shellHook); nix shell, nix run and
# nix develop on hello.
# Time: 79 s at load 2-6 on the shared 2-core machine (bootstrap 15 s, hello 23 s, --check 18 s
# and 16 s).
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

# 4. A rebuild with --check is bit-for-bit identical: hello, and each derivation of the bootstrap
# (busybox out of its .deb, glibc and its development files, the seed tools, bash, the gcc
# wrapper, the stdenv's setup).
check hello
boot=()
for a in busybox glibc glibcDev seedTools bash cc setup; do
  boot+=("$("$NIXPP_BIN/nix-instantiate" "$pkgs" -A "stdenv.$a" 2>/dev/null)") || fail "nix-instantiate -A stdenv.$a"
done
start=$(date +%s)
"$NIXPP_BIN/nix-store" -r --check "${boot[@]}" >"$tmp/check-boot.log" 2>&1 || { tail -20 "$tmp/check-boot.log"; fail "the bootstrap is not deterministic"; }
echo "bootstrap --check (${#boot[@]} derivations): deterministic, $(( $(date +%s) - start )) s"

# 5. The collection through nix-env: query, install, remove, roll back.
qa=$("$NIXPP_BIN/nix-env" -f "$pkgs" -qa 2>&1)
grep -q '^hello-2.10$' <<<"$qa" || fail "nix-env -qa does not list hello-2.10: $qa"
grep -q '^lua-5.3.6$' <<<"$qa" || fail "nix-env -qa does not list lua-5.3.6: $qa"
grep -q '^gnumake-4.3$' <<<"$qa" && grep -q '^sqlite-3.40.1$' <<<"$qa" || fail "nix-env -qa does not list gnumake and sqlite: $qa"
profile=$tmp/profile
"$NIXPP_BIN/nix-env" -p "$profile" -f "$pkgs" -iA hello >/dev/null 2>&1 || fail "nix-env -iA hello failed"
[ "$("$profile/bin/hello")" = "Hello, world!" ] || fail "hello from the profile"
"$NIXPP_BIN/nix-env" -p "$profile" -e hello >/dev/null 2>&1 || fail "nix-env -e hello failed"
[ ! -e "$profile/bin/hello" ] || fail "hello still in the profile after -e"
"$NIXPP_BIN/nix-env" -p "$profile" --rollback >/dev/null 2>&1 || fail "nix-env --rollback failed"
[ "$("$profile/bin/hello")" = "Hello, world!" ] || fail "hello not back after --rollback"
# 6. nix-shell on the collection: -p hello (runCommandCC and bashInteractive of <nixpkgs>), and a
# shell.nix with stdenv.mkDerivation: the setup sourced (its phases defined), the inputs on PATH,
# the stdenv's compiler building a program, shellHook; --pure drops the caller's PATH.
out=$("$NIXPP_BIN/nix-shell" -I nixpkgs="$pkgs" -p hello --run hello 2>"$tmp/shell.log") || { cat "$tmp/shell.log"; fail "nix-shell -p hello --run hello"; }
[ "$out" = "Hello, world!" ] || fail "nix-shell -p hello --run hello printed '$out'"
! grep -q 'warning' "$tmp/shell.log" || { cat "$tmp/shell.log"; fail "nix-shell -p hello warned"; }
out=$(NIX_PATH=nixpkgs=$pkgs "$NIXPP_BIN/nix-shell" -p hello --run 'readlink /proc/$$/exe' 2>/dev/null)
[ "$out" = "$(readlink -f "$("$NIXPP_BIN/nix-build" "$pkgs" -A bashInteractive --no-out-link 2>/dev/null)")/bin/bash" ] ||
  fail "nix-shell -p does not run <nixpkgs>'s bashInteractive: $out"
mkdir -p proj hostbin
printf '#!/bin/sh\necho host\n' > hostbin/host-only-tool && chmod +x hostbin/host-only-tool
cat > proj/shell.nix <<'NIX'
{ pkgs ? import <nixpkgs> { } }:
pkgs.stdenv.mkDerivation {
  name = "hello-dev-shell";
  buildInputs = [ pkgs.hello ];
  GREETING = "from shell.nix";
  shellHook = ''
    export HOOK_RAN=yes
  '';
}
NIX
printf '#include <stdio.h>\nint main(void) { puts("compiled in nix-shell"); return 0; }\n' > proj/t.c
script='set -e
  [ "$(hello)" = "Hello, world!" ]
  [ "$GREETING" = "from shell.nix" ] && [ "$HOOK_RAN" = yes ] && [ "$IN_NIX_SHELL" = "$want" ]
  [ "$(type -t genericBuild)" = function ] && [ "$(type -t unpackPhase)" = function ]
  case $(type -P cc) in "$NIX_STORE"/*) ;; *) echo "cc is $(type -P cc)"; exit 1 ;; esac
  cc -o t t.c && [ "$(./t)" = "compiled in nix-shell" ]
  if grep -a -q -e /usr/lib -e /lib64/ld-linux t; then echo "t refers to the host libc"; exit 1; fi
  type -P host-only-tool || echo "no host-only-tool"'
(cd proj && PATH=$PATH:$tmp/hostbin want=impure NIX_PATH=nixpkgs=$pkgs "$NIXPP_BIN/nix-shell" --keep want --run "$script") >"$tmp/shell.out" 2>&1 ||
  { cat "$tmp/shell.out"; fail "nix-shell shell.nix --run"; }
grep -q "^$tmp/hostbin/host-only-tool$" "$tmp/shell.out" || { cat "$tmp/shell.out"; fail "nix-shell (impure) lost the caller's PATH"; }
(cd proj && PATH=$PATH:$tmp/hostbin want=pure NIX_PATH=nixpkgs=$pkgs "$NIXPP_BIN/nix-shell" --pure --keep want --run "$script") >"$tmp/shell.out" 2>&1 ||
  { cat "$tmp/shell.out"; fail "nix-shell --pure shell.nix --run"; }
grep -q "^no host-only-tool$" "$tmp/shell.out" || { cat "$tmp/shell.out"; fail "nix-shell --pure kept the caller's PATH"; }
# An interactive nix-shell does not keep setup.sh's -u and pipefail (a bare unset variable is
# fine, a failing pipeline's status is its last command's).
(cd proj && NIX_PATH=nixpkgs=$pkgs "$NIXPP_BIN/nix-shell" --run 'echo "[$UNSET_VAR]"; false | true && echo no-pipefail') >"$tmp/shell.out" 2>&1 ||
  { cat "$tmp/shell.out"; fail "nix-shell keeps set -u or pipefail from setup.sh"; }
grep -q '^\[\]$' "$tmp/shell.out" && grep -q '^no-pipefail$' "$tmp/shell.out" || { cat "$tmp/shell.out"; fail "nix-shell: set -u or pipefail kept"; }

# 7. The new CLI on the collection: nix shell, nix run, nix develop (hello's build environment).
out=$("$NIXPP_BIN/nix" shell -f "$pkgs" hello --command hello 2>"$tmp/nix-shell.log") || { cat "$tmp/nix-shell.log"; fail "nix shell -f pkgs hello"; }
[ "$out" = "Hello, world!" ] || fail "nix shell -f pkgs hello --command hello printed '$out'"
out=$("$NIXPP_BIN/nix" run -f "$pkgs" hello 2>"$tmp/nix-run.log") || { cat "$tmp/nix-run.log"; fail "nix run -f pkgs hello"; }
[ "$out" = "Hello, world!" ] || fail "nix run -f pkgs hello printed '$out'"
out=$("$NIXPP_BIN/nix" develop -f "$pkgs" hello --command bash -c 'echo "$pname $version $src"; type -P cc' 2>"$tmp/nix-develop.log") ||
  { cat "$tmp/nix-develop.log"; fail "nix develop -f pkgs hello"; }
[[ "$(sed -n 1p <<<"$out")" == "hello 2.10 $NIX_STORE_DIR"/*-hello_2.10.orig.tar.gz ]] || fail "nix develop -f pkgs hello: $out"
case $(sed -n 2p <<<"$out") in "$NIX_STORE_DIR"/*-gcc-wrapper-*/bin/cc) ;; *) fail "nix develop: cc is not the stdenv's: $out" ;; esac
echo "PASS pkgs_hello"
