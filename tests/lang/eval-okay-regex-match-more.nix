with builtins;
[
  (match "a(b)?c" "ac")
  (match "a(b)?c" "abc")
  (match "(a|b)+" "abab")
  (match "[[:digit:]]+" "123")
  (match "[[:alpha:]]*" "abc1")
  (match "x" "y")
  (match "" "")
  (match ".*" "")
  (match "(.*)-([0-9.]+)" "hello-1.2.3")
  (match "([^/]+)/(.*)" "a/b/c")
  (match "a{2,3}" "aaa")
  (match "\\." ".")
  (match "[a-z]+" "ABC")
  (match "(a)(b)(c)(d)?" "abc")
]
