#!/usr/bin/env bash
# nix-build on throwaway chroot stores, compared with Nix 2.8's nix-build on a store of its own:
# default.nix, -A, -E, --arg/--argstr, -I, -o/--no-out-link, result-2 / result-<output> links
# registered as indirect GC roots (<state>/gcroots/auto/<hash> -> the link), --dry-run, --check,
# errors and exit statuses, and two nix-builds of one derivation at once (one build, both succeed).
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc
mkdir -p "$NIX_CONF_DIR" "$tmp/shared" "$tmp/w" "$tmp/o"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
S="local?root=$tmp/root"    # nixpp's store
O="local?root=$tmp/oroot"   # Nix 2.8's store
nb() { "$NIXPP_BIN/nix-build" --store "$S" "$@"; }
onb() { nix-build --store "$O" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); }
command -v nix-build >/dev/null && [ -x /bin/busybox ] || fail "needs Nix 2.8 and busybox-static"

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh echo cat sleep mkdir; do ln -s busybox "$tmp/tools/bin/$a"; done
cat > "$tmp/w/default.nix" <<NIX
{ salt ? "0", extra ? "" }:
let
  tools = builtins.path { path = $tmp/tools; name = "tools"; };
  mk = name: script: attrs: derivation ({
    inherit name salt extra; system = "x86_64-linux"; builder = "\${tools}/bin/sh";
    args = [ "-c" "export PATH=\${tools}/bin; \${script}" ]; } // attrs);
in rec {
  a = mk "a" "echo a \$extra > \$out" {};
  b = mk "b" "echo \${a} > \$out" {};
  multi = mk "multi" "echo o > \$out; echo d > \$dev" { outputs = [ "out" "dev" ]; };
  fails = mk "fails" "echo oops; exit 3" {};
  both = [ a b ];
}
NIX
cd "$tmp/w"

# 1. default.nix in the current directory, -A: the same output path as Nix 2.8; a result link
# registered as an indirect root.
out=$(nb -A b 2>"$tmp/err") || { cat "$tmp/err"; fail "nix-build -A b"; }
oout=$(cd "$tmp/o" && onb "$tmp/w/default.nix" -A b 2>/dev/null)
[ "$out" = "$oout" ] || fail "output path $out, Nix 2.8: $oout"
[ "$(readlink result)" = "$out" ] || fail "result link: $(readlink result)"
[ "$(cat "$tmp/root$out")" = "$(cat "$tmp/oroot$oout")" ] || fail "output contents"
grep -q "these 2 derivations will be built:" "$tmp/err" || fail "no 'will be built' message"
auto=$(ls "$tmp/root/nix/var/nix/gcroots/auto")
[ "$(readlink "$tmp/root/nix/var/nix/gcroots/auto/$auto")" = "$tmp/w/result" ] || fail "indirect root"
# Nix 2.8 names the root by the same hash of the link's path.
(cd "$tmp/w" && rm result && onb -A b >/dev/null 2>&1)
[ "$(ls "$tmp/oroot/nix/var/nix/gcroots/auto" | grep -c "^$auto\$")" = 1 ] || fail "root name differs from Nix 2.8's"
nb -A b >/dev/null 2>"$tmp/err"
! grep -q building "$tmp/err" || fail "rebuilt a valid output"
ok

# 2. -E with several derivations and outputs, -o: links named as Nix 2.8 names them.
expr="let p = import $tmp/w/default.nix {}; in [ p.multi.dev p.multi.out p.a ]"
nb -E "$expr" -o "$tmp/w/foo" >"$tmp/ours" 2>/dev/null || fail "-E -o"
(cd "$tmp/o" && onb -E "$expr" -o "$tmp/o/foo" >"$tmp/theirs" 2>/dev/null)
cmp -s "$tmp/ours" "$tmp/theirs" || { diff "$tmp/ours" "$tmp/theirs"; fail "printed paths differ"; }
links() { (cd "$1" && for l in foo*; do echo "$l $(readlink "$l")"; done); }
[ "$(links "$tmp/w")" = "$(links "$tmp/o")" ] || { links "$tmp/w"; links "$tmp/o"; fail "links differ"; }
[ "$(ls "$tmp/root/nix/var/nix/gcroots/auto" | wc -l)" = 4 ] || fail "roots for foo, foo-2, foo-dev"
ok

# 3. --no-out-link, --arg/--argstr (new derivations), a list attribute, -A twice.
rm -f result*
nb -A a --argstr salt 7 --arg extra '"x" + "y"' --no-out-link >"$tmp/ours" 2>/dev/null || fail "--argstr"
(cd "$tmp/o" && onb "$tmp/w/default.nix" -A a --argstr salt 7 --arg extra '"x" + "y"' --no-out-link >"$tmp/theirs" 2>/dev/null)
cmp -s "$tmp/ours" "$tmp/theirs" || fail "--arg/--argstr paths differ"
[ "$(cat "$tmp/root$(cat "$tmp/ours")")" = "a xy" ] || fail "--arg value not used"
ls result* >/dev/null 2>&1 && fail "--no-out-link left a link"
[ "$(nb -A both --no-out-link 2>/dev/null | wc -l)" = 2 ] || fail "list attribute"
nb -A multi -A a >"$tmp/ours" 2>/dev/null || fail "-A twice"
[ "$(readlink result)" = "$(head -1 "$tmp/ours")" ] && [ "$(readlink result-2)" = "$(tail -1 "$tmp/ours")" ] \
  || fail "result-2"
ok

# 4. -I and <...>, a file argument, --dry-run (nothing built, nothing on stdout).
mkdir -p "$tmp/inc/proj" && cp "$tmp/w/default.nix" "$tmp/inc/proj/"
out=$(cd / && nb '<proj>' -I "$tmp/inc" -A a --argstr salt inc --no-out-link 2>/dev/null) || fail "-I"
[ -n "$out" ] || fail "-I printed nothing"
nb "$tmp/w/default.nix" -A b --argstr salt dry --dry-run >"$tmp/ours" 2>"$tmp/err" || fail "--dry-run"
(cd "$tmp/o" && onb "$tmp/w/default.nix" -A b --argstr salt dry --dry-run >"$tmp/theirs" 2>"$tmp/terr")
[ ! -s "$tmp/ours" ] || fail "--dry-run printed on stdout"
cmp -s "$tmp/err" "$tmp/terr" || { diff "$tmp/err" "$tmp/terr"; fail "--dry-run message differs"; }
for d in $(grep '\.drv$' "$tmp/err"); do
  for o in $("$NIXPP_BIN/nix-store" --store "$S" -q --outputs "$d"); do
    [ ! -e "$tmp/root$o" ] || fail "--dry-run built $o"
  done
done
ok

# 5. --check of a deterministic build succeeds; failures and bad input give Nix's statuses.
nb -A a --check --no-out-link >/dev/null 2>&1 || fail "--check"
set +e
nb -A fails --no-out-link >/dev/null 2>"$tmp/err"; st=$?
set -e
[ $st = 100 ] || fail "failed build status $st"
grep -q "builder for '.*-fails.drv' failed with exit code 3" "$tmp/err" || fail "failure message"
err=$(nb -A nope 2>&1) && fail "-A nope accepted"
[ "$err" = "error: attribute 'nope' in selection path 'nope' not found" ] || fail "-A nope: $err"
err=$(nb -E '1' 2>&1) && fail "-E 1 accepted"
[ "$err" = "error: expression does not evaluate to a derivation (or a set or list of those)" ] || fail "-E 1: $err"
echo file > "$tmp/w/notalink"
err=$(nb -A a -o notalink 2>&1) && fail "overwrote a file with the result link"
[[ $err == *"cannot create symlink '$tmp/w/notalink'; already exists"* ]] || fail "clobber message: $err"
mkdir "$tmp/empty"
err=$(cd "$tmp/empty" && nb 2>&1) && fail "no default.nix accepted"
[[ $err == error:* ]] || fail "missing default.nix: $err"
ok

# --repair: a corrupted output is rebuilt and swapped in; an intact one is left alone.
out=$(nb -A a --no-out-link 2>/dev/null)
cp "$tmp/root$out" "$tmp/good"
chmod u+w "$tmp/root$out"; echo bad > "$tmp/root$out"
nb -A a --repair --no-out-link >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "--repair"; }
grep -q "repairing outputs of '.*-a.drv'" "$tmp/err" || fail "--repair message"
cmp -s "$tmp/root$out" "$tmp/good" || fail "--repair did not restore the output"
nb -A a --repair --no-out-link >/dev/null 2>"$tmp/err" || fail "--repair of an intact output"
! grep -q repairing "$tmp/err" || fail "--repair rebuilt an intact output"
ok

