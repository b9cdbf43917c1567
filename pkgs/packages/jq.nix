# jq 1.6. Debian's upstream tarball is the git tag's tree: no configure script, and the seed has no
# autotools to make one. The program is compiled directly, with the features configure would
# find in glibc (every libm function jq knows but pow10, which glibc dropped in 2.27).
{ stdenv, sources, lib, oniguruma }:
stdenv.mkDerivation {
  pname = "jq";
  version = "1.6";
  src = sources.jq;
  buildInputs = [ oniguruma.dev ];
  dontConfigure = true;
  buildPhase = ''
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' src/builtin.jq > src/builtin.inc
    echo '#define JQ_VERSION "1.6"' > src/version.h
    defs="-D_GNU_SOURCE -DIEEE_8087=1 -DHAVE_LIBONIG=1 -DHAVE_MKSTEMP=1 -DHAVE_ISATTY=1 -DHAVE_TIMEGM=1
      -DHAVE_STRPTIME=1 -DHAVE_STRFTIME=1 -DHAVE_GMTIME_R=1 -DHAVE_GMTIME=1 -DHAVE_LOCALTIME_R=1
      -DHAVE_TM_TM_GMT_OFF=1 -DHAVE_ALLOCA=1 -DHAVE_ALLOCA_H=1 -DHAVE_MEMMEM=1
      -DHAVE_PTHREAD_KEY_CREATE=1 -DHAVE_PTHREAD_ONCE=1 -DHAVE___THREAD=1"
    for m in $(grep -o 'HAVE_[A-Z0-9_]*' src/libm.h | sort -u); do
      [ $m = HAVE_POW10 ] || defs="$defs -D$m=1"
    done
    srcs="src/builtin.c src/bytecode.c src/compile.c src/execute.c src/jq_test.c src/jv.c
      src/jv_alloc.c src/jv_aux.c src/jv_dtoa.c src/jv_file.c src/jv_parse.c src/jv_print.c
      src/jv_unicode.c src/linker.c src/locfile.c src/util.c src/lexer.c src/parser.c src/main.c"
    for s in $srcs; do
      cc -O2 -I. -Isrc $defs -c $s -o ''${s%.c}.o &
      [ $(jobs -r | wc -l) -lt $NIX_BUILD_CORES ] || wait -n
    done
    wait
    cc -o jq $(for s in $srcs; do echo ''${s%.c}.o; done) -lonig -lm -lpthread
  '';
  doCheck = true;
  checkPhase = ''
    got=$(echo '{"a":[1,2,{"b":"x"}]}' | ./jq -c '.a[2].b, (.a|length), ("abc"|test("b."))')
    [ "$got" = "$(printf '"x"\n3\ntrue')" ] || { echo "jq check: got $got"; exit 1; }
  '';
  installPhase = ''
    mkdir -p $out/bin $out/share/man/man1
    cp jq $out/bin/
    [ ! -f jq.1.prebuilt ] || cp jq.1.prebuilt $out/share/man/man1/jq.1
  '';
  meta = { description = "Lightweight and flexible command-line JSON processor"; license = lib.licenses.mit; };
}
