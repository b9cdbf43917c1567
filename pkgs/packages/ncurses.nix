{ stdenv, sources, lib }:
stdenv.mkDerivation {
  pname = "ncurses";
  version = "6.4";
  src = sources.ncurses;
  # No manual pages: they and the programs refer to each other (a cycle between outputs), and
  # installing their thousand aliases is most of the build's time.
  outputs = [ "out" "dev" ];
  configureFlags = "--with-shared --without-debug --without-normal --without-cxx --without-cxx-binding --without-ada --without-manpages --without-tests --enable-pc-files --disable-stripping --enable-symlinks";
  # The config script names the dev output's headers: it belongs there (else out and dev refer
  # to each other).
  postInstall = ''
    mkdir -p $dev/bin
    mv $out/bin/ncurses*-config $dev/bin/
  '';
  preConfigure = ''configureFlags="$configureFlags --with-pkg-config-libdir=$out/lib/pkgconfig"'';
  meta = { description = "Free software emulation of curses"; license = lib.licenses.mit; };
}
