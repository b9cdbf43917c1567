# Restricted evaluation (restrict-eval, -I lang/restricted): files under the search path's entries
# are readable; getEnv is empty; a path elsewhere, or a symlink leading out, does not exist.
[
  (import <restricted/inc.nix>)
  (import <r/inc.nix>)
  (builtins.getEnv "TEST_VAR")
  (builtins.pathExists ./restricted/inc.nix)
  (builtins.pathExists ./restricted/passwd-link)
  (builtins.pathExists /etc/passwd)
  (builtins.pathExists (./. + "/../elsewhere.nix"))
  (builtins ? currentTime)
  (builtins.attrNames (builtins.readDir ./restricted))
]
