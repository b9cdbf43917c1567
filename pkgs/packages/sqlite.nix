# SQLite 3.40.1 from Debian's .orig tarball: the full source tree, not the amalgamation. Its
# Makefile generates sqlite3.c, sqlite3.h, shell.c and the opcode tables with tclsh (tclBin: a
# Debian 12 binary, build-time only). The shell is linked against libsqlite3 instead of compiling
# the 8 MB amalgamation a second time (as nixpkgs does); the shell's optional features are built
# into the library.
{ stdenv, sources, lib, tclBin }:
stdenv.mkDerivation {
  pname = "sqlite";
  version = "3.40.1";
  src = sources.sqlite;
  outputs = [ "out" "dev" ];
  nativeBuildInputs = [ tclBin ];
  configureFlags = "--disable-tcl --disable-readline --enable-fts4 --enable-rtree";
  NIX_CFLAGS_COMPILE = "-DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ENABLE_DBPAGE_VTAB -DSQLITE_ENABLE_STMTVTAB
    -DSQLITE_ENABLE_BYTECODE_VTAB -DSQLITE_ENABLE_EXPLAIN_COMMENTS -DSQLITE_ENABLE_UNKNOWN_SQL_FUNCTION
    -DSQLITE_ENABLE_OFFSET_SQL_FUNC -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_SECURE_DELETE";
  postConfigure = ''
    sed -i -e 's|^sqlite3$(TEXE):\tshell.c sqlite3.c$|sqlite3$(TEXE):\tshell.c libsqlite3.la|' \
      -e 's|^\t\tshell.c sqlite3.c \\$|\t\tshell.c libsqlite3.la \\|' Makefile
    [ $(grep -c 'shell.c libsqlite3.la' Makefile) = 2 ] || { echo "sqlite.nix: the shell's rule in Makefile has changed"; exit 1; }
  '';
  doCheck = true;
  # The test suite needs a Tcl development kit (testfixture); the new shell does a round trip.
  checkPhase = ''
    got=$(./sqlite3 :memory: "create table t(x int, y text); insert into t values (1, 'a'), (2, 'b');
      select sum(x) || group_concat(y) from t; select sqlite_version();")
    [ "$got" = "$(printf '3a,b\n3.40.1')" ] || { echo "sqlite check: got $got"; exit 1; }
  '';
  meta = { description = "A self-contained, serverless, zero-configuration, transactional SQL database engine"; license = lib.licenses.publicDomain; };
}
