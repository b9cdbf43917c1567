# The evaluator's core semantics: laziness, rec/let, with chains, inherit (from), formals,
# `or`, `?`, `//`, `++`, interpolation, arithmetic, comparisons, equality, __functor.
let
  lazy = { bad = throw "never forced"; good = 1; };
  r = rec { a = b + 1; b = 2; c = { inherit a; }; };
  w = with { x = 1; y = 2; }; with { y = 20; }; x + y;
  inh = let src = { p = 3; q = 4; }; in { inherit (src) p q; };
  f = { a, b ? a * 10, ... }@args: a + b + builtins.length (builtins.attrNames args);
  fn = { __functor = self: x: self.k + x; k = 100; };
in
[
  lazy.good
  r.a
  r.c.a
  w
  inh
  (f { a = 1; })
  (f { a = 1; b = 2; c = 3; })
  (lazy.missing or "dflt")
  (lazy ? good)
  (lazy ? x.y)
  ({ a = 1; b = 2; } // { b = 3; c = 4; })
  ([ 1 ] ++ [ 2 3 ])
  "${"a"}-${toString 42}-${toString [ 1 null true "s" ]}"
  (7 / 2)
  (7.0 / 2)
  (1 + 2.5)
  (3 < 4)
  ("a" < "b")
  ([ 1 2 ] < [ 1 3 ])
  ({ a = [ 1 ]; } == { a = [ 1.0 ]; })
  ((x: x) == (x: x))
  (fn 5)
  (builtins.tryEval (throw "caught")).success
  (builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 100))
  (builtins.map (x: x * 2) [ 1 2 3 ])
  0.1
  1.0e20
]
