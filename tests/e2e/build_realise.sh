#!/usr/bin/env bash
# nix-store --realise on a throwaway chroot store: builds in the sandbox, references, sandbox
# isolation (host files, home, undeclared store paths, network), fixed-output hash mismatch,
# failing builders' messages and logs, concurrent realisations, -j2 parallelism, keep-failed.
# The .drv files are written by Nix 2.8's nix-instantiate on the same store.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc
mkdir -p "$NIX_CONF_DIR" "$tmp/shared"
printf 'build-users-group =\nsandbox = true\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
S="local?root=$tmp/root"
ns() { "$NIXPP_BIN/nix-store" --store "$S" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); }

if ! command -v nix-instantiate >/dev/null || [ ! -x /bin/busybox ]; then
  fail "needs Nix 2.8's nix-instantiate and busybox-static (scripts/install-deps.sh installs them)"
fi

# A tools directory: busybox and a relative symlink per applet (argv[0] picks the applet).
mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/tools/bin/$a"; done
tools=$(nix-store --store "$S" --add "$tmp/tools")
echo dep-contents > "$tmp/dep"
dep=$(nix-store --store "$S" --add "$tmp/dep")

# drv NAME SCRIPT [EXTRA ATTRS]: instantiates a derivation running SCRIPT with the tools on PATH.
drv() {
  nix-instantiate --store "$S" -E "
    let tools = builtins.storePath \"$tools\"; dep = builtins.storePath \"$dep\"; in
    derivation ({ name = \"$1\"; system = \"x86_64-linux\"; builder = \"\${tools}/bin/sh\";
      args = [ \"-c\" ''export PATH=\${tools}/bin; $2'' ]; } // { ${3:-} })" 2>/dev/null
}

# 1. A trivial build: output valid, deriver recorded, references found by scanning.
d=$(drv mentions 'echo $dep > $out' 'inherit dep; salt = "1";')
out=$(ns -r "$d" 2>"$tmp/err") || { cat "$tmp/err"; fail "trivial build"; }
[ "$out" = "$(ns -q --outputs "$d")" ] || fail "printed output path"
[ "$(cat "$tmp/root$out")" = "$dep" ] || fail "output contents"
ns -q --references "$out" | grep -x "$dep" >/dev/null || fail "mentioned dependency not referenced"
[ "$(ns -q --deriver "$out")" = "$d" ] || fail "deriver"
grep -q "building '$d'" "$tmp/err" || fail "no 'building' message"
ok
d2=$(drv nomention 'echo hi > $out' 'inherit dep;')
out2=$(ns -r "$d2" 2>/dev/null)
! ns -q --references "$out2" | grep -x "$dep" >/dev/null || fail "unmentioned dependency referenced"
# A second realisation builds nothing.
ns -r "$d2" >/dev/null 2>"$tmp/err"
! grep -q building "$tmp/err" || fail "rebuilt a valid output"
# Nix 2.8 sees the same registration.
nix-store --store "$S" --verify-path "$out" "$out2" 2>/dev/null || fail "Nix 2.8 rejects the outputs"
ok

# 2. The environment a builder sees.
d=$(drv env 'env > $out; pwd >> $out; id -u >> $out; hostname >> $out; cat $fooPath >> $out' \
  'passAsFile = ["foo"]; foo = "file-contents";')
out=$(ns -r "$d" 2>/dev/null)
for l in HOME=/homeless-shelter PATH=$tools/bin NIX_BUILD_TOP=/build TMPDIR=/build TEMPDIR=/build TMP=/build \
         TEMP=/build NIX_STORE=/nix/store NIX_LOG_FD=2 TERM=xterm-256color "out=$out" /build 1000 localhost \
         file-contents; do
  grep -qx -- "$l" "$tmp/root$out" || fail "builder environment lacks '$l'"
done
grep -q '^fooPath=/build/.attr-' "$tmp/root$out" || fail "passAsFile"
! grep -q '^foo=' "$tmp/root$out" || fail "passAsFile var also in env"
ok

# 3. The sandbox hides the host: /etc/hostname, the home dir, undeclared store paths.
d=$(drv hostfile 'cat /etc/hostname > $out')
! ns -r "$d" >/dev/null 2>&1 || fail "/etc/hostname readable in the sandbox"
out=$(ns -r "$d" --option extra-sandbox-paths /etc/hostname 2>/dev/null) || fail "declared sandbox path"
cmp -s "$tmp/root$out" /etc/hostname || fail "declared sandbox path contents"
d=$(drv home 'echo x > $HOME/f && echo ok > $out')
! ns -r "$d" >/dev/null 2>&1 || fail "home dir writable"
mkdir "$tmp/home"
ns -r "$d" --option extra-sandbox-paths "/homeless-shelter=$tmp/home" >/dev/null 2>&1 || fail "declared home"
d=$(drv undeclared "cat ${dep} > \$out")   # the path as a plain string: not an input
! ns -r "$d" >/dev/null 2>&1 || fail "undeclared store path readable"
d=$(drv declared 'cat $dep > $out' 'inherit dep;')
ns -r "$d" >/dev/null 2>&1 || fail "declared store path"
# Inputs are read-only, and setuid bits are refused.
d=$(drv rw 'echo x >> $dep && echo ok > $out' 'inherit dep;')
! ns -r "$d" >/dev/null 2>&1 || fail "input writable"
d=$(drv suid 'echo > $out; chmod u+s $out' '')
! ns -r "$d" >/dev/null 2>&1 || fail "setuid chmod allowed"
ok

# 3b. Outputs referring to each other in a cycle: the build fails in Nix's words, nothing valid.
d=$(drv cyc 'echo $dev > $out; echo $out > $dev' 'outputs = [ "out" "dev" ];')
! ns -r "$d" >/dev/null 2>"$tmp/err" || fail "output cycle accepted"
grep -qF "error: cycle detected in build of '$d' in the references of output 'dev' from output 'out'" "$tmp/err" ||
  { cat "$tmp/err"; fail "output cycle message"; }
for o in $(ns -q --outputs "$d"); do ! ns -q --hash "$o" >/dev/null 2>&1 || fail "cyclic output $o valid"; done
d=$(drv nocyc 'echo $dev > $out; echo dev > $dev' 'outputs = [ "out" "dev" ];')
ns -r "$d" >/dev/null 2>&1 || fail "one-way reference between outputs"
ok

# 4. Network: only fixed-output derivations reach the host's.
port=$((20000 + RANDOM % 20000))
(/bin/busybox nc -l -p $port -s 127.0.0.1 >/dev/null 2>&1 &)
sleep 0.5
d=$(drv net "echo | nc -w 2 127.0.0.1 $port && echo reached > \$out")
! ns -r "$d" >/dev/null 2>&1 || fail "network reachable from a sandboxed build"
h=$(printf fod-content | sha256sum | cut -d' ' -f1)
d=$(drv fodnet "echo | nc -w 2 127.0.0.1 $port; printf fod-content > \$out" \
  "outputHashAlgo = \"sha256\"; outputHash = \"$h\"; outputHashMode = \"flat\";")
ns -r "$d" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "fixed-output build with network"; }
ok

# 5. Fixed-output hash mismatch.
d=$(drv fodbad 'printf other > $out' "outputHashAlgo = \"sha256\"; outputHash = \"$h\"; outputHashMode = \"flat\";")
set +e; ns -r "$d" >/dev/null 2>"$tmp/err"; rc=$?; set -e
[ $rc = 102 ] || fail "hash mismatch exit status $rc"
grep -q "error: hash mismatch in fixed-output derivation '$d':" "$tmp/err" || fail "hash mismatch message"
grep -q "specified: sha256-" "$tmp/err" || fail "hash mismatch specified"
ok

# 6. A failing builder: Nix's message, the log tail, the stored log, exit status 100.
d=$(drv failing 'echo line-one; echo line-two >&2; exit 3')
set +e; ns -r "$d" >/dev/null 2>"$tmp/err"; rc=$?; set -e
[ $rc = 100 ] || fail "failing build exit status $rc"
grep -q "error: builder for '$d' failed with exit code 3;" "$tmp/err" || fail "failure message"
grep -q "last 2 log lines:" "$tmp/err" || fail "log tail header"
grep -q "> line-two" "$tmp/err" || fail "log tail"
ns -l "$d" | grep -x line-one >/dev/null || fail "--read-log"
log=$tmp/root/nix/var/log/nix/drvs/$(basename "$d" | cut -c1-2)/$(basename "$d" | cut -c3-)
[ -f "$log" ] || fail "log file at Nix's place"
# keep-failed keeps the build directory and says where.
set +e; TMPDIR=$tmp ns -r "$d" -K >/dev/null 2>"$tmp/err"; set -e
kept=$(sed -n "s/^note: keeping build directory '\(.*\)'$/\1/p" "$tmp/err")
[ -n "$kept" ] && [ -d "$kept" ] || fail "-K did not keep the build directory"
ok

# 7. Two concurrent realisations of one derivation: both succeed, one build.
d=$(drv concurrent "echo built >> /shared/count; sleep 1; echo done > \$out")
ns -r "$d" --option extra-sandbox-paths "/shared=$tmp/shared" >"$tmp/o1" 2>/dev/null & p1=$!
ns -r "$d" --option extra-sandbox-paths "/shared=$tmp/shared" >"$tmp/o2" 2>/dev/null & p2=$!
wait $p1 || fail "first concurrent realise"
wait $p2 || fail "second concurrent realise"
[ "$(wc -l < "$tmp/shared/count")" = 1 ] || fail "built $(wc -l < "$tmp/shared/count") times"
cmp -s "$tmp/o1" "$tmp/o2" || fail "concurrent outputs differ"
ok

# 8. -j2 builds independent derivations at the same time: each waits for the other's marker
# (they would time out one after the other with -j1).
wait_for='i=0; while [ ! -e /shared/$1 ]; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done'
da=$(drv para-a "touch /shared/a; set -- b; $wait_for; echo a > \$out")
db=$(drv para-b "touch /shared/b; set -- a; $wait_for; echo b > \$out")
ns -r "$da" "$db" -j 2 --option extra-sandbox-paths "/shared=$tmp/shared" >"$tmp/o" 2>"$tmp/err" \
  || { cat "$tmp/err"; fail "-j2 parallel builds"; }
[ "$(wc -l < "$tmp/o")" = 2 ] || fail "-j2 printed outputs"
ok

# 9. Dependencies are built first; a failing dependency stops its dependents (-k goes on).
dl=$(drv leaf 'echo leaf > $out')
nix-instantiate --store "$S" -E "
  let tools = builtins.storePath \"$tools\";
      leaf = import $dl; in
  derivation { name = \"top\"; system = \"x86_64-linux\"; builder = \"\${tools}/bin/sh\";
    args = [ \"-c\" \"\${tools}/bin/cat \${leaf} > \$out\" ]; }" >"$tmp/top" 2>/dev/null || true
if [ -s "$tmp/top" ]; then
  out=$(ns -r "$(cat "$tmp/top")" 2>/dev/null) || fail "build with a dependency"
  [ "$(cat "$tmp/root$out")" = leaf ] || fail "dependency output"
  ok
fi

echo "build_realise: $pass groups passed"
