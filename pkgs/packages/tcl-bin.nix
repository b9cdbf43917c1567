# tclsh 8.6, a Debian 12 binary (tcl8.6 + libtcl8.6 from the pinned seed list, pins/debs.list),
# not built from source: a build-time tool only, which sqlite's source tree needs to generate its
# amalgamation (sqlite3.c), its shell and its opcode tables. Unpacked with the stdenv's ar and
# tar; the ELF files get the seed glibc's dynamic linker and a RUNPATH in the store (libz from the
# seed); TCL_LIBRARY (its init.tcl) is set by the setup hook for the builds that use it.
{ stdenv, lib }:
stdenv.mkDerivation {
  pname = "tcl-debian12-bin";
  version = "8.6.13";
  srcs = [ stdenv.debs."tcl8.6" stdenv.debs."libtcl8.6" ];
  dontUnpack = true;
  dontConfigure = true;
  dontBuild = true;
  installPhase = ''
    mkdir -p $out deb
    for d in $srcs; do
      (cd deb && ar x $d && tar xJf data.tar.xz -C $out && rm -f data.tar.xz control.tar.* debian-binary)
    done
    rm -rf $out/usr/share/doc $out/usr/share/lintian $out/usr/share/man
    mv $out/usr/* $out/ && rmdir $out/usr
    ln -s tclsh8.6 $out/bin/tclsh
    # Debian's tm.tcl names the module directories (msgcat, used by `clock format`) in /usr.
    sed -i -e "s|/usr/share/tcltk|$out/share/tcltk|g" -e "s|/usr/lib/tcltk|$out/lib/tcltk|g" $out/share/tcltk/tcl8.6/tm.tcl
    chmod -R u+w $out
    patchelf --set-interpreter ${stdenv.glibc}/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
      --set-rpath $out/lib/x86_64-linux-gnu:${stdenv.seedTools}/lib/x86_64-linux-gnu:${stdenv.glibc}/lib/x86_64-linux-gnu \
      $out/bin/tclsh8.6
    patchelf --set-rpath ${stdenv.seedTools}/lib/x86_64-linux-gnu:${stdenv.glibc}/lib/x86_64-linux-gnu \
      $out/lib/x86_64-linux-gnu/libtcl8.6.so
  '';
  setupHook = builtins.toFile "tcl-setup-hook.sh" ''
    export TCL_LIBRARY=@out@/share/tcltk/tcl8.6
  '';
  postFixup = ''
    [ "$(echo 'puts [expr {6*7}]; puts [clock format 0 -format %Y -gmt 1]' | TCL_LIBRARY=$out/share/tcltk/tcl8.6 $out/bin/tclsh)" = "$(printf '42\n1970')" ]
  '';
  meta = { description = "Tcl interpreter (Debian 12 binary, build tool of sqlite)"; license = lib.licenses.tcl; priority = 10; };
}
