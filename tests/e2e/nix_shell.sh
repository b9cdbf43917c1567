#!/usr/bin/env bash
# nix-shell on a throwaway store (NIX_STORE_DIR etc. and HOME under a temp dir) with a minimal
# fake stdenv written here (its `setup` puts buildInputs' bin on PATH and defines runHook):
# shell.nix / default.nix / -A / -E / --arg / --argstr / -I, -p PKGS through a fake <nixpkgs>,
# --run (exit status kept), --command, --pure / --keep, passAsFile, shellHook, the inputs built
# but not the derivation, errors; the environment compared with Nix 2.8's nix-shell on the
# same store.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_STORE_DIR=$tmp/store HOME=$tmp/home
mkdir -p "$NIX_CONF_DIR" "$HOME" "$tmp/proj" "$tmp/nixpkgs"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
unset NIX_PROFILE NIX_PATH NIX_BUILD_SHELL IN_NIX_SHELL
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x /bin/busybox ] || fail "needs busybox-static (scripts/install-deps.sh installs it)"
ns() { "$NIXPP_BIN/nix-shell" "$@"; }

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir printf chmod cat env rm; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$("$NIXPP_BIN/nix-store" --add "$tmp/tools")

# A fake <nixpkgs>: stdenv (setup script), runCommand, and two packages.
cat > "$tmp/nixpkgs/default.nix" <<NIX
{ ... }:
let
  tools = builtins.storePath "$tools";
  system = builtins.currentSystem;
  sh = "\${tools}/bin/sh";
  stdenv = derivation {
    name = "stdenv"; inherit system; builder = sh;
    setup = ''
      export PATH=\${tools}/bin
      for _i in \$buildInputs; do PATH=\$_i/bin:\$PATH; done
      runHook() { eval "\''\${!1}"; }
      STDENV_SETUP_SOURCED=1
    '';
    passAsFile = [ "setup" ];
    args = [ "-c" "\${tools}/bin/mkdir \$out; \${tools}/bin/cat \$setupPath > \$out/setup" ];
  };
  tool = name: text: derivation {
    inherit name system; builder = sh;
    args = [ "-c" "\${tools}/bin/mkdir -p \$out/bin; \${tools}/bin/printf '#!\${sh}\necho \${text}\n' > \$out/bin/\${builtins.head (builtins.split "-" name)}; \${tools}/bin/chmod +x \$out/bin/*" ];
  };
