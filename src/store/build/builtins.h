// store/build/builtins.h: the builtin builders, derivations whose builder is "builtin:NAME",
// run in a forked child of the build process (store/build/local_build.cc) instead of an
// executed program, with no sandbox (they run no foreign code):
//  - builtin:buildenv      nix-env's user environments (store/build/buildenv.h);
//  - builtin:fetchurl      as Nix 2.8: a fixed-output download (store/file_transfer.h: http://,
//                          https:// without TLS verification, as the output hash is checked
//                          anyway, file://, plain absolute paths) of `url` (then of the words of
//                          `urls`, which later Nix versions use), trying first, for a flat
//                          output hash, each of the `hashed-mirrors` as
//                          "<mirror>/<algo>/<base16 hash>"; `executable = "1"` makes the file
//                          executable; `unpack = "1"` restores the download as a NAR (xz-
//                          compressed when `url` ends in ".xz"). A mirror's file with the wrong
//                          hash is skipped, where Nix 2.8 fails the build; the output hash itself
//                          is checked by output registration;
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
#include "store/file_transfer.h"

namespace nixpp {

// What a builtin builder gets from the build.
struct BuiltinContext {
  const Derivation& drv;
  std::map<std::string, std::string> outputsReal;  // output name -> where to write it
  RealPathFn realPath;                             // logical store path -> on disk
  std::vector<std::string> hashedMirrors;          // the hashed-mirrors setting
  std::ostream& log;                               // the builder's messages (the build log)
  FileTransferSettings transfer = {};              // how builtin:fetchurl downloads
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

// builtin:fetchurl's download of one URL into `dest` (a new regular file), TLS unverified.
// Throws FileTransferError "unable to download '<url>': ...".
void fetchUrlToFile(const std::string& url, const std::string& dest, const FileTransferSettings& transfer);

} // namespace nixpp
