with builtins;
[
  (concatStringsSep "/" [ "a" "b" "c" ])
  (concatStringsSep "" [ "a" "b" ])
  (concatStringsSep ", " [ ])
  (concatStringsSep "-" [ "" "" ])
 
  (concatStringsSep "." [ "a" { outPath = "b"; } { __toString = self: "c"; } ])
]
