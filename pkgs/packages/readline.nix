{ stdenv, sources, lib, ncurses }:
stdenv.mkDerivation {
  pname = "readline";
  version = "8.2";
  src = sources.readline;
  outputs = [ "out" "dev" "man" ];
  propagatedBuildInputs = [ ncurses.dev ];
  configureFlags = "--with-curses --disable-install-examples";
  meta = { description = "Library for interactive line editing"; license = lib.licenses.gpl3Plus; };
}
