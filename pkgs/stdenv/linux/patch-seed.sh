# Makes the unpacked seed tools in $out run from the store: every dynamic ELF file gets the seed
# glibc's dynamic linker as its interpreter and a RUNPATH of the tree's and glibc's library
# directories; scripts' /bin/sh and /bin/bash interpreters become the tree's bash. patchelf itself
# is run through glibc's ld.so with --library-path, from a copy, before it is patched.
set -e
ld=$glibc/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
libs=$out/lib/x86_64-linux-gnu:$out/usr/lib/x86_64-linux-gnu:$glibc/lib/x86_64-linux-gnu
# patchelf and its libstdc++ are copied first: patching a library that the running patchelf has
# mapped (libstdc++) would crash it.
mkdir -p "$TMPDIR/pelib"
cp "$out/usr/bin/patchelf" "$TMPDIR/bin/patchelf.real"
cp -L "$out/usr/lib/x86_64-linux-gnu/libstdc++.so.6" "$TMPDIR/pelib/"
pe() { "$ld" --library-path "$TMPDIR/pelib:$glibc/lib/x86_64-linux-gnu" "$TMPDIR/bin/patchelf.real" "$@"; }
find "$out" -type f | while read -r f; do
  case $f in *.o|*.a) continue ;; esac
  [ "$(head -c 4 "$f" | tail -c 3)" = ELF ] || continue
  pe --print-rpath "$f" >/dev/null 2>&1 || continue   # not a dynamic executable or library
  if pe --print-interpreter "$f" >/dev/null 2>&1; then
    pe --set-interpreter "$ld" --set-rpath "$libs" "$f"
  else
    pe --set-rpath "$libs" "$f"
  fi
done
for dir in "$out/bin" "$out/usr/bin" "$out/sbin" "$out/usr/sbin"; do
  [ -d "$dir" ] || continue
  for f in "$dir"/*; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    [ "$(head -c 2 "$f")" = "#!" ] || continue
    sed -i -E "1s@^#! *(/usr)?/bin/(ba)?sh@#!$out/bin/bash@" "$f"
  done
done
ln -s bash "$out/bin/sh"
# Debian makes `awk` an alternative (outside the gawk package); configure scripts and their
# config.status run it by that name.
ln -s gawk "$out/usr/bin/awk"
# The tools' directories in one place (bin before usr/bin: Debian 12 is not usr-merged).
mkdir -p "$out/nix-support"
echo "$out/bin:$out/usr/bin" > "$out/nix-support/path"
