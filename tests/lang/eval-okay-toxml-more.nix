builtins.toXML {
  a = 1;
  b = "x<y>&\"'";
  c = [ true false null 1.5 ];
  d = { };
  e = [ ];
  f = x: x;
  g = { x, y ? 1, ... }: x;
  h = args@{ z }: z;
  i = /some/path;
  j = "line\nbreak\ttab";
}
