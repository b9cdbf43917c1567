#!/usr/bin/env bash
# nix shell / nix run / nix develop on a throwaway store with a fake <nixpkgs> (as nix_shell.sh):
# nix shell -f FILE ATTRS -c CMD (bin dirs on PATH, exit status kept), nix run (pname, name
# without version, arguments passed), nix develop --command (the derivation's environment with
# its setup sourced), store-path installables, errors.
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
  runCommand = name: env: cmd: derivation ({ inherit name system stdenv; builder = sh; args = [ "-c" cmd ]; } // removeAttrs env [ "meta" ])
    // { meta = env.meta or {}; };
  hello = tool "hello-1.0" "hello from nixpkgs";
  figlet = tool "figlet-2.0" "figlet from nixpkgs";
}
NIX
export NIX_PATH=nixpkgs=$tmp/nixpkgs


mkdir -p "$tmp/nixpkgs/run"
cat > "$tmp/nixpkgs/run/default.nix" <<NIX
let pkgs = import ../. {}; in {
  inherit (pkgs) hello figlet;
  named = pkgs.runCommand "my-prog-3.1" { pname = "my-prog"; } "$tools/bin/mkdir -p \$out/bin; $tools/bin/printf '#!$tools/bin/sh\\necho \"args: \$*\"\\n' > \$out/bin/my-prog; $tools/bin/chmod +x \$out/bin/my-prog";
  withmain = pkgs.runCommand "withmain-1.0" { meta.mainProgram = "other-name"; } "$tools/bin/mkdir -p \$out/bin; $tools/bin/printf '#!$tools/bin/sh\\necho main program\\n' > \$out/bin/other-name; $tools/bin/chmod +x \$out/bin/other-name";
  dev = pkgs.runCommand "dev-env" { buildInputs = [ pkgs.hello ]; DEVVAR = "dev value"; shellHook = "echo dev-hook"; } "exit 1";
}
NIX
F=(--file "$tmp/nixpkgs")
nx() { "$NIXPP_BIN/nix" "$@"; }

# 1. nix shell.
out=$(nx shell "${F[@]}" hello figlet -c sh -c 'hello; figlet' 2>"$tmp/err") || { cat "$tmp/err"; fail "nix shell -c"; }
[ "$out" = "hello from nixpkgs
figlet from nixpkgs" ] || fail "nix shell output: $out"
set +e; nx shell "${F[@]}" hello -c sh -c 'exit 5' 2>/dev/null; st=$?; set -e
[ $st = 5 ] || fail "nix shell exit status $st"
hello_out=$("$NIXPP_BIN/nix-build" "$tmp/nixpkgs" -A hello --no-out-link 2>/dev/null)
[ "$(nx shell "$hello_out" -c hello 2>/dev/null)" = "hello from nixpkgs" ] || fail "nix shell STOREPATH"
if nx shell "${F[@]}" nosuch -c true 2>"$tmp/err"; then fail "nix shell of a missing attribute"; fi
grep -q nosuch "$tmp/err" || { cat "$tmp/err"; fail "missing attribute message"; }

# 2. nix run: the program is the name without its version; arguments are passed.
[ "$(nx run "${F[@]}" hello 2>/dev/null)" = "hello from nixpkgs" ] || fail "nix run hello"
out=$(nx run -f "$tmp/nixpkgs/run" named -- x --y 2>&1) || { echo "$out"; fail "nix run named"; }
[ "$(echo "$out" | tail -1)" = "args: x --y" ] || fail "nix run: pname program and arguments: $out"
out=$(nx run "${F[@]}" figlet -- a b 2>&1) || { echo "$out"; fail "nix run figlet -- a b"; }
[ "$out" = "figlet from nixpkgs" ] || fail "nix run figlet -- a b: $out"

[ "$(nx run -f "$tmp/nixpkgs/run" withmain 2>/dev/null)" = "main program" ] || fail "nix run: meta.mainProgram"

# 3. nix develop --command: the build environment.
out=$(NIX_BUILD_SHELL=bash nx develop -f "$tmp/nixpkgs/run" dev --command sh -c 'echo "$DEVVAR"; hello' 2>"$tmp/err") || { cat "$tmp/err"; fail "nix develop"; }
echo "$out" | grep -x "dev value" >/dev/null || fail "nix develop: DEVVAR: $out"
echo "$out" | grep -x "hello from nixpkgs" >/dev/null || fail "nix develop: buildInputs: $out"
echo "$out" | grep -x "dev-hook" >/dev/null || fail "nix develop: shellHook: $out"
set +e; NIX_BUILD_SHELL=bash nx develop -f "$tmp/nixpkgs/run" dev --command sh -c 'exit 4' 2>/dev/null; st=$?; set -e
[ $st = 4 ] || fail "nix develop exit status $st"
echo "nix_shell_cmd: all passed"
