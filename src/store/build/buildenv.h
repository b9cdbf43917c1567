// store/build/buildenv.h: the builtin builders (derivations whose builder is "builtin:NAME"),
// run in a forked child of the build process instead of an executed program. One so far:
// builtin:buildenv, Nix's user-environment builder (nix-env): it merges the trees of packages
// into one tree of symlinks, as Nix 2.8's buildenv does:
//  - packages are taken in priority order (lower meta.priority first, then by path); a file in
//    two packages of equal priority is an error, "packages 'A' and 'B' have the same priority N;
//    use 'nix-env --set-flag priority ...' ...", else the lower number wins;
//  - a directory in several packages becomes a real directory of links (a link to another
//    package's directory is expanded when needed);
//  - packages listed in <pkg>/nix-support/propagated-user-env-packages are added afterwards,
//    with priorities from 1000 up;
//  - dot files and a few special names (nix-support, propagated-build-inputs, info/dir, ...)
//    are left out; `manifest.nix` is a link to the manifest.
// Link targets say the logical store paths; trees are read through `realPath` (a chroot store).
#pragma once

#include <iosfwd>
#include <functional>
#include <map>
#include <string>

#include "format/derivation.h"

namespace nixpp {

// Maps a logical store path (or a path inside one) to where it is on disk.
using RealPathFn = std::function<std::string(const std::string&)>;

// Runs the builtin builder of `drv` ("builtin:buildenv"), writing output `out` at
// `outputsReal.at("out")`, already in the store's canonical form (times 1, directories 0555).
// With `narOut`, also gives the NAR of what it wrote (from its own record of the tree, not read
// back). Throws Error for an unknown builtin ("unsupported builtin builder 'builtin:X'"), a
// missing attribute, or a conflict. Warnings (skipped non-directories, dangling links) go to `log`.
// With `shareLinksFrom` (the real path of a valid store path, e.g. the previous generation of the
// profile), a link that tree has at the same place with the same target is hard-linked from it
// instead of created (a new inode costs more than a new name; the tree is the same, the inode
// is shared as auto-optimise-store would share it).
void runBuiltinBuilder(const Derivation& drv, const std::map<std::string, std::string>& outputsReal,
                       const RealPathFn& realPath, std::ostream& log, std::string* narOut = nullptr,
                       const std::string& shareLinksFrom = "");

// One package of a user environment.
struct EnvPackage {
  std::string path;  // logical store path
  bool active = true;
  int priority = 5;
};

// Builds the symlink tree of `pkgs` at `outReal` (created). See the file comment. The tree is
// merged in memory first (the steps of Nix's buildenv, run against a model of what it would
// have made so far), then written once, each link and directory created once.
void buildProfile(const std::string& outReal, std::vector<EnvPackage> pkgs, const RealPathFn& realPath,
                  std::ostream& log);

} // namespace nixpp
