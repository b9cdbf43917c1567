builtins.convertHash { hash = "sha256:abc"; toHashFormat = "base16"; }
