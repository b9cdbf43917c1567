# Relative paths in a file reached through a symlinked directory resolve against the path as
# written (symlinks/foo/overlays/../lib = symlinks/foo/lib), not against the link's target.
import symlinks/foo/overlays/overlay.nix
