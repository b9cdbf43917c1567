// sys/directory.h: listing directories.
#pragma once

#include <string>
#include <vector>

namespace nixpp {

// The names in directory `path`, without "." and "..", in byte order (the order NAR needs).
// Throws SysError "opening directory '...'" / "reading directory '...'".
std::vector<std::string> readDirectorySorted(const std::string& path);

} // namespace nixpp
