# 100000 nested function calls through a chain of lets built at run time: an error, never a crash.
let
  chain = builtins.foldl' (f: i: x: f (x + 1)) (x: x) (builtins.genList (i: i) 100000);
in
chain 0
