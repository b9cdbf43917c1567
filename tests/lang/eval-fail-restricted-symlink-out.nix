# Restricted evaluation: a symlink under an allowed path that leads out of it is refused, with
# the path it resolves to.
builtins.readFile ./restricted/passwd-link
