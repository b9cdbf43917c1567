// sys/nar_fs.h: NAR serialisation of real file system trees (the pure NAR format is in
// format/nar.h). Streams file contents through fixed-size buffers; never holds a whole file.
#pragma once

#include <functional>
#include <string>

#include "util/serialise.h"

namespace nixpp {

// Decides whether a path below the dumped root is included (true = keep).
using PathFilter = std::function<bool(const std::string& path)>;

// Writes the NAR serialisation of the tree at `path` (not following a top-level symlink) to
// `sink`. Throws SysError on I/O errors and Error on unsupported file types (sockets, devices).
void dumpPath(const std::string& path, Sink& sink, const PathFilter& filter = {});

// Reads a NAR from `source` and recreates it at `path`, which must not exist yet. The tree is
// built under a temporary name beside `path` and renamed into place only once the whole archive
// has been read and checked: on any error (malformed archive, truncated input, I/O failure)
// nothing is left at `path` and the error is rethrown. May be interrupted by a crash at any point:
// what is left behind is a temporary ".tmp-*" entry beside `path`, never a partial `path`.
void restorePath(const std::string& path, Source& source);

} // namespace nixpp
