# Lists of a million elements: built, folded, sorted, filtered, indexed.
let
  l = builtins.genList (i: i) 1000000;
in
[
  (builtins.length l)
  (builtins.foldl' builtins.add 0 l)
  (builtins.elemAt (builtins.sort (a: b: a > b) l) 0)
  (builtins.length (builtins.filter (x: x / 2 * 2 == x) l))
  (builtins.elemAt (l ++ l) 1999999)
  (builtins.length (builtins.attrNames (builtins.listToAttrs (map (i: { name = toString i; value = i; }) (builtins.genList (i: i) 100000)))))
]