# 6. Two nix-builds of one derivation at once: both succeed, print the same path, one build.
cat > "$tmp/w/slow.nix" <<NIX
let tools = builtins.path { path = $tmp/tools; name = "tools"; }; in
derivation { name = "slow"; system = "x86_64-linux"; builder = "\${tools}/bin/sh";
  args = [ "-c" "\${tools}/bin/echo built >> /shared/count; \${tools}/bin/sleep 1; \${tools}/bin/echo done > \$out" ]; }
NIX
nb slow.nix -o r1 --option extra-sandbox-paths "/shared=$tmp/shared" >"$tmp/o1" 2>"$tmp/e1" & p1=$!
nb slow.nix -o r2 --option extra-sandbox-paths "/shared=$tmp/shared" >"$tmp/o2" 2>"$tmp/e2" & p2=$!
wait $p1 || { cat "$tmp/e1"; fail "first concurrent nix-build"; }
wait $p2 || { cat "$tmp/e2"; fail "second concurrent nix-build"; }
[ "$(wc -l < "$tmp/shared/count")" = 1 ] || fail "built $(wc -l < "$tmp/shared/count") times"
cmp -s "$tmp/o1" "$tmp/o2" || fail "concurrent nix-builds printed different paths"
[ "$(readlink r1)" = "$(cat "$tmp/o1")" ] && [ "$(readlink r2)" = "$(cat "$tmp/o1")" ] || fail "concurrent links"
ok

echo "nix_build: $pass groups passed"
