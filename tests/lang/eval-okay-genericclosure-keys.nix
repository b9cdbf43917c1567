# genericClosure keys are compared with Nix's `<`: integers and floats together, strings, lists
# lexicographically; each key is visited once, in breadth-first order.
let
  closure = startSet: operator: map (x: x.key) (builtins.genericClosure { inherit startSet operator; });
in
{
  ints = closure [ { key = 1; } ] (x: if x.key < 5 then [ { key = x.key + 1; } { key = x.key * 2; } ] else [ ]);
  mixedNumbers = closure [ { key = 1; } { key = 1.0; } { key = 2.5; } ] (x: [ ]);
  strings = closure [ { key = "b"; } { key = "a"; } { key = "b"; } ] (x: [ { key = "a"; } ]);
  lists = closure [ { key = [ 1 "a" ]; } { key = [ 1 "a" ]; } { key = [ 1 ]; } { key = [ ]; } ] (x: [ ]);
  paths = closure [ { key = /a; } { key = /a; } { key = /b; } ] (x: [ ]);
}
