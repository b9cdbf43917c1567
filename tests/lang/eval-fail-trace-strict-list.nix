# --strict forcing a list says which element failed.
[
  1
  (throw "second element")
]
