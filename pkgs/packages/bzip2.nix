{ stdenv, sources, lib }:
stdenv.mkDerivation {
  pname = "bzip2";
  version = "1.0.8";
  src = sources.bzip2;
  outputs = [ "out" "dev" ];
  dontConfigure = true;
  # The shared library has a makefile of its own; the programs are linked against it.
  buildPhase = ''
    make -f Makefile-libbz2_so CC=cc
    make bzip2 bzip2recover CC=cc
  '';
  installPhase = ''
    make install PREFIX=$out
    cp -a libbz2.so.1.0.8 $out/lib/
    ln -s libbz2.so.1.0.8 $out/lib/libbz2.so.1.0
    ln -s libbz2.so.1.0 $out/lib/libbz2.so
    cp bzip2-shared $out/bin/bzip2
  '';
  meta = { description = "High-quality data compression program"; license = lib.licenses.bzip2; };
}
