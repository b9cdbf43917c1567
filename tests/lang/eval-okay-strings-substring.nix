with builtins;
let s = "hello world"; in
[
  (substring 0 5 s)
  (substring 6 100 s)
  (substring 6 (-1) s)
  (substring 11 3 s)
  (substring 20 3 s)
  (substring 3 0 s)
  (substring 0 0 "")
  (substring 2 3 "ab")
  (stringLength s)
  (stringLength "")
  (stringLength "héllo")
  (stringLength (toString 123))
  (substring 1 2 (toString 12345))
]
