# Restricted evaluation: a file outside the search path cannot be read.
builtins.readFile /etc/passwd
