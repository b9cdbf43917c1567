builtins.fromTOML ''
  title = "t"
  int = -42
  hex = 0xff
  float = 1.5
  exp = 2e3
  bool = false
  list = [ 1, 2, 3 ]
  mixed = [ [ 1 ], [ "a" ] ]
  inline = { a = 1, b = { c = "d" } }
  "quoted key" = 1
  multi = """
  line1
  line2"""
  literal = 'C:\path'

  [table]
  x = 1

  [table.sub]
  y = "z"

  [[arr]]
  n = 1

  [[arr]]
  n = 2
''
