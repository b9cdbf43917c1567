# A list of ints and strings sorted with `a: b: a < b` fails as Nix does (the direct
# comparison of ints or strings must not apply).
builtins.sort (a: b: a < b) [ 1 "a" 2 ]
