# bench/eval/drvs.nix: 3000 interdependent derivations (eval.sh).
# A layered graph of derivations: each depends on up to 3 of the previous layer.
let
  width = 50;
  depth = 60;
  mk = l: i: deps: derivation {
    name = "node-${toString l}-${toString i}";
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "echo ${toString l} ${toString i} > $out" ];
    inherit deps;
    extra = "layer ${toString l} index ${toString i}";
  };
  layer = prev: l: builtins.genList (i:
    mk l i (if prev == [] then [] else [
      (builtins.elemAt prev i)
      (builtins.elemAt prev (if i + 1 < width then i + 1 else 0))
      (builtins.elemAt prev (if i + 7 < width then i + 7 else i + 7 - width))
    ])) width;
  layers = builtins.foldl' (acc: l: acc ++ [ (layer (if acc == [] then [] else builtins.elemAt acc (l - 1)) l) ]) [] (builtins.genList (l: l) depth);
in builtins.concatLists layers