in rec {
  inherit stdenv;
  pkgs = { inherit runCommand; };
  runCommand = name: env: cmd: derivation ({ inherit name system stdenv; builder = sh; args = [ "-c" cmd ]; } // env);
  hello = tool "hello-1.0" "hello from nixpkgs";
  figlet = tool "figlet-2.0" "figlet from nixpkgs";
}
NIX
export NIX_PATH=nixpkgs=$tmp/nixpkgs

cat > "$tmp/proj/shell.nix" <<'NIX'
{ greeting ? "hi", word ? "w" }:
let pkgs = import <nixpkgs> {}; in
pkgs.runCommand "proj-shell" {
  buildInputs = [ pkgs.hello ];
  FOO = "bar baz";
  GREETING = greeting; WORD = word;
  passAsFile = [ "big" ];
  big = "file contents";
  shellHook = "echo hook-ran";
} "exit 1"
NIX
cat > "$tmp/proj/default.nix" <<'NIX'
{ pkgs ? import <nixpkgs> {} }:
{ a = pkgs.runCommand "a" { buildInputs = [ pkgs.figlet ]; WHICH = "default-a"; } "exit 1";
  b = pkgs.runCommand "b" { WHICH = "default-b"; } "exit 1"; }
NIX
cd "$tmp/proj"

# 1. shell.nix: the derivation's environment, the setup sourced, inputs built, shellHook.
out=$(MYVAR=host ns --run 'echo "FOO=$FOO"; hello; echo "big=$(cat $bigPath)"; echo "in=$IN_NIX_SHELL"; echo "my=$MYVAR"; echo "setup=$STDENV_SETUP_SOURCED"; echo "name=$name"' 2>"$tmp/err") \
  || { cat "$tmp/err"; fail "nix-shell --run"; }
echo "$out" | grep -x "hook-ran" >/dev/null || fail "shellHook did not run: $out"
echo "$out" | grep -x "FOO=bar baz" >/dev/null || fail "FOO: $out"
echo "$out" | grep -x "hello from nixpkgs" >/dev/null || fail "buildInputs not on PATH: $out"
echo "$out" | grep -x "big=file contents" >/dev/null || fail "passAsFile: $out"
echo "$out" | grep -x "in=impure" >/dev/null || fail "IN_NIX_SHELL: $out"
echo "$out" | grep -x "my=host" >/dev/null || fail "impure shell lost the caller's variables: $out"
echo "$out" | grep -x "setup=1" >/dev/null || fail "setup not sourced: $out"
echo "$out" | grep -x "name=proj-shell" >/dev/null || fail "name: $out"
# The derivation itself is not built (its builder fails), its output is not valid.
drv=$("$NIXPP_BIN/nix-instantiate" shell.nix 2>/dev/null)
if "$NIXPP_BIN/nix-store" --check-validity "$("$NIXPP_BIN/nix-store" -q --outputs "$drv")" 2>/dev/null; then fail "built the shell derivation"; fi
# The exit status of --run is nix-shell's; the caller's PATH stays after the derivation's.
set +e; ns --run 'exit 7' 2>/dev/null; st=$?; set -e
[ $st = 7 ] || fail "exit status $st, not 7"
out=$(PATH=$PATH:$tmp/extra ns --run 'echo "$PATH"' 2>/dev/null)
echo "$out" | grep "$tmp/extra" >/dev/null || fail "impure PATH lost: $out"
# --command runs the command too (then exits).
[ "$(ns --command 'echo via-command' 2>/dev/null </dev/null | tail -1)" = via-command ] || fail "--command"

# 2. --pure, --keep; --arg / --argstr.
out=$(MYVAR=host OTHER=o ns --pure --keep OTHER --run 'echo "in=$IN_NIX_SHELL my=${MYVAR-unset} other=$OTHER"; hello' 2>/dev/null) || fail "--pure"
echo "$out" | grep -x "in=pure my=unset other=o" >/dev/null || fail "--pure environment: $out"
echo "$out" | grep -x "hello from nixpkgs" >/dev/null || fail "--pure: no hello"
out=$(ns --argstr greeting hey --arg word '"w" + "2"' --run 'echo "$GREETING $WORD"' 2>/dev/null) || fail "--arg/--argstr"
[ "$out" = "hook-ran
hey w2" ] || fail "--arg/--argstr: $out"

# 3. default.nix with -A; -E; errors.
mv shell.nix shell.nix.off
[ "$(ns -A a --run 'echo $WHICH; figlet' 2>/dev/null)" = "default-a
figlet from nixpkgs" ] || fail "default.nix -A a"
if ns --run true 2>"$tmp/err"; then fail "two derivations accepted"; fi
grep -q "requires a single derivation" "$tmp/err" || { cat "$tmp/err"; fail "two derivations: message"; }
mv shell.nix.off shell.nix
[ "$(ns -E '(import ./default.nix {}).b' --run 'echo $WHICH' 2>/dev/null)" = default-b ] || fail "-E"
[ "$(ns ./default.nix -A b --run 'echo $WHICH' 2>/dev/null)" = default-b ] || fail "explicit file"
if ns -E 'throw "boom"' --run true 2>"$tmp/err"; then fail "eval error accepted"; fi
grep -q "boom" "$tmp/err" || fail "eval error message"
if ns -p hello -E x 2>/dev/null; then fail "-p with -E accepted"; fi

# 4. -p PACKAGES from <nixpkgs> (and -I).
out=$(ns -p hello figlet --run "hello; figlet" 2>&1) || { echo "$out"; fail "-p"; }
[ "$(ns -p hello figlet --run "hello; figlet" 2>/dev/null)" = "hello from nixpkgs
figlet from nixpkgs" ] || fail "-p hello figlet"
[ "$(env -u NIX_PATH "$NIXPP_BIN/nix-shell" -I nixpkgs="$tmp/nixpkgs" -p hello --run hello 2>/dev/null)" = "hello from nixpkgs" ] || fail "-I with -p"
if ns -p nosuchpkg --run true 2>"$tmp/err"; then fail "-p of a missing package"; fi
grep -q "nosuchpkg" "$tmp/err" || { cat "$tmp/err"; fail "missing package message"; }

# 5. The same environment as Nix 2.8's nix-shell (variables whose values differ by design or
#    by run are left out: temp dirs, the shell's own variables).
if command -v nix-shell >/dev/null && [ "$(readlink -f "$(command -v nix-shell)")" != "$(readlink -f "$NIXPP_BIN/nix-shell")" ]; then
  filter() { grep -Ev '^(_|PWD|OLDPWD|SHLVL|NIX_BUILD_TOP|TMPDIR|TEMPDIR|TMP|TEMP|bigPath|SHELL|PATH|NIX_BUILD_CORES)=' | sort; }
  NIX_BUILD_SHELL=bash ns --run 'env' 2>/dev/null | filter > "$tmp/env.nixpp"
  NIX_BUILD_SHELL=bash nix-shell --run 'env' 2>/dev/null | filter > "$tmp/env.nix"
  diff "$tmp/env.nix" "$tmp/env.nixpp" || fail "environment differs from Nix 2.8's"
  NIX_BUILD_SHELL=bash ns --pure --run "env" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "pure env"; }
  NIX_BUILD_SHELL=bash ns --pure --run "env" 2>/dev/null | filter > "$tmp/env.nixpp"
  NIX_BUILD_SHELL=bash nix-shell --pure --run 'env' 2>/dev/null | filter > "$tmp/env.nix"
  diff "$tmp/env.nix" "$tmp/env.nixpp" || fail "--pure environment differs from Nix 2.8's"
fi
echo "nix_shell: all passed"
