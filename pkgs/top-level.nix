# The packages: attribute name -> expression (pkgs/packages/*.nix), called with callPackage.
{ lib, self }:
let inherit (self) callPackage sources; in
{
  inherit (callPackage ./build-support/trivial-builders.nix { })
    runCommand writeText writeTextFile writeScript writeShellScript symlinkJoin buildEnv;

  hello = callPackage ./packages/hello.nix { };
  zlib = callPackage ./packages/zlib.nix { };
  bzip2 = callPackage ./packages/bzip2.nix { };
  xz = callPackage ./packages/xz.nix { };
  ncurses = callPackage ./packages/ncurses.nix { };
  readline = callPackage ./packages/readline.nix { };
  oniguruma = callPackage ./packages/oniguruma.nix { };
  jq = callPackage ./packages/jq.nix { };
  lua5_3 = callPackage ./packages/lua.nix { version = "5.3.6"; src = sources.lua5_3; priority = 6; };
  lua5_4 = callPackage ./packages/lua.nix { version = "5.4.4"; src = sources.lua5_4; };
  lua = self.lua5_4;
  # The variant: the interpreter with line editing.
  luaReadline = self.lua.override { readlineSupport = true; };
}
