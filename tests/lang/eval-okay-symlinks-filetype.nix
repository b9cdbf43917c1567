# readFileType does not follow a final symlink; broken symlinks are symlinks too.
builtins.mapAttrs (n: p: builtins.readFileType p) {
  bar = ./symlinks/readDir/bar;
  foo = ./symlinks/readDir/foo;
  ldir = ./symlinks/readDir/ldir;
  linked = ./symlinks/readDir/linked;
  broken = ./symlinks/broken;
  throughLink = ./symlinks/readDir/ldir/git-hates-directories;
}
