# stdenv: a store path holding `setup` (the generic builder, setup.sh) and the function
# mkDerivation, which turns a package's attributes into a derivation built by that builder.
{ lib, system, name, shell, cc, initialPath, extraAttrs ? { } }:
let
  setup = derivation {
    inherit name system;
    builder = shell;
    args = [ "-e" "-c" ''
      export PATH=${initialPath}
      mkdir -p $out
      sed -e "s|@initialPath@|${initialPath}|g" -e "s|@shell@|${shell}|g" ${./setup.sh} > $out/setup
    '' ];
  };

  # mkDerivation attrs: a derivation of the generic builder. `outputs`, `meta` and `passthru` are
  # kept as Nix attributes; lists of inputs become space-separated store paths. The result has
  # overrideAttrs (f: the new attributes from the old, or a function final: prev: ...).
  mkDerivation = attrs0:
    let
      make = attrs:
        let
          pname = attrs.pname or null;
          drvName = attrs.name or "${pname}-${attrs.version}";
          outputs = attrs.outputs or [ "out" ];
          meta = attrs.meta or { };
          passthru = attrs.passthru or { };
          # A multiple-output input is used through its dev output (headers; it propagates out).
          devOf = d: if builtins.isAttrs d && d ? dev then d.dev else d;
          inputs = builtins.mapAttrs (n: v: map devOf (lib.toList v)) (builtins.intersectAttrs
            { buildInputs = 1; nativeBuildInputs = 1; propagatedBuildInputs = 1; propagatedNativeBuildInputs = 1; } attrs);
          toEnv = removeAttrs attrs [ "meta" "passthru" "pname" ] // inputs;
          drv = derivation (toEnv // {
            name = drvName;
            inherit system outputs;
            builder = shell;
            args = [ "-e" (attrs.builder or ./default-builder.sh) ];
            stdenv = setup;
          } // lib.optionalAttrs (pname != null) { inherit pname; });
          withOutputs = drv // passthru // {
            inherit meta passthru;
            overrideAttrs = f: make (attrs // (if builtins.isFunction f then f attrs else f));
          };
        in
        withOutputs;
    in
    make attrs0;
in
extraAttrs // {
  inherit mkDerivation shell cc system initialPath setup;
  inherit (setup) outPath;
  name = "stdenv";
}
