with builtins;
[
  (hashString "md5" "abc")
  (hashString "sha1" "abc")
  (hashString "sha256" "abc")
  (hashString "sha512" "abc")
  (hashString "sha256" "")
  (hashString "sha256" (toString 42))
  (hashFile "sha256" ./eval-okay-hash-more.data)
  (hashFile "md5" ./eval-okay-hash-more.data)
  (hashString "sha1" (unsafeDiscardStringContext "x"))
]
