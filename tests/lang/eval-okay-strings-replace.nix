with builtins;
[
  (replaceStrings [ "a" "b" ] [ "b" "a" ] "abba")
  (replaceStrings [ "" ] [ "-" ] "abc")
  (replaceStrings [ "" "b" ] [ "-" "B" ] "abc")
  (replaceStrings [ "b" "" ] [ "B" "-" ] "abc")
  (replaceStrings [ ] [ ] "unchanged")
  (replaceStrings [ "aa" "a" ] [ "1" "2" ] "aaaaa")
  (replaceStrings [ "a" "aa" ] [ "1" "2" ] "aaaaa")
  (replaceStrings [ "x" ] [ "yy" ] "")
  (replaceStrings [ "\n" ] [ "\\n" ] "a\nb\n")
  (replaceStrings [ "." ] [ "" ] "1.2.3")
]
