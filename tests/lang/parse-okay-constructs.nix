let
  f = { a ? 1, b, ... }@args: a + b;
  g = args@{ x, ... }: x;
  h = x: y: x - y * 2 / 3;
in rec {
  p = -5 + -(3) - - 2;
  q = !true || false && true -> false;
  r = 1 < 2 == (3 >= 4);
  s = a: a.b.c or 5;
  t = [ 1 2.5 "s" ./foo ./bar <nixpkgs/lib> http://x.org/y ];
  u = { inherit (f) x y; "a b" = 1; ${"dyn"} = 2; "${toString 1}" = 3; };
  v = { a = 1; } // { b = 2; } // { c = 3; };
  w = [ 1 ] ++ [ 2 ] ++ [ 3 ];
  x = u ? a.b && u ? "c";
  y = if true then 1 else 2;
  z = with u; assert true; a;
  str = "a${toString 1}b\n\t\r\\\${x}$";
  ind = ''
    line1
      line2 ${"x"}
    ''${not} '''q ''\n
  '';
  cur = __curPos;
  m = let or = 1; in map or;
  e = 1.5e3 + .5 + 0.25 + 1.;
  lt = x: x < 1 && x > 0 && x <= 2 && x >= 3;
}
