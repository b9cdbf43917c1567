#!/usr/bin/env bash
# bench/profile.sh: `nix-env -i` of one package into a profile of a hundred, nixpp against Nix
# 2.8. Each implementation has its own throwaway store (NIX_STORE_DIR) with 100 + runs x
# installs small packages built beforehand and a profile holding the first 100; each timed run
# resets the profile to that generation and installs the next BENCH_INSTALLS packages, one
# nix-env each, every one a package not installed before, so every install evaluates the
# expression, reads the installed manifest, writes a new manifest and .drv, builds the user
# environment (builtin:buildenv, ~200 links) and switches the generation. The two stores must
# end with the same user-environment tree.
# Env: as bench/store_lib.bash; BENCH_RUNS (5), BENCH_INSTALLS (10).
runs=5
source "$(dirname "$0")/store_lib.bash"
installs=${BENCH_INSTALLS:-10}
# Every install of every run gets a package of its own (p100, p101, ...): an install whose user
# environment was already built (the same package on top of generation 1 again) would skip the
# build, and the best run would be one that builds nothing.
npkgs=$((100 + runs * installs))
[ -x /bin/busybox ] || fail "needs busybox-static"
[ -x "$nixpp/nix-env" ] || fail "missing $nixpp/nix-env"

cat > "$tmp/pkgs.nix" <<'EOF'
{ tools }:
let t = builtins.storePath tools;
    mk = n: derivation {
      name = "pkg${toString n}-1.${toString n}";
      system = builtins.currentSystem;
      builder = "${t}/bin/sh";
      args = [ "-c" "export PATH=${t}/bin; mkdir -p $out/bin $out/share/pkg${toString n}; echo ${toString n} > $out/bin/p${toString n}; echo doc > $out/share/pkg${toString n}/README" ];
    } // { meta.description = "package number ${toString n}"; };
in builtins.listToAttrs (builtins.genList (n: { name = "p${toString n}"; value = mk n; }) NPKGS)
EOF
sed -i "s/NPKGS/$npkgs/" "$tmp/pkgs.nix"
mkdir -p "$tmp/tools/bin"
cp /bin/busybox "$tmp/tools/bin/"
for a in sh mkdir echo; do ln -s busybox "$tmp/tools/bin/$a"; done

# setup IMPL: a store with all packages built and a profile of p0..p99, made by IMPL's nix-env.
setup() {
  local impl=$1 bin=$2
  export NIX_STORE_DIR=$tmp/$impl/store NIX_STATE_DIR=$tmp/$impl/state HOME=$tmp/$impl/home
  mkdir -p "$HOME"
  local tools
  tools=$("$nix28/nix-store" --add "$tmp/tools")
  echo "$tools" > "$tmp/$impl/tools"
  "$nix28/nix-build" --no-out-link "$tmp/pkgs.nix" --argstr tools "$tools" >/dev/null 2>&1 || fail "building packages"
  local attrs=()
  for ((i = 0; i < 100; i++)); do attrs+=("p$i"); done
  "$bin/nix-env" -f "$tmp/pkgs.nix" --argstr tools "$tools" -p "$tmp/$impl/profile" -iA "${attrs[@]}" 2>/dev/null ||
    fail "$impl: installing 100 packages"
  echo 0 > "$tmp/$impl/counter"
}
setup nixpp "$nixpp"
setup nix28 "$nix28"

# prep: back to generation 1 (the 100 packages), later generations removed.
prep() {
  local impl=$1 bin=$2
  NIX_STORE_DIR=$tmp/$impl/store NIX_STATE_DIR=$tmp/$impl/state HOME=$tmp/$impl/home \
    "$bin/nix-env" -p "$tmp/$impl/profile" -G 1 >/dev/null 2>&1
  local l
  for l in "$tmp/$impl"/profile-*-link; do [ "$l" = "$tmp/$impl/profile-1-link" ] || rm -f "$l"; done
}
prepNixpp() { prep nixpp "$nixpp"; }
prepNix28() { prep nix28 "$nix28"; }
# install IMPL BIN: installs the next BENCH_INSTALLS packages (p100, p101, ...) into the profile,
# one nix-env -i each (several per timed run: one install takes ~0.1 s, /usr/bin/time counts 10 ms).
cat > "$tmp/install.sh" <<'EOF'
#!/usr/bin/env bash
set -e
impl=$1 bin=$2 tmp=$3 k=$4
export NIX_STORE_DIR=$tmp/$impl/store NIX_STATE_DIR=$tmp/$impl/state HOME=$tmp/$impl/home
tools=$(cat "$tmp/$impl/tools")
for ((j = 0; j < k; j++)); do
  n=$(cat "$tmp/$impl/counter"); echo $((n + 1)) > "$tmp/$impl/counter"
  "$bin/nix-env" -f "$tmp/pkgs.nix" --argstr tools "$tools" -p "$tmp/$impl/profile" -iA "p$((100 + n))"
done
EOF
# The runs alternate between the two (nixpp, Nix 2.8, nixpp, ...), so that both see the same
# machine: the load of a shared machine, and the state of the file system (see bench/README.md).
declare -A bestSecs bestCpu peakRss
total=$runs
runs=1
for ((r = 0; r < total; r++)); do
  for who in "nixpp" "Nix 2.8"; do
    if [ "$who" = nixpp ]; then measure "$who install" prepNixpp bash "$tmp/install.sh" nixpp "$nixpp" "$tmp" "$installs"
    else measure "$who install" prepNix28 bash "$tmp/install.sh" nix28 "$nix28" "$tmp" "$installs"; fi
    n="$who install"
    if [ -z "${bestSecs[$n]:-}" ] || awk "BEGIN{exit !(${secs[$n]} < ${bestSecs[$n]})}"; then bestSecs[$n]=${secs[$n]}; fi
    if [ -z "${bestCpu[$n]:-}" ] || awk "BEGIN{exit !(${cpu[$n]} < ${bestCpu[$n]})}"; then bestCpu[$n]=${cpu[$n]}; fi
    [ "${rss[$n]}" -gt "${peakRss[$n]:-0}" ] && peakRss[$n]=${rss[$n]}
  done
done
runs=$total
for n in "nixpp install" "Nix 2.8 install"; do secs[$n]=${bestSecs[$n]} cpu[$n]=${bestCpu[$n]} rss[$n]=${peakRss[$n]}; done

# Same tree of links (store dirs differ, so compare with the prefix removed).
tree() { (cd "$1" && find . -printf '%p %y %l\n' | sed "s|$2/[a-z0-9]\{32\}-||" | sort); }
diff <(tree "$tmp/nixpp/profile/" "$tmp/nixpp/store") <(tree "$tmp/nix28/profile/" "$tmp/nix28/store") >/dev/null ||
  fail "the user environments differ"

report install
