# builtins.sort with `<` as the comparator (the lessThan builtin, or a lambda `a: b: a < b`),
# which nixpp sorts by comparing ints or strings directly; the results must be the ones the
# comparator gives, stable, and other comparators and mixed lists must go the general way.
with builtins;
let
  ints = [ 5 3 (-2) 9 3 0 7 (-2) 12 1 ];
  strs = [ "b" "a" "ab" "" "B" "a" "ba" "\t" "é" "aa" ];
  # strings equal by content, told apart by their contexts: the sort must be stable
  p1 = "/nix/store/ibhnaxi7kxdyxxf60r0bsdwdl14fnmz1-foo";
  p2 = "/nix/store/yvfgvsq1rvlyi0kkk2xl2pbpgrx2zd5g-bar";
  ctx = [ (appendContext "k" { ${p2} = { path = true; }; }) (appendContext "k" { ${p1} = { path = true; }; }) "j" ];
  floats = [ 2.5 1 (-1.5) 3 ];
  # 3000 strings sharing prefixes of every length, some with a non-ASCII byte, against the
  # general way (`builtins.lessThan a b` is not recognised as `<`)
  many = genList (i: let x = (i * 1103515245 + 12345) - ((i * 1103515245 + 12345) / 2147483648) * 2147483648; in
    substring 0 (x - (x / 13) * 13) "abcdefghiabcdefgh" + toString (x - (x / 7) * 7) + (if x - (x / 3) * 3 == 0 then "é" else "")) 3000;
in {
  many = [ (sort lessThan many == sort (a: b: builtins.lessThan a b) many)
           (sort (a: b: b < a) many == sort (a: b: builtins.lessThan b a) many)
           (hashString "sha256" (concatStringsSep "," (sort lessThan many))) ];
  primInts = sort lessThan ints;
  lambdaInts = sort (a: b: a < b) ints;
  descInts = sort (a: b: b < a) ints;
  gtInts = sort (a: b: a > b) ints;
  primStrs = sort lessThan strs;
  lambdaStrs = sort (a: b: a < b) strs;
  descStrs = sort (x: y: y < x) strs;
  stable = map (s: attrNames (getContext s)) (sort (a: b: a < b) ctx);
  stableDesc = map (s: attrNames (getContext s)) (sort (a: b: b < a) ctx);
  floats = sort lessThan floats;
  mixedNum = sort (a: b: a < b) [ 3 1.5 2 ];
  # `<` is whatever __lessThan is in scope
  shadowed = let __lessThan = a: b: builtins.lessThan b a; in sort (a: b: a < b) ints;
  notLess = sort (a: b: a <= b) [ 3 1 2 ];
  lists = sort lessThan [ [ 2 ] [ 1 3 ] [ 1 ] ];
  thunks = sort lessThan (map (x: x * 2) ints);
  empty = sort lessThan [ ];
  one = sort (a: b: a < b) [ "x" ];
}
