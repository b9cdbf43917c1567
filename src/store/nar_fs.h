// store/nar_fs.h: NAR serialisation of real file system trees (the pure NAR format is in
// format/nar.h). Streams file contents through fixed-size buffers; never holds a whole file.
// It lives in store, not sys, because it joins the two: sys may not include format.
#pragma once

#include <functional>
#include <string>

#include "util/serialise.h"

namespace nixpp {

// Decides whether a path below the dumped root is included (true = keep).
using PathFilter = std::function<bool(const std::string& path)>;

// Writes the NAR serialisation of the tree at `path` (not following a top-level symlink) to
// `sink`: entries in byte order, the executable bit from the owner's x bit, file contents in
// 1 MiB reads. `filter`, if given, is asked about every path below `path` (not `path` itself).
// Throws SysError on I/O errors ("getting status of '...'") and Error "file '...' has an
// unsupported type" on sockets, devices and fifos. Output already written stays written.
void dumpPath(const std::string& path, Sink& sink, const PathFilter& filter = {});

// Reads a NAR from `source` and recreates it at `path`, which must not exist yet. The tree is
// built under a temporary name beside `path` and renamed into place only once the whole archive
// has been read and checked: on any error (malformed archive (BadNar), truncated input, I/O
// failure) nothing is left at `path` and the error is rethrown. Regular files get 0666 & ~umask,
// executable ones +x for all, directories 0777 & ~umask, as Nix restores them. If `path` exists,
// throws SysError "creating directory|file '...': File exists". Reads the source only up to the
// end of the archive. Nothing is fsync'ed. May be interrupted by a crash at any point:
// what is left behind is a temporary ".tmp-*" entry beside `path`, never a partial `path`.
void restorePath(const std::string& path, Source& source);

// Copies the tree at `from` (not following a top-level symlink) to `to`, which must not exist,
// giving each entry the canonical metadata of a store path as it is created (as
// canonicalisePathMetaData would: mode 0444, 0555 for files the owner may execute and for
// directories; mtime and atime 1, symlinks included; owner root:root when running as root), and
// writes the NAR serialisation of the copy to `narSink`. Every byte is read from `from` once, and
// what is written to `to` and to `narSink` is that same data, so the NAR describes the copy even
// if `from` changes meanwhile. The work is spread over the calling thread and a second one (both
// create and write files; the one that finds the next part of the NAR copied hashes it), so
// `narSink` is called from either thread, never from both at once; nobody else may use it until
// this returns. Memory is bounded (what is kept for the hash waits for it), whatever the tree.
// Errors as dumpPath's (and SysError on writing `to`); on an error, what was created at `to` is
// deleted before rethrowing. Nothing is fsync'ed. A crash leaves a partial tree at `to`: give it
// a temporary name.
void copyPathCanonical(const std::string& from, const std::string& to, Sink& narSink);

} // namespace nixpp
