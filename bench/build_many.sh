#!/usr/bin/env bash
# bench/build_many.sh: per-build overhead. `nix-store -r -j2` of 500 trivial derivations (10
# layers of 50; each derivation of layer l > 0 depends on two of layer l-1; each runs busybox's sh,
# added to the store as an input, and writes a line naming its inputs to $out), with sandbox =
# true and sandbox = false, nixpp against Nix 2.8.
# Both build in a plain store at the same location ($work/s, see bench/image_fs.bash: NIX_STORE_DIR=$work/s/store, state and
# logs beside it; a chroot store would force the sandbox on), made afresh before every run by Nix
# 2.8 (busybox added, the 500 .drv files instantiated, untimed), so both build the very same .drv
# files and must print the same 500 output paths, with the same contents and references. The runs
# of the two alternate; old stores are moved aside (deleted with $tmp at exit).
# Nix 2.8 builds as root without build users: build-users-group is empty.
# Env: as bench/store_lib.bash; BENCH_DRVS (500: layers of 50), BENCH_RUNS (3).
runs=3
source "$(dirname "$0")/store_lib.bash"
ndrvs=${BENCH_DRVS:-500}
width=50
layers=$(( (ndrvs + width - 1) / width ))
[ -x /bin/busybox ] || fail "needs /bin/busybox (busybox-static)"

# A tools directory: busybox and a relative symlink per applet.
mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/tools/bin/$a"; done
cat > "$tmp/drvs.nix" <<EOF
{ tools }:
let
  t = builtins.storePath tools;
  layer = l: builtins.genList (i: mk l i) $width;
  all = builtins.genList layer $layers;
  at = l: i: builtins.elemAt (builtins.elemAt all l) i;
  mod = a: b: a - a / b * b;
  mk = l: i: derivation {
    name = "b-\${toString l}-\${toString i}";
    system = "x86_64-linux";
    builder = "\${t}/bin/sh";
    deps = if l == 0 then [ ] else [ (at (l - 1) i) (at (l - 1) (mod (i * 7 + 3) $width)) ];
    args = [ "-c" "echo \${toString l} \${toString i} \$deps > \$out" ];
  };
in builtins.genList (n: at (n / $width) (mod n $width)) $ndrvs
EOF

export NIX_STORE_DIR=$work/s/store NIX_STATE_DIR=$work/s/state NIX_LOG_DIR=$work/s/log
prep() {
  moveAside "$work/s"  # not deleted: see store_lib.bash
  local tools
  tools=$("$nix28/nix-store" --add "$tmp/tools")
  "$nix28/nix-instantiate" "$tmp/drvs.nix" --argstr tools "$tools" > "$tmp/drvs" 2> "$tmp/inst-err" ||
    { cat "$tmp/inst-err" >&2; fail "instantiating the derivations"; }
  [ "$(wc -l < "$tmp/drvs")" -eq "$ndrvs" ] || fail "expected $ndrvs .drv files"
}
# check NAME: the last run's store holds what it printed: valid, accepted by Nix 2.8.
check() {
  [ "$(wc -l < "$tmp/out/$1.0")" -eq "$ndrvs" ] || fail "$1: expected $ndrvs output paths"
  local last
  last=$(tail -1 "$tmp/out/$1.0")
  grep -q "^$((layers - 1)) " "$NIX_STORE_DIR/${last##*/}" || fail "$1: wrong contents of $last"
  "$nix28/nix-store" -qR "$last" | sort > "$tmp/out/$1.closure"
  "$nix28/nix-store" --verify-path $(cat "$tmp/out/$1.0") || fail "$1: Nix 2.8 rejects the outputs"
}

rows=()
for sb in false true; do
  prep
  # Warm-up of both (binaries, page cache), untimed.
  "$nixpp/nix-store" -r -j2 --option sandbox "$sb" $(head -3 "$tmp/drvs") > /dev/null 2>&1 ||
    { "$nixpp/nix-store" -r -j2 --option sandbox "$sb" $(head -3 "$tmp/drvs") 2>&1 | tail -5 >&2; fail "nixpp cannot build (sandbox = $sb)"; }
  prep
  "$nix28/nix-store" -r -j2 --option sandbox "$sb" $(head -3 "$tmp/drvs") > /dev/null 2>&1 ||
    { "$nix28/nix-store" -r -j2 --option sandbox "$sb" $(head -3 "$tmp/drvs") 2>&1 | tail -5 >&2; fail "Nix 2.8 cannot build (sandbox = $sb)"; }
  name=sandbox-$sb
  # The runs of the two alternate (both see the same conditions); the best of each counts.
  total=$runs
  runs=1
  for ((r = 0; r < total; r++)); do
    measure "nixpp $name" prep sh -c "exec '$nixpp/nix-store' -r -j2 --option sandbox $sb \$(cat '$tmp/drvs')"
    check "nixpp $name"
    measure "Nix 2.8 $name" prep sh -c "exec '$nix28/nix-store' -r -j2 --option sandbox $sb \$(cat '$tmp/drvs')"
    check "Nix 2.8 $name"
  done
  runs=$total
  cmp -s "$tmp/out/nixpp $name.0" "$tmp/out/Nix 2.8 $name.0" || fail "$name: the output paths differ"
  cmp -s "$tmp/out/nixpp $name.closure" "$tmp/out/Nix 2.8 $name.closure" || fail "$name: the closures differ"
  rows+=("$name")
done

report "${rows[@]}"
