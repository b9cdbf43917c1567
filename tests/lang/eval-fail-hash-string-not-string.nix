builtins.hashString "sha256" (builtins.substring 0 (-1) 1)
