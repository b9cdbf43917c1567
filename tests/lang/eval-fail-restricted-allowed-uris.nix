# Restricted evaluation: fetchers reach only URLs under an allowed-uris prefix, which must end
# where a path component does ("https://example.com/y" does not allow ".../yz").
builtins.fetchurl "https://example.com/yz"
