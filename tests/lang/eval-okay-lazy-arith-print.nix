# Arithmetic passed as an argument stays a thunk unless the callee forces it first: printing
# shows the difference (trace prints values as they are, unforced parts as «thunk»).
let
  f = n: if n < 2 then [ n ] else [ n ];
  g = x: [ x ];
  h = { a }: [ a ];
  k = a: b: [ a b ];
in
builtins.trace (g (1 + 1)) (
  builtins.trace { a = 2 * 3; l = [ (4 - 1) ]; } (
    builtins.trace (f (3 - 2)) (
      builtins.trace (h { a = 5 - 1; }) (
        builtins.trace (let x = 1 + 1; in [ x ]) (
          builtins.trace (k (1 - 1) (2 - 2)) (
            builtins.trace [ (builtins.sub 7 1) (6 / 2) ] (f (10 - 9) ++ g (8 * 8))
          )
        )
      )
    )
  )
)
