#!/usr/bin/env bash
# nix profile on a throwaway store, step by step beside Nix 2.8 doing the same to a profile of
# its own on the same store: every command's output and exit status must equal Nix 2.8's, and
# so must each generation's store path (same manifest.json bytes, same buildenv tree). Checked
# along the way: the programs run, a rollback restores the exact previous closure, history and
# diff-closures show the changes, wipe-history keeps the current generation, nix-env refuses a
# manifest.json profile, a nix-env profile is read and converted, and a garbage collection after
# each step leaves the profile working.
set -Eeuo pipefail
trap 'echo "FAIL: line $LINENO" >&2' ERR
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_STORE_DIR=$tmp/store HOME=$tmp/home
mkdir -p "$NIX_CONF_DIR" "$HOME" "$tmp/P"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
unset NIX_PROFILE NIX_PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); echo "group $pass: ok"; }
if ! command -v nix >/dev/null || [ ! -x /bin/busybox ]; then
  fail "needs Nix 2.8 and busybox-static (scripts/install-deps.sh installs them)"
fi
ours() { "$NIXPP_BIN/nix" profile "$@"; }
P=$tmp/P/ours
Q=$tmp/P/theirs

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir printf chmod echo cat; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$("$NIXPP_BIN/nix-store" --add "$tmp/tools")
cat > "$tmp/pkgs.nix" <<'EOF'
{ tools }:
let
  t = builtins.storePath tools;
  ver = import ./ver.nix;
  mk = args: derivation ({ system = builtins.currentSystem; builder = "${t}/bin/sh"; PATH = "${t}/bin"; } // args);
in {
  hello = mk { name = "hello-${ver}"; args = [ "-c" "mkdir -p $out/bin; printf '#!${t}/bin/sh\necho hello ${ver}\n' > $out/bin/hello; chmod +x $out/bin/hello" ]; };
  world = mk { name = "world-2.1"; outputs = [ "out" "man" ];
               args = [ "-c" "mkdir -p $out/bin $man/share/man; printf '#!${t}/bin/sh\necho world\n' > $out/bin/world; chmod +x $out/bin/world; echo m > $man/share/man/world.1" ]; };
  big = mk { name = "big-1"; args = [ "-c" "mkdir -p $out/share; i=0; while [ $i -lt 400 ]; do echo 0123456789012345678901234567890123456789 >> $out/share/data; i=$((i+1)); done" ]; };
}
EOF
echo '"1.0"' > "$tmp/ver.nix"
F=(-f "$tmp/pkgs.nix" --argstr tools "$tools")

# both ARGS...: the same `nix profile ARGS` on our profile and, with Nix 2.8, on its own; the
# outputs (profile names replaced) and exit statuses must be equal. Leaves ours in $tmp/out.
both() {
  local rc=0
  ours "$@" --profile "$P" >"$tmp/out" 2>&1 || rc=$?
  echo "rc=$rc" >>"$tmp/out"
  rc=0
  nix profile "$@" --profile "$Q" >"$tmp/out.nix" 2>&1 || rc=$?
  echo "rc=$rc" >>"$tmp/out.nix"
  # Builds happen once, by whichever runs first: leave out what the builds print.
  sed -i -e "s|$P|PROFILE|g" -e '/^building /d' -e '/will be built:$/d' -e '/^  \/.*\.drv$/d' "$tmp/out"
  sed -i -e "s|$Q|PROFILE|g" -e '/^building /d' "$tmp/out.nix"
  diff "$tmp/out.nix" "$tmp/out" >&2 || fail "nix profile $* differs from Nix 2.8 (<: Nix 2.8, >: nixpp)"
}
# The profiles point at the same store path, with the same generations.
same() {
  [ "$(readlink -f "$P")" = "$(readlink -f "$Q")" ] || fail "profile differs from Nix 2.8's: $(readlink -f "$P") vs $(readlink -f "$Q")"
  [ "$(cd "$tmp/P" && ls -d ours-*-link | sed 's/ours-//')" = "$(cd "$tmp/P" && ls -d theirs-*-link | sed 's/theirs-//')" ] ||
    fail "generations differ from Nix 2.8's"
}
gc() {
  "$NIXPP_BIN/nix-store" --gc >/dev/null 2>&1 || fail "gc"
  "$NIXPP_BIN/nix-store" -qR "$P" >/dev/null || fail "profile closure invalid after gc"
  for g in "$tmp"/P/ours-*-link; do "$NIXPP_BIN/nix-store" -qR "$g" >/dev/null || fail "generation $g lost by gc"; done
}

# 1. Install two packages: the same manifest.json and store path "profile" as Nix 2.8's.
both install "${F[@]}" hello world
same
[ "$(cat "$P/manifest.json")" = "$(cat "$Q/manifest.json")" ] || fail "manifest.json"
grep -q '^{"elements":\[{"active":true,"storePaths":\["'"$NIX_STORE_DIR"'/[a-z0-9]*-hello-1.0"\]},' "$P/manifest.json" ||
  fail "manifest.json: $(cat "$P/manifest.json")"
[ "$("$P/bin/hello")" = "hello 1.0" ] && [ "$("$P/bin/world")" = world ] || fail "programs do not run"
[ "$(readlink "$P")" = ours-1-link ] || fail "profile -> ours-1-link"
diff <(cd "$P" && find . | sort) <(cd "$Q" && find . | sort) || fail "buildenv tree"
gc
ok

# 2. list; nix-env (ours and Nix 2.8's) refuses a manifest.json profile in the same words.
both list
grep -q "^1 - - $NIX_STORE_DIR/[a-z0-9]*-world-2.1$" "$tmp/out" || fail "list: $(cat "$tmp/out")"
exp=$(nix-env -p "$Q" -q 2>&1 | sed "s|$Q|PROFILE|") && fail "Nix 2.8's nix-env accepted"
got=$("$NIXPP_BIN/nix-env" -p "$P" -q 2>&1 | sed "s|$P|PROFILE|") && fail "nix-env accepted a manifest.json profile"
[ "$got" = "$exp" ] || fail "nix-env's refusal: '$got' vs '$exp'"
ok

# 3. Other installables: a .drv (all its outputs), a store path; errors as Nix 2.8's.
drv=$("$NIXPP_BIN/nix-instantiate" "$tmp/pkgs.nix" --argstr tools "$tools" -A world 2>"$tmp/err") || { cat "$tmp/err"; fail "nix-instantiate"; }
both install "$drv"
both install "$tools"
same
both list
grep -Eq "^2 - - [^ ]*-world-2.1(-man)? [^ ]*-world-2.1(-man)?$" "$tmp/out" && [ "$(grep -c "world-2.1-man" "$tmp/out")" = 1 ] ||
  fail "all outputs of a .drv: $(cat "$tmp/out")"
both install nixpkgs#hello
both install hello
both install "$NIX_STORE_DIR/00000000000000000000000000000000-x"
both install --impure --expr "(import $tmp/pkgs.nix { tools = \"$tools\"; }).big"
same
gc
ok

# 4. remove by index, store path, regex (unmatched: warnings), as Nix 2.8.
both remove 2
both remove "$tools" nomatch 77
both remove nomatch 77 "$NIX_STORE_DIR/00000000000000000000000000000000-x"
both remove '*'
same
both list
gc
ok

# 5. The expression changes (hello 1.1): upgrade leaves elements that are not from a flake
# alone, with Nix 2.8's warnings; replacing the element upgrades it.
echo '"1.1"' > "$tmp/ver.nix"
both upgrade 0
both upgrade
same
both install "${F[@]}" hello  # a conflict with hello 1.0, in Nix 2.8's words
same
both remove 0
both install "${F[@]}" hello
same
[ "$("$P/bin/hello")" = "hello 1.1" ] || fail "upgraded hello"
gc
ok

# 6. history and diff-closures show every change as Nix 2.8 does.
both history
grep -q "hello: 1.0 -> ∅" "$tmp/out" && grep -q "hello: ∅ -> 1.1" "$tmp/out" || fail "history: $(cat "$tmp/out")"
grep -q "Version .\[32;1m" "$tmp/out" || fail "current version not highlighted"
both diff-closures
grep -q "big: ∅ → 1, .\[31;1m+16.5 KiB" "$tmp/out" || fail "diff-closures: $(cat "$tmp/out")"
exp=$(nix store diff-closures "$P-1-link" "$P") && got=$("$NIXPP_BIN/nix" store diff-closures "$P-1-link" "$P") ||
  fail "nix store diff-closures"
[ -n "$got" ] && [ "$got" = "$exp" ] || fail "nix store diff-closures: '$got' vs Nix 2.8's '$exp'"
ok

# 7. rollback restores the exact previous closure; --to; errors.
before=$("$NIXPP_BIN/nix-store" -qR "$P/" | sort)
last=$(readlink "$P")
both install "${F[@]}" big
[ "$("$NIXPP_BIN/nix-store" -qR "$P/" | sort)" != "$before" ] || fail "install changed nothing"
gc
both rollback
[ "$("$NIXPP_BIN/nix-store" -qR "$P/" | sort)" = "$before" ] || fail "rollback did not restore the closure"
[ "$(readlink "$P")" = "$last" ] || fail "rollback: $(readlink "$P") vs $last"
[ "$("$P/bin/hello")" = "hello 1.1" ] || fail "hello after rollback"
both rollback --to 1
[ "$("$P/bin/hello")" = "hello 1.0" ] || fail "hello after rollback --to 1"
both rollback --to 99
both rollback
both rollback --dry-run --to 3
same
gc
ok

# 8. wipe-history keeps only the current generation; the profile keeps working after a GC.
both wipe-history --dry-run
both wipe-history --older-than 3x
both wipe-history
same
[ "$(cd "$tmp/P" && ls -d ours-*-link)" = ours-1-link ] || fail "wipe-history kept $(ls "$tmp/P")"
gc
[ "$("$P/bin/hello")" = "hello 1.0" ] || fail "profile broken after wipe-history and gc"
both history
both diff-closures
ok

# 9. A nix-env profile (manifest.nix) is read as store-path elements and converted on change.
E=$tmp/P/env
"$NIXPP_BIN/nix-env" -p "$E" "${F[@]}" -i hello world 2>/dev/null
[ "$(ours list --profile "$E")" = "$(nix profile list --profile "$E")" ] || fail "list of a nix-env profile"
[ "$(ours history --profile "$E")" = "$(nix profile history --profile "$E")" ] || fail "history of a nix-env profile"
ours remove 1 --profile "$E" 2>/dev/null
[ -f "$E/manifest.json" ] && [ ! -e "$E/manifest.nix" ] || fail "not converted to manifest.json"
[ "$(nix profile list --profile "$E")" = "$(ours list --profile "$E")" ] || fail "Nix 2.8 reads the converted profile differently"
ok

# 10. The default profile is ~/.nix-profile as nix-env's; bad manifests are clear errors.
ours install "$tools" 2>/dev/null
[ "$(readlink "$HOME/.nix-profile")" = "$NIX_STATE_DIR/profiles/default" ] || fail "~/.nix-profile"
[ "$(readlink "$NIX_STATE_DIR/profiles/default")" = default-1-link ] || fail "default profile"
mkdir -p "$tmp/bad"
echo '{"version":3,"elements":{}}' > "$tmp/bad/manifest.json"
err=$(ours list --profile "$tmp/bad" 2>&1) && fail "version 3 accepted"
[ "$err" = "error: profile manifest '$tmp/bad/manifest.json' has unsupported version 3" ] || fail "version error: $err"
echo '{"version":2,"elements":[{"active":true}' > "$tmp/bad/manifest.json"
err=$(ours list --profile "$tmp/bad" 2>&1) && fail "truncated manifest accepted"
[[ $err == "error: error parsing profile manifest '$tmp/bad/manifest.json': "* ]] || fail "parse error: $err"
err=$(ours frobnicate 2>&1) && fail "unknown subcommand accepted"
[[ $err == "error: 'frobnicate' is not a recognised command"* ]] || fail "unknown subcommand: $err"
ok

# 11. Concurrent installs into one profile, beside garbage collections: none is lost (a change
# that finds the profile changed starts again), every generation stays valid.
C=$tmp/P/conc
cp=()
for i in 1 2 3 4 5 6; do
  mkdir -p "$tmp/c$i/bin"
  printf '#!%s/bin/sh\necho c%s\n' "$tools" "$i" > "$tmp/c$i/bin/c$i"
  chmod +x "$tmp/c$i/bin/c$i"
  cp[$i]=$("$NIXPP_BIN/nix-store" --add "$tmp/c$i")
  ln -s "${cp[$i]}" "$NIX_STATE_DIR/gcroots/c$i"  # rooted until installed: the GC loop may run first
done
( for _ in 1 2 3 4 5 6; do "$NIXPP_BIN/nix-store" --gc >/dev/null 2>&1; done ) &
gcpid=$!
pids=()
for i in 1 2 3 4 5 6; do
  ours install "${cp[$i]}" --profile "$C" 2>"$tmp/c$i.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent install failed: $(cat "$tmp"/c*.err)"; done
wait "$gcpid" || true
[ "$(ours list --profile "$C" | wc -l)" = 6 ] || fail "concurrent installs lost: $(ours list --profile "$C")"
for i in 1 2 3 4 5 6; do [ "$("$C/bin/c$i")" = "c$i" ] || fail "c$i missing"; done
gc
for g in "$tmp"/P/conc-*-link; do "$NIXPP_BIN/nix-store" -qR "$g" >/dev/null || fail "$g invalid"; done
rm "$NIX_STATE_DIR"/gcroots/c*
gc
for i in 1 2 3 4 5 6; do [ "$("$C/bin/c$i")" = "c$i" ] || fail "c$i collected while in the profile"; done
ok

# 12. kill -9 at random points of installs and removals: the profile is always the old or the
# new generation, complete, and usable.
K=$tmp/P/kill
ours install "${cp[1]}" --profile "$K" 2>/dev/null
for n in $(seq 1 12); do
  i=$((n % 5 + 2))
  # The binary itself in the background (`$!` of the `ours` function would be a subshell, and
  # the kill would miss the process).
  if [ $((n % 2)) = 0 ]; then "$NIXPP_BIN/nix" profile install "${cp[$i]}" --profile "$K" 2>/dev/null &
  else "$NIXPP_BIN/nix" profile remove 1 --profile "$K" 2>/dev/null & fi
  pid=$!
  sleep "0.0$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  gen=$(readlink "$K") || fail "profile link missing after kill -9"
  [ -e "$tmp/P/$gen" ] || fail "profile points to a missing generation $gen"
  "$NIXPP_BIN/nix-store" --verify-path "$(readlink -f "$K")" 2>/dev/null || fail "generation $gen damaged"
  ours list --profile "$K" >/dev/null || fail "list after kill -9"
  [ "$("$K/bin/c1")" = c1 ] || fail "c1 lost after kill -9"
done
gc
ok

# 13. A local flake (no inputs): installed with its source recorded and locked as Nix 2.8 does
# (same manifest.json, same list), and upgraded when its expression changes.
mkdir -p "$tmp/fl"
cat > "$tmp/fl/flake.nix" <<EOF
{
  outputs = { self }: {
    packages.x86_64-linux.hello = derivation { name = "hello-\${import ./ver.nix}"; system = "x86_64-linux";
      builder = "$tools/bin/sh"; PATH = "$tools/bin";
      args = [ "-c" "mkdir -p \$out/bin; printf '#!$tools/bin/sh\\\\necho flake \${import ./ver.nix}\\\\n' > \$out/bin/fhello; chmod +x \$out/bin/fhello" ]; };
    packages.x86_64-linux.default = self.packages.x86_64-linux.hello;
  };
}
EOF
echo '"1.0"' > "$tmp/fl/ver.nix"
P=$tmp/P/fours Q=$tmp/P/ftheirs
fl=(--extra-experimental-features flakes)
both install "$tmp/fl#hello" "${fl[@]}"
both install "path:$tmp/fl" "${fl[@]}"
both install "$tmp/fl#nosuch" "${fl[@]}"
both install "$tmp/fl#hello"
same
both list
grep -q "^0 path:$tmp/fl#packages.x86_64-linux.hello path:$tmp/fl?lastModified=[0-9]*&narHash=sha256-.*#packages.x86_64-linux.hello " "$tmp/out" ||
  fail "list of a flake element: $(cat "$tmp/out")"
[ "$(cat "$P/manifest.json")" = "$(cat "$Q/manifest.json")" ] || fail "manifest.json of flake elements"
[ "$("$P/bin/fhello")" = "flake 1.0" ] || fail "flake package does not run"
both upgrade 0 "${fl[@]}"
both remove 1
echo '"1.1"' > "$tmp/fl/ver.nix"
touch -d @2000000000 "$tmp/fl/ver.nix"
both upgrade '.*hello' "${fl[@]}"
grep -q "^upgrading 'packages.x86_64-linux.hello' from flake 'path:$tmp/fl?lastModified=" "$tmp/out" || fail "upgrade message"
both upgrade '.*hello' "${fl[@]}"
same
[ "$("$P/bin/fhello")" = "flake 1.1" ] || fail "flake package not upgraded: $("$P/bin/fhello"); $(cat "$P/manifest.json")"
both history
grep -q "path:$tmp/fl#packages.x86_64-linux.hello: 1.0 -> 1.1" "$tmp/out" || fail "history of an upgrade"
gc
both remove 'packages\.x86_64-linux\.hello'
same
ok

echo "nix_profile: $pass groups passed"
