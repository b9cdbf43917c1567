// store/build/builtins.h: the builtin builders, derivations whose builder is "builtin:NAME",
// run in a forked child of the build process (store/build/local_build.cc) instead of an
// executed program, with no sandbox (they run no foreign code):
//  - builtin:buildenv      nix-env's user environments (store/build/buildenv.h);
//  - builtin:fetchurl      as Nix 2.8: a fixed-output download of `url` (then of the words of
//                          `urls`, which later Nix versions use), trying first, for a flat
//                          output hash, each of the `hashed-mirrors` as
//                          "<mirror>/<algo>/<base16 hash>"; `executable = "1"` makes the file
//                          executable (a mirror's file with the wrong hash is skipped, where Nix
//                          2.8 fails the build). Only file:// URLs (and plain absolute paths) for now;
//                          the output hash itself is checked by output registration;
//  - builtin:unpack-deb    nixpp's own: the data of the Debian package `src` (a store path) as
//                          the tree $out (store/build/unpack_deb.h).
//  - builtin:unpack-channel as Nix 2.8: the tarball `src` unpacked into $out/<channelName>.
// Messages go to the context's `log` (the build log).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "format/derivation.h"
#include "store/build/buildenv.h"

namespace nixpp {

// What a builtin builder gets from the build.
struct BuiltinContext {
  const Derivation& drv;
  std::map<std::string, std::string> outputsReal;  // output name -> where to write it
  RealPathFn realPath;                             // logical store path -> on disk
  std::vector<std::string> hashedMirrors;          // the hashed-mirrors setting
  std::ostream& log;                               // the builder's messages (the build log)
  // When set, a builder that writes its "out" output canonical and knows its NAR without
  // reading the tree back (builtin:buildenv) stores that NAR here; output registration then
  // neither canonicalises nor reads the tree again.
  std::string* outNar = nullptr;
  // builtin:buildenv: where a valid tree whose identical links it may hard-link is (see
  // BuildReporting::shareLinksFrom), or empty.
  std::string shareLinksFrom;
};

// Runs the builtin builder of `ctx.drv`. Throws Error "unsupported builtin builder 'builtin:X'"
// for an unknown one, "attribute 'X' missing", or the builder's own error.
void runBuiltin(const BuiltinContext& ctx);

// builtin:fetchurl's download of one URL into `dest` (a new regular file). file:// URLs and
// absolute paths only; throws Error "unable to download '<url>': ..." otherwise or when the
// file cannot be read.
void fetchUrlToFile(const std::string& url, const std::string& dest);

} // namespace nixpp
