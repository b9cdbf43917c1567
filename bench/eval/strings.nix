# bench/eval/strings.nix: string processing on its own (eval.sh): concatStringsSep, replaceStrings,
# match, split, substring, string interpolation and stringLength over 20k-50k strings.
let
  n = 50000;
  words = builtins.genList (i: "w${toString i}-${toString (i * 7919 - (i * 7919 / 1000) * 1000)}") n;
  joined = builtins.concatStringsSep " " words;
  replaced = builtins.replaceStrings [ "w1" "-" " " "99" ] [ "W_one" "+" "," "ninety-nine" ] joined;
  # match with and without groups, on every word
  keys = builtins.filter (m: m != null) (map (w: builtins.match "w([0-9]*)-([0-9]*)7" w) words);
  plain = builtins.filter (w: builtins.match ".*3.*3.*" w != null) words;
  # split a 200 KB slice on a regular expression, keep the separators' groups
  pieces = builtins.split "(-)([0-9]+)" (builtins.substring 0 200000 joined);
  # substring walks and interpolation
  chunks = builtins.genList (i: builtins.substring (i * 13) 13 joined) 20000;
  built = builtins.concatStringsSep "" (map (c: "<${c}>") chunks);
  lens = builtins.foldl' (acc: w: acc + builtins.stringLength w) 0 words;
in {
  joinedLen = builtins.stringLength joined;
  replacedHash = builtins.hashString "sha256" replaced;
  keys = builtins.length keys;
  firstKey = builtins.head keys;
  plain = builtins.length plain;
  pieces = builtins.length pieces;
  lastPiece = builtins.elemAt pieces (builtins.length pieces - 2);
  builtLen = builtins.stringLength built;
  builtHash = builtins.hashString "sha256" built;
  inherit lens;
}
