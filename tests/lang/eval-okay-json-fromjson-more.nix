with builtins;
[
  (fromJSON "null")
  (fromJSON "true")
  (fromJSON " 42 ")
  (fromJSON "-7")
  (fromJSON "1.5")
  (fromJSON "1e3")
  (fromJSON "9223372036854775807")
  (fromJSON "-9223372036854775808")
  (fromJSON "\"\\u00e9\\n\"")
  (fromJSON "[]")
  (fromJSON "{}")
  (fromJSON "{\"b\": [1, {\"c\": false}], \"a\": \"x\"}")
  (fromJSON "[[[]]]")
  (fromJSON "0.1")
  (fromJSON "12345678901234567890123")
]
