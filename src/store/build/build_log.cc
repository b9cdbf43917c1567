#include "store/build/build_log.h"

#include <bzlib.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "util/error.h"

namespace nixpp {

namespace {

std::string decompressBzip2(const std::string& in) {
  bz_stream strm{};
  if (BZ2_bzDecompressInit(&strm, 0, 0) != BZ_OK) throw Error("unable to initialise bzip2 decoder");
  std::string out;
  char buf[65536];
  strm.next_in = const_cast<char*>(in.data());
  strm.avail_in = in.size();
  while (true) {
    strm.next_out = buf;
    strm.avail_out = sizeof buf;
    int ret = BZ2_bzDecompress(&strm);
    out.append(buf, sizeof buf - strm.avail_out);
    if (ret == BZ_STREAM_END) break;
    if (ret != BZ_OK || (strm.avail_in == 0 && strm.avail_out != 0)) {
      BZ2_bzDecompressEnd(&strm);
      throw Error("error while decompressing bzip2 file");
    }
  }
  BZ2_bzDecompressEnd(&strm);
  return out;
}

} // namespace

std::string buildLogPath(const std::string& logDir, const StorePath& drvPath) {
  const std::string& b = drvPath.to_string();
  return logDir + "/drvs/" + b.substr(0, 2) + "/" + b.substr(2);
}

AutoCloseFd openBuildLog(const std::string& logDir, const StorePath& drvPath) {
  std::string path = buildLogPath(logDir, drvPath);
  std::string dir = path.substr(0, path.rfind('/'));
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/') continue;
    std::string d = dir.substr(0, i);
    if (::mkdir(d.c_str(), 0755) == -1 && errno != EEXIST) throw SysError(errno, "creating directory '" + d + "'");
  }
  return openFile(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

std::optional<std::string> readBuildLog(const std::string& logDir, const StorePath& drvPath) {
  std::string path = buildLogPath(logDir, drvPath);
  if (pathExists(path)) return readFile(path);
  if (pathExists(path + ".bz2")) return decompressBzip2(readFile(path + ".bz2"));
  return std::nullopt;
}

} // namespace nixpp
