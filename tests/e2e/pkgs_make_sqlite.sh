#!/usr/bin/env bash
# pkgs/: GNU make 4.3 and SQLite 3.40.1 built from Debian's upstream tarballs in the sandbox, on a
# throwaway store, with the host's toolchain (and tclsh) hidden (tests/e2e/lib/pkgs_env.bash).
# make: --version, then it builds a small C project (pattern rules, automatic variables, a
# function, parallel jobs, a recursive make, an up-to-date second run, a failing recipe). sqlite:
# the sqlite3 shell creates a table in a database file and queries it, and a C program compiled
# with the collection's stdenv links libsqlite3.so from the dev output. tclBin (a Debian binary,
# sqlite's build tool) runs. Each is rebuilt with --check. PKGS_ONLY="gnumake sqlite" restricts.
# Time: 208 s at load 5-7 (beside pkgs_collection): bootstrap 8 s, gnumake 6+8 s (--check),
# tclBin 0+1, sqlite 112+72.
set -euo pipefail
: "${NIXPP_BIN:?}" "${NIXPP_SRC:?}"
. "$NIXPP_SRC/tests/e2e/lib/pkgs_env.bash"

bootstrapStdenv

if want gnumake; then
  build gnumake
  v=$(env -i gnumake/bin/make --version | sed -n 1p)
  [ "$v" = "GNU Make 4.3" ] || fail "make --version printed '$v'"
  # The host's make is hidden: this is the collection's make, and it runs recipes with /bin/sh
  # and the compiler of a nix-shell on the collection's stdenv.
  mkdir -p proj/lib
  cat > proj/Makefile <<'MK'
objs := $(patsubst %.c,%.o,$(wildcard *.c))
all: prog lib/done
prog: $(objs)
	$(CC) -o $@ $^
%.o: %.c
	$(CC) -c -o $@ $<
lib/done:
	$(MAKE) -C lib
clean-fail:
	false
MK
  printf 'all:\n\techo "level $(MAKELEVEL)" > done\n' > proj/lib/Makefile
  printf 'int two(void);\n#include <stdio.h>\nint main(void){printf("%%d\\n", two()+40);return 0;}\n' > proj/main.c
  printf 'int two(void){return 2;}\n' > proj/two.c
  mk="$tmp/gnumake/bin/make"
  "$NIXPP_BIN/nix-shell" -I nixpkgs="$pkgs" -p --pure --run "cd $tmp/proj && $mk -j2 && $mk" >"$tmp/proj.log" 2>&1 ||
    { cat "$tmp/proj.log"; fail "make did not build the project"; }
  [ "$(proj/prog)" = 42 ] || fail "the program made by make printed '$(proj/prog)'"
  [ "$(cat proj/lib/done)" = "level 1" ] || fail "recursive make: $(cat proj/lib/done)"
  grep -q "make: Nothing to be done for 'all'." "$tmp/proj.log" || { cat "$tmp/proj.log"; fail "a second make run was not a no-op"; }
  if (cd proj && "$mk" clean-fail >/dev/null 2>&1); then fail "make ignored a failing recipe"; fi
  check gnumake
fi

if want sqlite; then
  build tclBin
  [ "$(echo 'puts [string length nixpp]' | tclBin/bin/tclsh)" = 5 ] || fail "tclsh from tclBin does not run"
  build sqlite
  db=$tmp/test.db
  env -i sqlite/bin/sqlite3 "$db" "create table pkgs(name text primary key, version text);
    insert into pkgs values ('make', '4.3'), ('sqlite', '3.40.1'), ('hello', '2.10');" || fail "sqlite3 could not create a table"
  out=$(env -i sqlite/bin/sqlite3 "$db" "select name || '=' || version from pkgs where name like '%l%' order by name;")
  [ "$out" = "$(printf 'hello=2.10\nsqlite=3.40.1')" ] || fail "sqlite3 query printed '$out'"
  [ "$(env -i sqlite/bin/sqlite3 "$db" 'pragma integrity_check;')" = ok ] || fail "sqlite3 integrity_check"
  ls sqlite/lib/libsqlite3.so* >/dev/null || fail "sqlite: no lib/libsqlite3.so"
  grep -a -q libsqlite3.so sqlite/bin/sqlite3 || fail "the sqlite3 shell does not use libsqlite3.so"
  # The library through its dev output, from a program built in nix-shell with the stdenv.
  cat > sq.c <<'C'
#include <sqlite3.h>
#include <stdio.h>
int main(int argc, char **argv) {
  sqlite3 *db; sqlite3_stmt *st;
  if (sqlite3_open(argv[1], &db) || sqlite3_prepare_v2(db, "select count(*) from pkgs", -1, &st, 0)) return 1;
  if (sqlite3_step(st) != SQLITE_ROW) return 1;
  printf("%s %d\n", sqlite3_libversion(), sqlite3_column_int(st, 0));
  return sqlite3_finalize(st) || sqlite3_close(db);
}
C
  "$NIXPP_BIN/nix-shell" -I nixpkgs="$pkgs" -p sqlite.dev --pure --run "cc -o $tmp/sq $tmp/sq.c -lsqlite3" >"$tmp/sq.log" 2>&1 ||
    { cat "$tmp/sq.log"; fail "a program linking libsqlite3 did not build in nix-shell"; }
  out=$(env -i "$tmp/sq" "$db")
  [ "$out" = "3.40.1 3" ] || fail "the program linked with libsqlite3 printed '$out'"
  check tclBin sqlite
fi
echo "PASS pkgs_make_sqlite"
