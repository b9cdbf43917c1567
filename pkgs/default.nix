# nixpp's package collection: a function of the system, a configuration and overlays, returning
# the package set as a fixed point (lib.fix), so that overlays (final: prev: { ... }) and
# config.packageOverrides (pkgs: { ... }) replace packages for everything that depends on them.
{ system ? builtins.currentSystem, config ? { }, overlays ? [ ] }:
let
  lib = import ./lib;
  fetchurl = lib.makeOverridable (import ./build-support/fetchurl.nix);
  inherit (builtins) elemAt listToAttrs map substring;

  # The upstream tarballs by attribute name (pins/sources.list), each a fixed-output fetch.
  sources = listToAttrs (map (p:
    let srcpkg = elemAt p 1; file = elemAt p 3; in {
      name = elemAt p 0;
      value = fetchurl {
        url = "mirror://debian/pool/main/${substring 0 (if lib.hasPrefix "lib" srcpkg then 4 else 1) srcpkg}/${srcpkg}/${file}";
        sha256 = elemAt p 4;
      };
    }) (lib.readPins ./pins/sources.list));

  allPackages = self: import ./top-level.nix { inherit lib self; } // {
    inherit lib fetchurl sources config system;
    stdenv = import ./stdenv/linux { inherit lib fetchurl system; };
    callPackage = lib.callPackageWith self;
    pkgs = self;
  };

  configOverrides = final: prev: (config.packageOverrides or (_: { })) prev;
in
lib.fix (lib.extends (lib.composeManyExtensions overlays) (lib.extends configOverrides allPackages))
