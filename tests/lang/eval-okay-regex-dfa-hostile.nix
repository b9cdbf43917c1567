# Large and deep regular expressions (5000 alternatives, 150 nested groups, bounds of 1000) and a
# 100 KB subject: the same answers as Nix 2.8, no crash (nixpp's DFA leaves the deepest to std::regex).
with builtins; let
  big = concatStringsSep "|" (genList toString 5000);
  deep = concatStringsSep "" (genList (_: "(") 150) + "a" + concatStringsSep "" (genList (_: ")") 150);
  long = concatStringsSep "" (genList (_: "7") 100000);
in [
  (match big "4999") (match big "5000") (match deep "a") (match "a{1000}" (concatStringsSep "" (genList (_: "a") 1000)))
  (match "[0-9]*7[0-9]*7" long) (length (split "7" long)) (match "(a{50}){50}" "a")
]
