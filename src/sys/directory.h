// sys/directory.h: listing directories.
#pragma once

#include <string>
#include <vector>

namespace nixpp {

// The names in directory `path`, without "." and "..", in byte order (the order NAR needs).
// Throws SysError "opening directory '...'" / "reading directory '...'".
std::vector<std::string> readDirectorySorted(const std::string& path);

// An entry of a directory: its name and its d_type (DT_UNKNOWN where the file system does not say).
struct DirEntry {
  std::string name;
  unsigned char type;
  bool operator<(const DirEntry& o) const { return name < o.name; }
};

// The entries of the open directory `fd`, without "." and "..", in byte order of their names.
// `fd` stays open and the caller's (it is read through a duplicate); `pathForErrors` names it in
// errors.
std::vector<DirEntry> readDirectoryFdSorted(int fd, const std::string& pathForErrors);

} // namespace nixpp
