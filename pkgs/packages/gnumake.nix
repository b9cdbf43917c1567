# GNU make 4.3. Debian's make-dfsg tarball is the upstream release without its generated files
# (no configure script, no build.cfg for build.sh) and the seed has no autotools: make is
# compiled directly from src/ (the sources of Makefile.am's make_SRCS for POSIX, remote-stub),
# with the config.h that configure would write on glibc 2.36 / x86_64: no NLS, no guile;
# jobserver, load and symlinks on; jobs started by vfork as with --disable-posix-spawn (make's
# posix_spawn path needs gnulib's findprog from lib/, which would need configure's headers).
{ stdenv, sources, lib }:
stdenv.mkDerivation {
  pname = "gnumake";
  version = "4.3";
  src = sources.gnumake;
  dontConfigure = true;
  configH = ''
    #define _GNU_SOURCE 1
    #define _ALL_SOURCE 1
    #define _POSIX_PTHREAD_SEMANTICS 1
    #define __EXTENSIONS__ 1
    #define PACKAGE "make"
    #define PACKAGE_BUGREPORT "bug-make@gnu.org"
    #define PACKAGE_NAME "GNU make"
    #define PACKAGE_STRING "GNU make 4.3"
    #define PACKAGE_TARNAME "make"
    #define PACKAGE_URL "http://www.gnu.org/software/make/"
    #define PACKAGE_VERSION "4.3"
    #define VERSION "4.3"
    #define MAKE_HOST "x86_64-pc-linux-gnu"
    #define MAKE_JOBSERVER 1
    #define MAKE_LOAD 1
    #define MAKE_SYMLINKS 1
    #define FILE_TIMESTAMP_HI_RES 1
    #define ST_MTIM_NSEC st_mtim.tv_nsec
    #define PATH_SEPARATOR_CHAR ':'
    #define RETSIGTYPE void
    #define SCCS_GET "get"
    #define STDC_HEADERS 1
    #define TIME_WITH_SYS_TIME 1
    #define HAVE_DECL_BSD_SIGNAL 0
    #define HAVE_DECL_SYS_SIGLIST 0
    #define HAVE_DECL__SYS_SIGLIST 0
    #define HAVE_DECL___SYS_SIGLIST 0
    #define HAVE_DECL_DLERROR 1
    #define HAVE_DECL_DLOPEN 1
    #define HAVE_DECL_DLSYM 1
    #define HAVE_DECL_GETDTABLESIZE 1
    #define HAVE_DECL_PROGRAM_INVOCATION_NAME 1
    #define HAVE_DECL_PROGRAM_INVOCATION_SHORT_NAME 1
    #define HAVE_DECL_STRERROR_R 1
    #define STRERROR_R_CHAR_P 1
    #define HAVE_STRUCT_DIRENT_D_TYPE 1
    #define HAVE_SA_RESTART 1
    #define HAVE_WORKING_FORK 1
    #define HAVE_WORKING_VFORK 1
    #define HAVE_LONG_LONG_INT 1
    #define HAVE_UNSIGNED_LONG_LONG_INT 1
    #define HAVE_UINTMAX_T 1
  '';
  # Functions and headers that glibc 2.36 has (configure's AC_CHECK_FUNCS / AC_CHECK_HEADERS).
  haveFuncs = "alloca atexit clock_gettime dup dup2 fcntl fdopen fork getcwd getdtablesize getgroups
    gethostname getrlimit gettimeofday isatty lstat memrchr mkstemp mktemp pipe posix_spawn
    posix_spawnattr_setsigmask pselect readlink realpath setegid seteuid setlinebuf setregid
    setreuid setrlimit setvbuf sigaction stpcpy strcasecmp strcoll strdup strerror_r strncasecmp
    strndup strsignal symlink ttyname umask vfork wait3 waitpid";
  haveHeaders = "alloca.h dirent.h fcntl.h inttypes.h limits.h locale.h memory.h spawn.h stdint.h
    stdlib.h strings.h string.h sys/file.h sys/param.h sys/resource.h sys/select.h sys/stat.h
    sys/time.h sys/types.h sys/wait.h unistd.h";
  buildPhase = ''
    printf '%s\n' "$configH" | sed 's/^ *//' > src/config.h
    for f in $haveFuncs $haveHeaders; do
      echo "#define HAVE_$(echo $f | tr 'a-z./' 'A-Z__') 1" >> src/config.h
    done
    srcs="ar arscan commands default dir expand file function getopt getopt1 guile hash implicit
      job load loadapi main misc output read remake rule signame strcache variable version vpath
      posixos remote-stub"
    for s in $srcs; do
      cc -O2 -DHAVE_CONFIG_H -Isrc -DLOCALEDIR=\"$out/share/locale\" -DLIBDIR=\"$out/lib\" \
        -DINCLUDEDIR=\"$out/include\" -c src/$s.c -o src/$s.o &
      [ $(jobs -r | wc -l) -lt $NIX_BUILD_CORES ] || wait -n
    done
    wait
    cc -o make $(for s in $srcs; do echo src/$s.o; done) -ldl
  '';
  doCheck = true;
  # make's own test suite needs perl: the new make builds a small project instead (a pattern
  # rule, automatic variables, functions, parallel jobs and a recursive make).
  checkPhase = ''
    mkdir -p check/sub && cd check
    printf 'int main(void){return 0;}\n' > a.c
    printf 'all: a.out sub.ok\n\techo $(words $(wildcard *.c)) > count\n%%.out: %%.c\n\tcc -o $@ $<\nsub.ok:\n\t$(MAKE) -C sub\n\ttouch $@\n' > Makefile
    printf 'all:\n\techo sub $(MAKELEVEL) > ../sub.level\n' > sub/Makefile
    ../make -j2
    ./a.out && [ "$(cat count)" = 1 ] && [ "$(cat sub.level)" = "sub 1" ]
    cd ..
  '';
  installPhase = ''
    mkdir -p $out/bin $out/include
    cp make $out/bin/make
    cp src/gnumake.h $out/include/
  '';
  meta = { description = "A tool to control the generation of non-source files from sources"; license = lib.licenses.gpl3Plus; };
}
