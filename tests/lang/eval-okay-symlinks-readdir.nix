# readDir reports symlinks as "symlink" (not what they point to), and reads a directory through a
# symlink to it (the data lives in ./symlinks, with real symlinks).
{
  plain = builtins.readDir ./symlinks/readDir;
  throughLink = builtins.readDir ./symlinks/readDir/ldir;
  throughLinkSlashDot = builtins.readDir (builtins.toString ./symlinks/readDir/ldir + "/.");
}
