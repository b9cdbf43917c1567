# parseFlakeRef / flakeRefToString (experimental feature 'flakes', enabled by the runner as in
# Nix's): the common reference types, and strings surviving a round trip.
let
  roundTrip = s: builtins.flakeRefToString (builtins.parseFlakeRef s);
in
{
  github = builtins.parseFlakeRef "github:NixOS/nixpkgs/23.05?dir=lib";
  githubRev = builtins.parseFlakeRef "github:NixOS/nixpkgs/0123456789abcdef0123456789abcdef01234567";
  gitlab = builtins.parseFlakeRef "gitlab:owner/repo";
  indirect = builtins.parseFlakeRef "nixpkgs";
  indirectRef = builtins.parseFlakeRef "nixpkgs/nixos-23.05";
  flakeIndirect = builtins.parseFlakeRef "flake:nixpkgs";
  path = builtins.parseFlakeRef "path:/some/where";
  git = builtins.parseFlakeRef "git+https://example.org/repo.git?ref=main&rev=0123456789abcdef0123456789abcdef01234567";
  gitShallow = builtins.parseFlakeRef "git+file:///src/repo?shallow=1";
  tarball = builtins.parseFlakeRef "https://example.org/src.tar.gz";
  file = builtins.parseFlakeRef "https://example.org/notes.txt";
  withInts = builtins.parseFlakeRef "github:a/b?lastModified=1700000000&host=git.example.org";
  toString = builtins.flakeRefToString {
    type = "github";
    owner = "NixOS";
    repo = "nixpkgs";
    ref = "23.05";
    dir = "lib";
  };
  roundTrips = map roundTrip [
    "github:NixOS/nixpkgs/23.05?dir=lib"
    "gitlab:owner/repo"
    "path:/some/where"
    "git+https://example.org/repo.git?ref=main"
    "https://example.org/src.tar.gz"
  ];
}
