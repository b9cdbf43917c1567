[
  ''
    a
     b
      c
  ''
  ''  no-newline-after-open''
  ''
      deeper
    shallow
  last''
  ''
    ${"interp"} x
      y''
  ''
    tab	kept
    '''quote ''${dollar} ''\t ''\n ''\\ $
  ''
  ''

    leading empty line
  ''
  ''''
  ''   ''
]
