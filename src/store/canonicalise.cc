#include "store/canonicalise.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "sys/directory.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

struct stat lstatOrThrow(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == -1) throw SysError(errno, "getting attributes of path '" + path + "'");
  return st;
}

void canonicaliseOne(const std::string& path, uid_t self) {
  struct stat st = lstatOrThrow(path);
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
    throw Error("file '" + path + "' has an unsupported type");
  if (self != 0 && st.st_uid != self) throw Error("invalid ownership on file '" + path + "'");

  if (!S_ISLNK(st.st_mode)) {
    mode_t mode = S_ISDIR(st.st_mode) || (st.st_mode & S_IXUSR) ? 0555 : 0444;
    if ((st.st_mode & 07777) != mode && ::chmod(path.c_str(), mode) == -1)
      throw SysError(errno, "changing mode of '" + path + "' to " + std::to_string(mode));
  }
  if (st.st_mtime != 1 || st.st_atime != 1) {
    struct timespec times[2];
    times[0].tv_sec = 1;
    times[0].tv_nsec = 0;
    times[1] = times[0];
    if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == -1)
      throw SysError(errno, "changing modification time of '" + path + "'");
  }
  if (self == 0 && (st.st_uid != 0 || st.st_gid != 0) && ::lchown(path.c_str(), 0, 0) == -1)
    throw SysError(errno, "changing owner of '" + path + "' to 0");

  if (S_ISDIR(st.st_mode))
    for (auto& name : readDirectorySorted(path)) canonicaliseOne(path + "/" + name, self);
}

void fsyncPath(const std::string& path, bool dir) {
  AutoCloseFd fd = openFile(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (::fsync(fd.get()) == -1) throw SysError(errno, "syncing '" + path + "'");
}

void syncRec(const std::string& path) {
  struct stat st = lstatOrThrow(path);
  if (S_ISREG(st.st_mode)) {
    fsyncPath(path, false);
  } else if (S_ISDIR(st.st_mode)) {
    for (auto& name : readDirectorySorted(path)) syncRec(path + "/" + name);
    fsyncPath(path, true);
  }
}

std::string dirOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

void canonicalisePathMetaData(const std::string& path) { canonicaliseOne(path, ::geteuid()); }

void syncTree(const std::string& path) {
  syncRec(path);
  fsyncPath(dirOf(path), true);
}

} // namespace nixpp
