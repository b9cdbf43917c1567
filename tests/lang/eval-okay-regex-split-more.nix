with builtins;
[
  (split "," "a,b,c")
  (split "(,)" "a,b,c")
  (split "x" "abc")
  (split "" "ab")
  (split "a*" "baaac")
  (split "([0-9])|([a-z])" "1a-")
  (split "/" "/a/")
  (split "[[:space:]]+" "  a  b  ")
]
