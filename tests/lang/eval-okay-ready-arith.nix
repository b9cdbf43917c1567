# Arithmetic on ints at hand is computed without thunks, and lambda environments kept on the
# stack are copied to the heap when something keeps them: the results must be Nix's.
let
  fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2);
  # A later binding of the same let is not ready yet: a thunk, forced later.
  forward = let a = b - 1; b = 5; in a;
  # __overrides replaces b after the set is built: c sees the override.
  overridden = (rec { b = 5; c = b - 1; __overrides = { b = 6; }; }).c;
  # Chains of plain-argument lambdas, applied fully and partially.
  pair = a: b: [ (a - b) (a + b) (a * b) (a / b) (a < b) (b < a) ];
  three = x: y: z: x - y - z;
  sub = x: (y: x - y);
  # The argument is an unevaluated thunk: `n - 1` becomes a thunk of the stack environment,
  # which is then copied to the heap.
  later = n: double (n - 1);
  double = m: m * 2;
  keep = n: [ (n - 1) (n + 1) ];
  closures = n: map (k: k - n) [ 10 20 30 ];
  big = n: n * 1000 + n;
  count = n: if n == 0 then 0 else 1 + count (n - 1);
  mixed = a: b: a + b;
in [
  (fib 15)
  forward
  overridden
  (pair 17 5)
  (pair (-17) 5)
  (three 10 3 2)
  ((sub 5) 2)
  (map (sub 10) [ 1 2 3 ])
  (later (builtins.length [ 1 2 3 ]))
  (keep (builtins.length [ 1 2 ]))
  (keep 7)
  (closures 3)
  (big (big 5))
  (count 3000)
  (mixed 1 2.5)
  (mixed "a" "b")
  (builtins.foldl' (acc: x: acc + x * x) 0 (builtins.genList (i: i - 2) 5))
]
