# The bootstrap: from pinned Debian 12 binary packages (pins/debs.list) to a stdenv whose compiler
# finds headers, crt files and libraries in the store only.
#   busybox     the static busybox out of its .deb, by nixpp's builtin:unpack-deb
#   glibc       libc6 + libgcc-s1, unpacked by busybox (its own store path: programs built later
#               reference only it); glibcDev: libc6-dev + linux-libc-dev, the compiler's sysroot
#   seedTools   gcc, binutils, coreutils, bash, make, ... unpacked by busybox, every ELF file's
#               interpreter and RUNPATH patched to store paths by the seed's own patchelf
#   bash        the seed's bash alone (with libtinfo): the shell of builds and installed scripts
#   cc          a wrapper of the seed's gcc-12 (cc-wrapper.sh)
#   stdenv      setup (the generic builder) and mkDerivation
{ lib, fetchurl, system }:
let
  inherit (builtins) elemAt listToAttrs map;

  # The seed's .debs by Debian package name, each a fixed-output fetch.
  pins = lib.readPins ../../pins/debs.list;
  debs = listToAttrs (map (p: {
    name = elemAt p 0;
    value = fetchurl { url = "mirror://debian/${elemAt p 3}"; sha256 = elemAt p 2; };
  }) pins);
  debVersion = name: lib.last (lib.splitString ":" (elemAt (lib.last
    (builtins.filter (p: elemAt p 0 == name) pins)) 1));

  busybox = derivation {
    name = "busybox-static-${debVersion "busybox-static"}";
    inherit system;
    builder = "builtin:unpack-deb";
    src = debs.busybox-static;
  };

  # unpackDebs name packages extraScript: the packages' trees merged into one store path.
  unpackDebs = name: packages: attrs: derivation ({
    inherit name system busybox;
    builder = "${busybox}/bin/busybox";
    args = [ "sh" "-e" "-c" ''. "$unpackScript"; [ -z "$postUnpack" ] || . "$postUnpack"'' ];
    unpackScript = ./unpack-debs.sh;
    postUnpack = "";
    glibc = "";
    debs = map (p: debs.${p}) packages;
  } // attrs);

  # glibc at run time (libc6, libgcc-s1: what programs refer to) and glibcDev, the compiler's
  # system root (headers, crt files, static libraries, linker scripts), which programs do not keep.
  glibc = unpackDebs "glibc-${debVersion "libc6"}" [ "libc6" "libgcc-s1" ] { };
  glibcDev = unpackDebs "glibc-dev-${debVersion "libc6"}" [ "libc6-dev" "linux-libc-dev" ] {
    inherit glibc;
    postUnpack = ./glibc-dev.sh;
  };

  seedTools = unpackDebs "seed-tools-debian12" [
    "gcc-12" "cpp-12" "libgcc-12-dev" "binutils" "binutils-x86-64-linux-gnu" "libbinutils"
    "libctf0" "libctf-nobfd0" "libgprofng0" "libjansson4" "libzstd1" "zlib1g" "libisl23" "libmpc3"
    "libmpfr6" "libgmp10" "libstdc++6" "coreutils" "libacl1" "libattr1" "libselinux1"
    "libpcre2-8-0" "bash" "libtinfo6" "make" "sed" "grep" "gawk" "libsigsegv2" "libreadline8" "tar"
    "gzip" "xz-utils" "liblzma5" "bzip2" "libbz2-1.0" "patch" "diffutils" "findutils" "patchelf"
  ] {
    inherit glibc;
    postUnpack = ./patch-seed.sh;
  };

  toolsPath = "${seedTools}/bin:${seedTools}/usr/bin";

  # The shell of builders and of the scripts that packages install (patchShebangs): the seed's
  # bash on its own with libtinfo, so that a package with a script does not keep the whole seed.
  bash = derivation {
    name = "bash-${debVersion "bash"}";
    inherit system;
    builder = "${seedTools}/bin/bash";
    args = [ "-e" "-c" ''
      export PATH=${toolsPath}
      mkdir -p $out/bin $out/lib
      cp ${seedTools}/bin/bash $out/bin/bash
      cp -L ${seedTools}/lib/x86_64-linux-gnu/libtinfo.so.6 $out/lib/
      chmod u+w $out/bin/bash $out/lib/libtinfo.so.6
      patchelf --set-rpath $out/lib:${glibc}/lib/x86_64-linux-gnu $out/bin/bash $out/lib/libtinfo.so.6
      ln -s bash $out/bin/sh
    '' ];
  };
  shell = "${bash}/bin/bash";

  cc = derivation {
    name = "gcc-wrapper-${debVersion "gcc-12"}";
    inherit system;
    builder = shell;
    args = [ "-e" "-c" ''
      export PATH=${toolsPath}
      mkdir -p $out/bin $out/nix-support
      for n in cc gcc; do
        sed -e "s|@shell@|${shell}|g" -e "s|@glibc@|${glibc}|g" -e "s|@glibcDev@|${glibcDev}|g" -e "s|@gcc@|${seedTools}/usr/bin/gcc-12|g" \
          -e "s|@gccBin@|${seedTools}/usr/bin|g" -e "s|@name@|$n|g" ${./cc-wrapper.sh} > $out/bin/$n
        chmod +x $out/bin/$n
      done
      ln -s ${seedTools}/usr/bin/cpp-12 $out/bin/cpp
      echo ${glibc} > $out/nix-support/libc
    '' ];
  };

  stdenv = import ../generic {
    inherit lib system shell cc;
    name = "stdenv-linux";
    initialPath = "${bash}/bin:${cc}/bin:${toolsPath}";
    extraAttrs = { inherit busybox glibc glibcDev seedTools bash debs; };
  };
in
stdenv
