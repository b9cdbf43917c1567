# bench/eval/lists.nix: sorting, folding and string processing over 100k-element lists (eval.sh).
let
  n = 100000;
  # deterministic pseudo-random ints (LCG mod 2^31 kept small enough to avoid overflow)
  rand = builtins.genList (i: (i * 1103515245 + 12345) - ((i * 1103515245 + 12345) / 2147483648) * 2147483648) n;
  sorted = builtins.sort builtins.lessThan rand;
  sum = builtins.foldl' (a: b: a + b) 0 sorted;
  strs = map toString sorted;
  joined = builtins.concatStringsSep "," strs;
  replaced = builtins.replaceStrings [ "1" "23" "," ] [ "one" "twothree" ";" ] joined;
  matched = builtins.filter (s: builtins.match "[0-9]*7[0-9]*7" s != null) strs;
  splitd = builtins.filter builtins.isString (builtins.split "[13579]" (builtins.substring 0 200000 joined));
  evens = builtins.filter (x: x - (x / 2) * 2 == 0) rand;
  pairs = builtins.concatLists (map (x: [ x (x + 1) ]) evens);
in {
  first = builtins.head sorted;
  last = builtins.elemAt sorted (n - 1);
  inherit sum;
  len = builtins.stringLength joined;
  replacedLen = builtins.stringLength replaced;
  replacedHash = builtins.hashString "sha256" replaced;
  matches = builtins.length matched;
  splits = builtins.length splitd;
  pairs = builtins.length pairs;
  all = builtins.all (x: x >= 0) sorted;
  sortedStrs = builtins.elemAt (builtins.sort (a: b: a < b) strs) 500;
}
