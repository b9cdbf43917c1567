# builtins.toPath: an absolute path string, canonicalised (a string, not a path value);
# builtins.currentTime: an integer (seconds since the epoch, later than 2020-01-01).
[
  (builtins.toPath "/a/../b//c/")
  (builtins.typeOf (builtins.toPath "/x"))
  (builtins.toPath { outPath = "/y/./z"; })
  (builtins.toPath /q/r)
  (builtins.typeOf builtins.currentTime)
  (builtins.currentTime > 1577836800)
  (builtins.currentTime == builtins.currentTime)
]
