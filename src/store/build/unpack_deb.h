// store/build/unpack_deb.h: unpacking a Debian binary package (.deb) into a directory, for the
// builtin builder "builtin:unpack-deb" (store/build/builtins.h). A .deb is an `ar` archive
// (format/ar.h) whose first member is "debian-binary"; its "data.tar[.xz|.gz|.zst|.bz2]" member
// holds the files. Only what a store path may hold is unpacked: directories, regular files (the
// executable bit kept, nothing else of the mode), symlinks (targets kept verbatim) and hard
// links (made as links inside the tree). Refused with an Error naming the package and the
// entry: device nodes, FIFOs and sockets, absolute names, ".." components, and anything that
// would be written through a symlink of the tree itself.
#pragma once

#include <string>

namespace nixpp {

// Unpacks the data of the .deb at `debPath` into `dest`, which must not exist (it is created as
// a directory). Throws Error "cannot unpack Debian package '<debPath>': <why>". On error, what
// was written under `dest` is left for the caller to delete.
void unpackDeb(const std::string& debPath, const std::string& dest);

// Unpacks the tar archive (uncompressed, xz, gzip, bzip2, zstd...) at `tarPath` into `dest`
// (created), with the same rules as the data of a .deb. Throws Error "bad tar archive of
// '<tarPath>': ..." or a refusal.
void unpackTar(const std::string& tarPath, const std::string& dest);

} // namespace nixpp
