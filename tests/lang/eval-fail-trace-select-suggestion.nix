# A missing attribute: the frame names the selection, and Nix suggests close names.
let
  s = {
    foo = 1;
    bar = 2;
  };
in
s.fo
