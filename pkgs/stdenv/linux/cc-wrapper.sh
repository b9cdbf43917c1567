#!@shell@
# @name@: the seed's gcc-12 made to compile and link against the store only. glibc's development
# files are the system root (--sysroot: headers, crt files, libc's linker scripts), programs get
# the runtime glibc's dynamic linker and RUNPATH entries for it, the build's own outputs and the
# -L directories of its inputs (fixup removes the unused ones). NIX_CFLAGS_COMPILE and NIX_LDFLAGS come from the
# setup hooks of the build's inputs.
link=1
for arg in "$@"; do
  case $arg in -c|-S|-E|-M|-MM) link=0 ;; esac
done
before=(--sysroot=@glibcDev@ -B@glibcDev@/usr/lib/x86_64-linux-gnu/ -B@gccBin@/ -frandom-seed=nixpp)
after=()
# shellcheck disable=SC2206
before+=($NIX_CFLAGS_COMPILE)
if [ $link = 1 ]; then
  after+=(-Wl,--dynamic-linker=@glibc@/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
    -Wl,-rpath,@glibc@/lib/x86_64-linux-gnu)
  for o in ${outputs:-out}; do
    [ -n "${!o:-}" ] && after+=("-Wl,-rpath,${!o}/lib")
  done
  # shellcheck disable=SC2206
  after+=($NIX_LDFLAGS)
fi
exec @gcc@ "${before[@]}" "$@" "${after[@]}"
