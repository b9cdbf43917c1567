# A call with an argument the function does not take: the call site, and a suggestion.
let
  f = { name, value }: name;
in
f {
  name = "x";
  value = 1;
  valeu = 2;
}
