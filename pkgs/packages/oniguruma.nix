# Oniguruma 6.9.8. Debian's upstream tarball is the git tag's tree (no configure script, and the
# seed has no autotools or cmake): the library is compiled directly with a config.h for x86_64
# glibc and the source list of src/Makefile.am; soname libonig.so.5 as libtool makes it (8:0:3).
{ stdenv, sources, lib }:
stdenv.mkDerivation {
  pname = "oniguruma";
  version = "6.9.8";
  src = sources.oniguruma;
  outputs = [ "out" "dev" ];
  dontConfigure = true;
  buildPhase = ''
    cd src
    cat > config.h <<'EOF'
    #define HAVE_ALLOCA 1
    #define HAVE_ALLOCA_H 1
    #define HAVE_STDINT_H 1
    #define HAVE_SYS_TIMES_H 1
    #define HAVE_SYS_TIME_H 1
    #define HAVE_SYS_TYPES_H 1
    #define HAVE_UNISTD_H 1
    #define HAVE_INTTYPES_H 1
    #define PACKAGE "onig"
    #define PACKAGE_VERSION "6.9.8"
    #define VERSION "6.9.8"
    #define SIZEOF_INT 4
    #define SIZEOF_LONG 8
    #define SIZEOF_LONG_LONG 8
    #define SIZEOF_VOIDP 8
    EOF
    srcs=$(sed -n '/^libonig_la_SOURCES/,/onig_init.c/p' Makefile.am | tr -d '\\' | tr ' \t' '\n\n' | grep '\.c$')
    for s in $srcs regposix.c regposerr.c; do
      cc -O2 -fPIC -DHAVE_CONFIG_H -DUSE_POSIX_API -I. -c $s -o ''${s%.c}.o &
      [ $(jobs -r | wc -l) -lt $NIX_BUILD_CORES ] || wait -n
    done
    wait
    cc -shared -Wl,-soname,libonig.so.5 -o libonig.so.5.3.0 *.o
    cd ..
  '';
  installPhase = ''
    mkdir -p $out/lib $out/include
    cp src/libonig.so.5.3.0 $out/lib/
    ln -s libonig.so.5.3.0 $out/lib/libonig.so.5
    ln -s libonig.so.5 $out/lib/libonig.so
    cp src/oniguruma.h src/oniggnu.h src/onigposix.h $out/include/
  '';
  meta = { description = "Regular expressions library"; license = lib.licenses.bsd2; };
}
