# bench/eval/attrs.nix: building, merging (//) and looking up large attribute sets (eval.sh).
let
  n = 100000;
  names = builtins.genList (i: "k${toString i}") n;
  big = builtins.listToAttrs (map (k: { name = k; value = builtins.stringLength k; }) names);
  # repeated `//`: 200 small overlays on top of the big set
  merged = builtins.foldl' (acc: i: acc // { "k${toString (i * 7)}" = i; "extra${toString i}" = i; })
    big (builtins.genList (i: i) 200);
  halves = builtins.listToAttrs (map (k: { name = k; value = 0; }) (builtins.genList (i: "k${toString (i * 2)}") (n / 2)));
  both = big // halves;
  sumLookups = s: builtins.foldl' (acc: k: acc + s.${k}) 0 names;
in {
  size = builtins.length (builtins.attrNames merged);
  sumBig = sumLookups big;
  sumMerged = sumLookups merged;
  sumBoth = sumLookups both;
  has = builtins.length (builtins.filter (k: both ? ${k}) (builtins.genList (i: "k${toString (i * 3)}") n));
  inter = builtins.length (builtins.attrNames (builtins.intersectAttrs halves big));
  removed = builtins.length (builtins.attrNames (builtins.removeAttrs big (builtins.genList (i: "k${toString i}") 50000)));
  mapped = (builtins.mapAttrs (k: v: v * 2) big).k99999;
}
