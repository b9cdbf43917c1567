#!/usr/bin/env bash
# nix-instantiate (instantiation mode): the .drv files nixpp writes are byte-identical to those
# Nix 2.8 writes (same paths, same bytes), for derivations with dependencies, multiple outputs,
# fixed outputs, toFile, path inputs, structured attrs and passAsFile; --add-root makes a root.
set -euo pipefail
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
: "${NIXPP_BIN:?NIXPP_BIN must point to the build directory}"
if ! command -v nix-instantiate >/dev/null || [[ $(command -v nix-instantiate) == "$NIXPP_BIN"/* ]]; then
  echo "Nix 2.8 not installed: skipped"; exit 0
fi
nixBin=$(dirname "$(command -v nix-instantiate)")
mkdir -p "$tmp/etc" "$tmp/src/dir"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$tmp/etc/nix.conf"
export NIX_CONF_DIR=$tmp/etc
echo hello > "$tmp/src/file.txt"
echo inner > "$tmp/src/dir/inner"
cat > "$tmp/src/drvs.nix" <<'NIX'
let
  mk = attrs: derivation ({ system = "x86_64-linux"; builder = "/bin/sh"; } // attrs);
  a = mk { name = "a"; args = [ "-c" "echo hi > $out" ]; };
in rec {
  inherit a;
  multi = mk { name = "multi"; outputs = [ "out" "dev" "lib" ]; dep = a; };
  useOutput = mk { name = "use-output"; inp = "${multi.dev}/include"; lib = multi.lib; };
  coercions = mk { name = "coercions"; list = [ 1 2 "x" true false null [ "n" ] ]; t = true; f = false; n = null; i = 42; };
  ignoreNulls = mk { name = "ignore-nulls"; __ignoreNulls = true; n = null; keep = "k"; };
  pathInput = mk { name = "path-input"; src = ./file.txt; dir = ./dir; };
  pathInterp = mk { name = "path-interp"; script = "cat ${./file.txt}"; };
  fixedSri = mk { name = "fixed-sri"; outputHash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; outputHashMode = "recursive"; };
  fixedFlat = mk { name = "fixed-flat"; outputHashAlgo = "sha256"; outputHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; };
  fixedSha1 = mk { name = "fixed-sha1"; outputHashAlgo = "sha1"; outputHash = "0000000000000000000000000000000000000000"; };
  fixedNix32 = mk { name = "fixed-nix32"; outputHashAlgo = "sha256"; outputHashMode = "flat"; outputHash = "0000000000000000000000000000000000000000000000000000"; };
  dependsOnFixed = mk { name = "depends-on-fixed"; src = fixedSri; };
  toFileDep = mk { name = "to-file"; file = builtins.toFile "script.sh" "echo ${./file.txt}"; };
  structured = mk { name = "structured"; __structuredAttrs = true; outputs = [ "out" "bin" ]; x = { y = [ 1 2 null true ]; z = multi; s = "str\n\"q\""; }; p = ./file.txt; };
  passAsFile = mk { name = "pass-as-file"; passAsFile = [ "big" ]; big = "data\nmore"; };
  drvPathDep = mk { name = "drv-path-dep"; d = multi.drvPath; };
  placeholders = mk { name = "placeholders"; outputs = [ "out" "doc" ]; cmd = "echo ${placeholder "doc"}"; };
  argsEsc = mk { name = "args-esc"; args = [ "-c" "echo \"quoted\" \\ back\ttab\nnl" ]; };
  nested = { recurseForDerivations = true; inner = mk { name = "nested-inner"; }; notDrv = 1; };
  chain = mk { name = "chain"; deps = [ useOutput toFileDep structured.bin ]; };
}
NIX
run() {  # run IMPL ROOT ARGS...: stdout of nix-instantiate on a throwaway store
  local bin=$1 root=$2; shift 2
  "$bin/nix-instantiate" --store "local?root=$root" "$@"
}
run "$nixBin" "$tmp/r-nix" "$tmp/src/drvs.nix" > "$tmp/nix.out" 2>/dev/null
run "$NIXPP_BIN" "$tmp/r-pp" "$tmp/src/drvs.nix" > "$tmp/pp.out" 2> "$tmp/pp.err"
[[ $(wc -l < "$tmp/nix.out") -ge 20 ]] || { echo "expected at least 20 derivations"; exit 1; }
diff -u "$tmp/nix.out" "$tmp/pp.out"
grep -q "you did not specify '--add-root'" "$tmp/pp.err"
# The same bytes for every .drv written (dependencies included).
(cd "$tmp/r-nix/nix/store" && ls -d *.drv) > "$tmp/nix.drvs"
(cd "$tmp/r-pp/nix/store" && ls -d *.drv) > "$tmp/pp.drvs"
diff -u "$tmp/nix.drvs" "$tmp/pp.drvs"
while read -r d; do cmp "$tmp/r-nix/nix/store/$d" "$tmp/r-pp/nix/store/$d"; done < "$tmp/nix.drvs"

# -A, -E, --arg/--argstr; non-"out" outputs are printed as path!output.
f=$tmp/src/drvs.nix
cases=(
  "-A multi $f" "-A structured.bin $f" "-A nested $f" "$f -A a -A placeholders"
  "-E '(import $f).chain'"
  "--argstr n hello -E '{n}: derivation { name = n; system = \"x\"; builder = \"/b\"; }'"
  "--arg n 3 -E '{n}: derivation { name = \"n\${toString n}\"; system = \"x\"; builder = \"/b\"; }'"
)
for c in "${cases[@]}"; do
  eval "set -- $c"
  run "$nixBin" "$tmp/r-nix" "$@" > "$tmp/nix.out" 2>/dev/null
  run "$NIXPP_BIN" "$tmp/r-pp" "$@" > "$tmp/pp.out" 2>/dev/null
  [[ -s "$tmp/nix.out" ]]
  diff -u "$tmp/nix.out" "$tmp/pp.out"
done

# --add-root: the root links to the .drv; a second derivation gets "<root>-2".
(cd "$tmp" && run "$NIXPP_BIN" "$tmp/r-pp" --add-root "$tmp/root" -A multi -A a "$tmp/src/drvs.nix") > "$tmp/pp.out"
[[ $(sed -n 1p "$tmp/pp.out") == "$tmp/root" ]]
[[ $(sed -n 2p "$tmp/pp.out") == "$tmp/root-2" ]]
[[ $(readlink "$tmp/root") == /nix/store/*-multi.drv ]]

# Not a derivation: Nix's error, exit status 1.
if run "$NIXPP_BIN" "$tmp/r-pp" -E '42' 2> "$tmp/err"; then echo "expected a failure"; exit 1; fi
grep -q "expression does not evaluate to a derivation (or a set or list of those)" "$tmp/err"
echo "instantiate: ok"
