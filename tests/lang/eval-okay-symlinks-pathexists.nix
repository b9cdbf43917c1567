# pathExists on symlinks: a broken one exists (it is there), a trailing "/" or "/." needs a
# directory (following the link), and "." / ".." components are resolved lexically.
let e = builtins.pathExists; s = builtins.toString; in [
  (e ./symlinks/foo/overlays/overlay.nix)
  (e ./symlinks/broken)
  (e (s ./symlinks/broken + "/"))
  (e (s ./symlinks/foo/overlays + "/."))
  (e (s ./symlinks/foo/overlays + "/"))
  (e (s ./symlinks/readDir/linked + "/"))
  (e (s ./symlinks/readDir/linked + "/."))
  (e (s ./symlinks/readDir/linked))
  (e (s ./symlinks/readDir/ldir + "/../bar"))
  (e ./symlinks/nonexistent)
]
