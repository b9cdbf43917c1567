let
  a.b.c = 1;
  a.b.d = 2;
  inherit (builtins) map;
  e = rec { x = 1; y = x; inherit (a) b; };
  "quoted name" = 3;
  or = 4;
in { inherit a e map; ${"x"} = 1; y.${toString 2} = 3; "if" = 5; "let" = { "in" = 1; }."in"; }
