{ stdenv, sources, lib, ncurses }:
stdenv.mkDerivation {
  pname = "readline";
  version = "8.2";
  src = sources.readline;
  outputs = [ "out" "dev" "man" ];
  propagatedBuildInputs = [ ncurses.dev ];
  # libreadline.so itself linked with ncurses, so that its users need not name the terminal library.
  configureFlags = "--with-curses --with-shared-termcap-library --disable-install-examples";
  meta = { description = "Library for interactive line editing"; license = lib.licenses.gpl3Plus; };
}
