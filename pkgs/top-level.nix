# The packages: attribute name -> expression (pkgs/packages/*.nix), called with callPackage.
{ lib, self }:
let inherit (self) callPackage sources; in
{
  inherit (callPackage ./build-support/trivial-builders.nix { })
    runCommand writeText writeTextFile writeScript writeShellScript symlinkJoin buildEnv;
  # The stdenv's compiler is always there: runCommandCC is runCommand (nix-shell -p uses it).
  runCommandCC = self.runCommand;
  # The shell of nix-shell: the seed's bash (Debian's, with its built-in readline).
  bashInteractive = self.stdenv.bash;

  hello = callPackage ./packages/hello.nix { };
  zlib = callPackage ./packages/zlib.nix { };
  bzip2 = callPackage ./packages/bzip2.nix { };
  xz = callPackage ./packages/xz.nix { };
  ncurses = callPackage ./packages/ncurses.nix { };
  readline = callPackage ./packages/readline.nix { };
  oniguruma = callPackage ./packages/oniguruma.nix { };
  jq = callPackage ./packages/jq.nix { };
  gnumake = callPackage ./packages/gnumake.nix { };
  sqlite = callPackage ./packages/sqlite.nix { };
  # Debian 12 binaries, not built from source: build-time tools only (see the expression).
  tclBin = callPackage ./packages/tcl-bin.nix { };
  lua5_3 = callPackage ./packages/lua.nix { version = "5.3.6"; src = sources.lua5_3; priority = 6; };
  lua5_4 = callPackage ./packages/lua.nix { version = "5.4.4"; src = sources.lua5_4; };
  lua = self.lua5_4;
  # The variant: the interpreter with line editing.
  luaReadline = self.lua.override { readlineSupport = true; };
}
