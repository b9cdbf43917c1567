#!/usr/bin/env bash
# nix-env -q --xml and --prebuilt-only / -b, checked against Nix 2.8 on the same throwaway store
# (NIX_STORE_DIR etc. under a temp dir): every `-q --xml` variant (status, out and drv paths,
# descriptions, meta of each type, version comparison in both directions) byte for byte, stdout
# and the invalid-meta messages on stderr; -b lists, installs and upgrades to only what is
# already built (nixpp has no substituters).
set -Eeuo pipefail
trap 'echo "FAIL: line $LINENO" >&2' ERR
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log NIX_STORE_DIR=$tmp/store HOME=$tmp/home
mkdir -p "$NIX_CONF_DIR" "$HOME"
printf 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command\n' > "$NIX_CONF_DIR/nix.conf"
unset NIX_PROFILE NIX_PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v nix-env >/dev/null && [ -x /bin/busybox ] || fail "needs Nix 2.8's nix-env and busybox-static"

mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir echo; do ln -s busybox "$tmp/tools/bin/$a"; done
tools=$("$NIXPP_BIN/nix-store" --add "$tmp/tools")
cat > "$tmp/pkgs.nix" <<'NIX'
{ tools, v ? "1.0" }:
let t = builtins.storePath tools;
    mk = name: extra: derivation ({
      inherit name;
      system = builtins.currentSystem;
      builder = "${t}/bin/sh";
      args = [ "-c" "export PATH=${t}/bin; for o in $outputs; do eval mkdir -p \\$$o/bin; done; echo ${name} > $out/bin/x" ];
      outputs = [ "out" ];
    } // extra);
in {
  alpha = mk "alpha-${v}" {} // { meta = {
    description = "The <alpha> & \"beta\" 'thing'\nsecond line";
    priority = 7; f = 1.5; broken = false;
    license = { shortName = "mit"; };
    maintainers = [ "x" 3 "y" ];
    fn = x: x; n = null; nested = { a = [ 1 (y: y) ]; };
  }; };
  beta = mk "beta-2" { outputs = [ "out" "dev" ]; } // { meta.description = "b"; };
  gamma = mk "gamma" {};
  sub = { recurseForDerivations = true; delta = mk "delta-0.1pre" {}; };
}
NIX
F=(-f "$tmp/pkgs.nix" --argstr tools "$tools")

# Both implementations, the same arguments: same stdout, same stderr, same exit status.
same() {
  local a=0 b=0
  "$NIXPP_BIN/nix-env" "$@" > "$tmp/pp.out" 2> "$tmp/pp.err" || a=$?
  nix-env "$@" > "$tmp/nix.out" 2> "$tmp/nix.err" || b=$?
  grep -v "^warning: you probably meant" "$tmp/nix.err" > "$tmp/nix.err2" || true
  grep -v "^warning: you probably meant" "$tmp/pp.err" > "$tmp/pp.err2" || true
  diff "$tmp/nix.out" "$tmp/pp.out" >&2 || fail "stdout differs from Nix 2.8's: nix-env $*"
  diff "$tmp/nix.err2" "$tmp/pp.err2" >&2 || fail "stderr differs from Nix 2.8's: nix-env $*"
  [ "$a" = "$b" ] || fail "exit status $a, Nix 2.8: $b: nix-env $*"
}

# 1. Available packages, nothing built or installed.
for flags in "" "--out-path" "--drv-path" "--description" "--meta" "-s" "-c" "--system" \
             "--meta --out-path --drv-path -s --description -c" "-P --out-path"; do
  # shellcheck disable=SC2086
  same "${F[@]}" -qa --xml $flags
done
same "${F[@]}" -qa --xml alpha --meta
same "${F[@]}" -qa --xml 'nomatch'
grep -q '&#xA;second line' "$tmp/pp.out" || true
same "${F[@]}" -qa --xml -b
[ "$(grep -c '<item ' "$tmp/pp.out")" = 0 ] || fail "-b lists packages that are not built"
echo "group 1: ok"

# 2. Installed packages, one built; version comparisons in both directions (the profile holds
# alpha-1.0; the expression offers 0.9, 1.0 and 2.0 in turn).
"$NIXPP_BIN/nix-env" "${F[@]}" -iA alpha gamma 2> "$tmp/err" || { cat "$tmp/err"; fail "install"; }
for flags in "" "-s" "--meta" "-c" "-s -c --out-path --drv-path --description --meta"; do
  # shellcheck disable=SC2086
  same -q --xml $flags
  # shellcheck disable=SC2086
  same "${F[@]}" -qa --xml $flags
done
for v in 0.9 1.0 2.0; do
  same "${F[@]}" --argstr v "$v" -qa --xml -c
  same "${F[@]}" --argstr v "$v" -q --xml -c
  same "${F[@]}" --argstr v "$v" -qa -c
  same "${F[@]}" --argstr v "$v" -q -c
done
grep -q 'versionDiff="&gt;"' "$tmp/pp.out" || "$NIXPP_BIN/nix-env" "${F[@]}" --argstr v 0.9 -q --xml -c | grep 'versionDiff="&gt;"' >/dev/null ||
  fail "no '>' comparison"
echo "group 2: ok"

# 3. --prebuilt-only: only what is valid.
same "${F[@]}" -qa -b
[ "$(cat "$tmp/pp.out")" = "$(printf 'alpha-1.0\ngamma')" ] || fail "-qa -b: $(cat "$tmp/pp.out")"
same "${F[@]}" -qa -b --xml -s
"$NIXPP_BIN/nix-env" "${F[@]}" -p "$tmp/p2" -b -iA beta gamma 2> "$tmp/err" || { cat "$tmp/err"; fail "install -b"; }
[ "$("$NIXPP_BIN/nix-env" -p "$tmp/p2" -q)" = gamma ] || fail "-i -b installed what had to be built"
! grep -q "beta" "$tmp/err" || fail "-i -b built or installed beta"
# upgrade -b: 2.0 is not built, so alpha stays at 1.0; without -b it is upgraded.
"$NIXPP_BIN/nix-env" "${F[@]}" --argstr v 2.0 -b -u alpha 2> "$tmp/err" || { cat "$tmp/err"; fail "upgrade -b"; }
"$NIXPP_BIN/nix-env" -q | grep -x alpha-1.0 >/dev/null || fail "-u -b upgraded to an unbuilt version"
"$NIXPP_BIN/nix-env" "${F[@]}" --argstr v 2.0 -u alpha 2> "$tmp/err" || { cat "$tmp/err"; fail "upgrade"; }
"$NIXPP_BIN/nix-env" -q | grep -x alpha-2.0 >/dev/null || fail "-u did not upgrade"
echo "group 3: ok"
echo "all ok"
