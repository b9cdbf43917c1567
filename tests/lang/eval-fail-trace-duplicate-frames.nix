# More than five repeated frames are folded into "(N duplicate frames omitted)".
let
  f = n: if n == 0 then throw "boom" else f (n - 1);
in
f 8
