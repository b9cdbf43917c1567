# A list nested 100000 deep, built at run time, turned into JSON: an error (max-call-depth), never
# a crash.
let
  deep = builtins.foldl' (acc: x: [ acc ]) [ ] (builtins.genList (x: x) 100000);
in
builtins.toJSON deep
