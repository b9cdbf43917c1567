# Just the .drv paths of drvs.nix, for `nix-instantiate --eval --strict`.
map (d: d.drvPath) (import ./drvs.nix)
