{ stdenv, sources, lib, ncurses }:
stdenv.mkDerivation {
  pname = "readline";
  version = "8.2";
  src = sources.readline;
  outputs = [ "out" "dev" "man" ];
  propagatedBuildInputs = [ ncurses.dev ];
  # libreadline.so itself linked with ncurses, so that its users need not name the terminal library.
  configureFlags = "--with-curses --with-shared-termcap-library --disable-install-examples";
  # Its config.status runs `awk`; the seed has gawk only under that name (Debian makes `awk` an
  # alternative, outside the package).
  preConfigure = ''
    mkdir -p $TMPDIR/awk-bin
    ln -s $(type -P gawk) $TMPDIR/awk-bin/awk
    export PATH=$TMPDIR/awk-bin:$PATH
  '';
  meta = { description = "Library for interactive line editing"; license = lib.licenses.gpl3Plus; };
}
