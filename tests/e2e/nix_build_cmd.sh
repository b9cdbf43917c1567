#!/usr/bin/env bash
# nix build / nix log / nix store ls / nix-store --realise --dry-run / -q --valid-derivers on
# throwaway chroot stores, compared with Nix 2.8 on a store of its own: --file/--expr attribute
# paths, store-path installables (DRV = all outputs, DRV^dev, output paths), result links and
# their GC roots, --json, --print-out-paths, --dry-run, build logs, listings.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc
mkdir -p "$NIX_CONF_DIR" "$tmp/w" "$tmp/o"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
S="local?root=$tmp/root"; O="local?root=$tmp/oroot"
ours() { "$NIXPP_BIN/nix" --store "$S" "$@"; }
theirs() { nix --store "$O" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); }
command -v nix >/dev/null && [ -x /bin/busybox ] || fail "needs Nix 2.8 and busybox-static"

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh echo; do ln -s busybox "$tmp/tools/bin/$a"; done
cat > "$tmp/default.nix" <<NIX
{ salt ? "0" }:
let
  tools = builtins.path { path = $tmp/tools; name = "tools"; };
  mk = name: script: attrs: derivation ({
    inherit name salt; system = "x86_64-linux"; builder = "\${tools}/bin/sh";
    args = [ "-c" "export PATH=\${tools}/bin; \${script}" ]; } // attrs);
in rec {
  a = mk "a" "echo building a; echo a > \$out" {};
  multi = mk "multi" "echo o > \$out; echo d > \$dev" { outputs = [ "out" "dev" ]; };
}
NIX
same() {  # same WHAT OURS THEIRS
  [ "$2" = "$3" ] || { echo "ours:   $2" >&2; echo "theirs: $3" >&2; fail "$1 differs from Nix 2.8's"; }
}

# 1. --file with attribute paths: the JSON, the links (sorted by derivation), their roots.
o=$(cd "$tmp/w" && ours build -f "$tmp/default.nix" multi a --json 2>/dev/null) || fail "nix build -f"
t=$(cd "$tmp/o" && theirs build -f "$tmp/default.nix" multi a --json 2>/dev/null)
same "--json" "$o" "$t"
links() { (cd "$1" && for l in result*; do echo "$l $(readlink "$l")"; done); }
same "result links" "$(links "$tmp/w")" "$(links "$tmp/o")"
for l in "$tmp"/w/result*; do
  [ -L "$tmp/root/nix/var/nix/gcroots/auto/$(ls "$tmp/root/nix/var/nix/gcroots/auto" | while read -r h; do
      [ "$(readlink "$tmp/root/nix/var/nix/gcroots/auto/$h")" = "$l" ] && echo "$h"; done)" ] || fail "no root for $l"
done
ok

# 2. Store-path installables: a .drv (all outputs), DRV^dev, an output path, ./result; --no-link.
drv=$("$NIXPP_BIN/nix-store" --store "$S" -qd "$tmp/w/result-1")
o=$(ours build "$drv" --json --no-link 2>/dev/null); t=$(theirs build "$drv" --json --no-link 2>/dev/null)
same "DRV --json" "$o" "$t"
out=$(readlink "$tmp/w/result-1")
o=$(ours build "$out" --json --no-link 2>/dev/null); t=$(theirs build "$out" --json --no-link 2>/dev/null)
same "output path --json" "$o" "$t"
[ "$(cd "$tmp/w" && ours build ./result --no-link --print-out-paths 2>/dev/null)" = "$(readlink "$tmp/w/result")" ] \
  || fail "./result installable"
dev=$(ours build "$drv^dev" --no-link --print-out-paths 2>/dev/null)
[[ $dev == /nix/store/*-multi-dev ]] && [ "$(cat "$tmp/root$dev")" = d ] || fail "DRV^dev: $dev"
[ "$(echo "$dev" | wc -l)" = 1 ] || fail "DRV^dev printed more than one path"
(cd "$tmp/w" && ours build "$drv^out" -o mylink --no-link >/dev/null 2>&1); [ ! -e "$tmp/w/mylink" ] || fail "--no-link made a link"
(cd "$tmp/w" && ours build "$drv^out" -o mylink >/dev/null 2>&1); [ "$(readlink "$tmp/w/mylink")" = "$out" ] || fail "-o"
ok

# 3. --expr (impure: it reads a file), --dry-run: nothing on stdout, Nix's list on stderr.
e="(import $tmp/default.nix { salt = \"dry\"; }).a"
ours build --impure --expr "$e" --dry-run >"$tmp/so" 2>"$tmp/se" || fail "--dry-run"
theirs build --impure --expr "$e" --dry-run >"$tmp/to" 2>"$tmp/te"
[ ! -s "$tmp/so" ] || fail "--dry-run printed on stdout"
same "--dry-run message" "$(cat "$tmp/se")" "$(cat "$tmp/te")"
o=$(ours build --impure --expr "$e" --json --no-link 2>/dev/null); t=$(theirs build --impure --expr "$e" --json --no-link 2>/dev/null)
same "--expr --json" "$o" "$t"
err=$(ours build '.#foo' 2>&1) && fail "flake installable accepted"
[[ $err == error:*flakes* ]] || fail "flake installable message: $err"
ok

# 4. nix log / nix-store -l: the builder's output, for the .drv and for an output path.
da=$("$NIXPP_BIN/nix-store" --store "$S" -qd "$tmp/w/result")
[ "$(ours log "$da" 2>/dev/null)" = "building a" ] || fail "nix log DRV: $(ours log "$da" 2>&1)"
[ "$(ours log "$tmp/w/result" 2>/dev/null)" = "building a" ] || fail "nix log OUTPUT"
[ "$(ours log -f "$tmp/default.nix" a 2>/dev/null)" = "building a" ] || fail "nix log -f"
[ "$(theirs log -f "$tmp/default.nix" a 2>/dev/null)" = "building a" ] || fail "Nix 2.8's log differs"
[ "$("$NIXPP_BIN/nix-store" --store "$S" -l "$da")" = "building a" ] || fail "nix-store -l"
tools=$("$NIXPP_BIN/nix-store" --store "$S" --add "$tmp/tools")
err=$(ours log "$tools" 2>&1) && fail "log of a source path"
same "no-log message" "$err" "$(theirs log "$tools" 2>&1)"
ok

# 5. nix store ls on a tree, against Nix 2.8 on the same contents.
mkdir -p "$tmp/tree/sub"; echo x > "$tmp/tree/sub/f"; echo y > "$tmp/tree/exe"; chmod +x "$tmp/tree/exe"
ln -s sub/f "$tmp/tree/link"
p=$("$NIXPP_BIN/nix-store" --store "$S" --add "$tmp/tree"); nix-store --store "$O" --add "$tmp/tree" >/dev/null
for args in "" "-l" "-R" "-lR" "-d" "--json" "--json -R"; do
  # shellcheck disable=SC2086
  same "nix store ls $args" "$(ours store ls $args "$p")" "$(theirs store ls $args "$p")"
done
same "nix store ls of a file" "$(ours store ls -l "$p/sub/f")" "$(theirs store ls -l "$p/sub/f")"
same "nix store ls --json of a file" "$(ours store ls --json "$p/exe")" "$(theirs store ls --json "$p/exe")"
err=$(ours store ls "$p/nope" 2>&1) && fail "ls of a missing file"
[[ $err == error:* ]] || fail "missing file message: $err"
ok

# 6. nix-store --realise --dry-run prints what would be built (as Nix 2.8), builds nothing;
# -q --valid-derivers names the derivation of an output.
d=$(nix-instantiate --store "$S" "$tmp/default.nix" -A a --argstr salt rdry 2>/dev/null)
nix-instantiate --store "$O" "$tmp/default.nix" -A a --argstr salt rdry >/dev/null 2>&1
"$NIXPP_BIN/nix-store" --store "$S" -r "$d" --dry-run >"$tmp/so" 2>"$tmp/se" || fail "-r --dry-run"
nix-store --store "$O" -r "$d" --dry-run >"$tmp/to" 2>"$tmp/te" || true
same "-r --dry-run stderr" "$(cat "$tmp/se")" "$(cat "$tmp/te")"
[ ! -s "$tmp/so" ] || fail "-r --dry-run printed on stdout"
[ ! -e "$tmp/root$("$NIXPP_BIN/nix-store" --store "$S" -q --outputs "$d")" ] || fail "--dry-run built"
[ "$("$NIXPP_BIN/nix-store" --store "$S" -q --valid-derivers "$tmp/w/result")" = "$da" ] || fail "--valid-derivers"
ok

# 7. What nix build prints on stderr, as Nix 2.8's (no tty): "building '...'..." lines only (no
# list of what will be built, no builder output); with -L the output prefixed "<name>> "; a
# failure: the builder's error with its last log lines (not with -L), then one line per
# dependent derivation, exit status 1.
cat > "$tmp/chain.nix" <<NIX
{ salt, code ? 0 }:
let
  tools = builtins.path { path = $tmp/tools; name = "tools"; };
  mk = name: deps: derivation {
    inherit name salt deps; system = "x86_64-linux"; builder = "\${tools}/bin/sh";
    args = [ "-c" "export PATH=\${tools}/bin; echo log of \${name}; echo two; echo x > \$out; exit \${toString code}" ];
  };
  a = mk "a" [ ]; b = mk "b" [ a ]; c = mk "c" [ b ];
in c
NIX
msgs() {  # msgs SALT CODE FLAGS...: "<exit status>" and stderr of ours, then of theirs
  local salt=$1 code=$2 rc; shift 2
  rc=0; ours build -f "$tmp/chain.nix" --argstr salt "$salt" --arg code "$code" --no-link "$@" 2>"$tmp/se" >/dev/null || rc=$?
  echo "$rc" >> "$tmp/se"
  rc=0; theirs build -f "$tmp/chain.nix" --argstr salt "$salt" --arg code "$code" --no-link "$@" 2>"$tmp/te" >/dev/null || rc=$?
  echo "$rc" >> "$tmp/te"
}
msgs ok 0
same "nix build stderr" "$(cat "$tmp/se")" "$(cat "$tmp/te")"
grep -q "^building '.*-c.drv'...$" "$tmp/se" || fail "no 'building' line: $(cat "$tmp/se")"
msgs okL 0 -L
same "nix build -L stderr" "$(cat "$tmp/se")" "$(cat "$tmp/te")"
grep -qx "b> log of b" "$tmp/se" || fail "-L: no prefixed log line"
msgs bad 3
same "failing nix build stderr" "$(cat "$tmp/se")" "$(cat "$tmp/te")"
grep -q "1 dependencies of derivation '.*-c.drv' failed to build" "$tmp/se" || fail "no dependency failure line"
[ "$(tail -1 "$tmp/se")" = 1 ] || fail "failing nix build: exit status $(tail -1 "$tmp/se")"
msgs badL 3 -L
same "failing nix build -L stderr" "$(cat "$tmp/se")" "$(cat "$tmp/te")"
ok

echo "nix_build_cmd: $pass groups passed"
