# Lua 5.3 and 5.4 from one expression. The programs are installed as luaX.Y and luacX.Y beside
# lua/luac, so that several versions live in one profile (give one a lower meta.priority number
# to own lua/luac). readlineSupport = true links the interactive interpreter with GNU readline.
{ stdenv, lib, src, version, readline, ncurses, readlineSupport ? false, priority ? 5 }:
let
  parts = lib.splitString "." version;
  short = "${builtins.elemAt parts 0}.${builtins.elemAt parts 1}";
  cflags = "-DLUA_USE_POSIX -DLUA_USE_DLOPEN" + lib.optionalString readlineSupport " -DLUA_USE_READLINE";
  # ld looks for libreadline's own libncurses under the sysroot (glibc): -rpath-link shows it.
  # TODO: setup.sh should pass -rpath-link for every input (a stdenv-wide rebuild).
  libs = "-Wl,-E -ldl" + lib.optionalString readlineSupport " -lreadline -Wl,-rpath-link,${ncurses}/lib";
in
stdenv.mkDerivation {
  pname = "lua" + lib.optionalString readlineSupport "-readline";
  inherit version src;
  outputs = [ "out" "dev" ];
  buildInputs = lib.optional readlineSupport readline;
  dontConfigure = true;
  buildPhase = ''
    make -C src -j$NIX_BUILD_CORES all CC=cc SYSCFLAGS="${cflags}" SYSLIBS="${libs}"
  '';
  installPhase = ''
    make install INSTALL_TOP=$out INSTALL_MAN=$out/share/man/man1
    for p in lua luac; do
      mv $out/bin/$p $out/bin/''${p}${short}
      ln -s ''${p}${short} $out/bin/$p
      mv $out/share/man/man1/$p.1 $out/share/man/man1/''${p}${short}.1
    done
  '';
  passthru = { luaversion = short; };
  meta = {
    description = "Powerful, fast, lightweight, embeddable scripting language";
    homepage = "https://www.lua.org";
    license = lib.licenses.mit;
    inherit priority;
  };
}
