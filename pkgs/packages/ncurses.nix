{ stdenv, sources, lib }:
stdenv.mkDerivation {
  pname = "ncurses";
  version = "6.4";
  src = sources.ncurses;
  outputs = [ "out" "dev" "man" ];
  configureFlags = "--with-shared --without-debug --without-normal --without-cxx --without-cxx-binding --without-ada --enable-pc-files --disable-stripping --enable-symlinks";
  preConfigure = ''configureFlags="$configureFlags --with-pkg-config-libdir=$out/lib/pkgconfig"'';
  meta = { description = "Free software emulation of curses"; license = lib.licenses.mit; };
}
