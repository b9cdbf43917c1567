// store/canonicalise.h: putting a file system tree into the canonical form of a valid store path
// (as Nix's canonicalisePathMetaData), and syncing it to disk before it is registered.
#pragma once

#include <string>

namespace nixpp {

// Recursively, without following symlinks: mode 0444 for files (0555 if the owner may execute),
// 0555 for directories (no write, setuid, setgid or sticky bits); symlinks untouched; mtime 1
// (atime too) on everything, symlinks included; when running as root, owner root:root.
// Files owned by someone else than us (when not root) make it throw Error "invalid ownership on
// file '...'". Throws SysError on I/O errors. A crash midway leaves a partly canonical tree,
// which is harmless: the tree is not yet valid and is recanonicalised or deleted.
void canonicalisePathMetaData(const std::string& path);

// fsync(2)s every regular file and directory of the tree, and the directory containing it, so
// that a registration in the database never outlives the data after a power failure.
// Throws SysError.
void syncTree(const std::string& path);

} // namespace nixpp
