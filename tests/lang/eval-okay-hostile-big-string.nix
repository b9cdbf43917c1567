# A 10 MB string built by concatenation, then measured, cut and searched.
let
  s = builtins.concatStringsSep "" (builtins.genList (i: "abcdefghij") 1000000);
in
[
  (builtins.stringLength s)
  (builtins.substring 9999995 10 s)
  (builtins.stringLength (builtins.replaceStrings [ "j" ] [ "" ] s))
  (builtins.hashString "sha256" s)
]
