# Restricted evaluation: ".." cannot climb out of an allowed path.
import ./restricted/../../elsewhere.nix
