# An attribute set nested 1000000 deep, forced completely by deepSeq: an error, never a crash.
let
  deep = builtins.foldl' (acc: x: { inherit acc; }) { } (builtins.genList (x: x) 1000000);
in
builtins.deepSeq deep true
