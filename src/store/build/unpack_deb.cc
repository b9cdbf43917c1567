#include "store/build/unpack_deb.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <vector>

#include "format/ar.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

// Feeds a stream to libarchive: `read` returns 0 at its end.
struct StreamSource {
  std::function<size_t(char*, size_t)> read;
  std::vector<char> buf;
  std::string error;  // set when the stream failed (libarchive only sees a read error)
};

la_ssize_t readStream(struct archive* a, void* client, const void** out) {
  auto* s = static_cast<StreamSource*>(client);
  try {
    size_t n = s->read(s->buf.data(), s->buf.size());
    *out = s->buf.data();
    return la_ssize_t(n);
  } catch (std::exception& e) {
    s->error = e.what();
    archive_set_error(a, EIO, "%s", e.what());
    return -1;
  }
}

// The components of a tar entry's name ("./usr/bin/x" -> usr, bin, x), refusing absolute names
// and "..". Empty for the root itself ("./").
std::vector<std::string> splitEntryName(const std::string& name) {
  if (name.starts_with("/")) throw Error("refusing absolute path '" + name + "' in the package's data");
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string::npos) j = name.size();
    std::string c = name.substr(i, j - i);
    if (c == "..") throw Error("refusing path '" + name + "' with a '..' component in the package's data");
    if (!c.empty() && c != ".") parts.push_back(std::move(c));
    i = j + 1;
  }
  return parts;
}

// `dest` + the components, checking that every parent exists as a real directory (creating
// missing ones), so that nothing is ever written through a symlink.
std::string prepareParents(const std::string& dest, const std::vector<std::string>& parts, const std::string& name) {
  std::string p = dest;
  for (size_t k = 0; k + 1 < parts.size(); ++k) {
    p += "/" + parts[k];
    struct stat st;
    if (::lstat(p.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) throw Error("refusing entry '" + name + "': '" + parts[k] + "' in its path is not a directory");
    } else if (errno == ENOENT) {
      if (::mkdir(p.c_str(), 0755) != 0) throw SysError(errno, "creating directory '" + p + "'");
    } else {
      throw SysError(errno, "getting status of '" + p + "'");
    }
  }
  return p + "/" + parts.back();
}

// Removes a non-directory at `p` (a later tar entry replaces an earlier one, as tar does).
void clearForFile(const std::string& p, const std::string& name) {
  struct stat st;
  if (::lstat(p.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) throw Error("refusing entry '" + name + "': a directory of that name exists");
  if (::unlink(p.c_str()) != 0) throw SysError(errno, "removing '" + p + "'");
}

// Unpacks the tar stream `read` (any compression) into the new directory `dest`; `what` names
// the stream in messages ("member 'data.tar.xz'").
void unpackTarStream(std::function<size_t(char*, size_t)> read, const std::string& what, const std::string& dest) {
  StreamSource src{std::move(read), std::vector<char>(64 * 1024), {}};
  struct archive* a = archive_read_new();
  struct Guard {
    struct archive* a;
    ~Guard() { archive_read_free(a); }
  } guard{a};
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  auto fail = [&](const std::string& msg) -> Error {
    std::string why = !src.error.empty() ? src.error : archive_error_string(a) ? archive_error_string(a) : "unknown error";
    return Error(msg + " of " + what + ": " + why);
  };
  if (archive_read_open(a, &src, nullptr, readStream, nullptr) != ARCHIVE_OK) throw fail("cannot read the tar archive");
  if (::mkdir(dest.c_str(), 0755) != 0) throw SysError(errno, "creating directory '" + dest + "'");
  std::vector<char> buf(64 * 1024);
  for (;;) {
    struct archive_entry* e;
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) throw fail("bad tar archive");
    const char* rawName = archive_entry_pathname(e);
    if (!rawName) throw Error("tar entry without a name in " + what);
    std::string name = rawName;
    auto parts = splitEntryName(name);
    const char* hardlink = archive_entry_hardlink(e);
    mode_t type = archive_entry_filetype(e);
    if (parts.empty()) {  // the root directory itself
      if (hardlink || type != AE_IFDIR) throw Error("refusing entry '" + name + "': the root of the package must be a directory");
      continue;
    }
    std::string p = prepareParents(dest, parts, name);
    if (hardlink) {
      auto tparts = splitEntryName(hardlink);
      if (tparts.empty()) throw Error("refusing hard link '" + name + "' to the root directory");
      std::string t = prepareParents(dest, tparts, hardlink);
      struct stat st;
      if (::lstat(t.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error("refusing hard link '" + name + "' to '" + hardlink + "', which is not a regular file unpacked before it");
      clearForFile(p, name);
      if (::link(t.c_str(), p.c_str()) != 0) throw SysError(errno, "creating hard link '" + p + "'");
      continue;
    }
    switch (type) {
    case AE_IFDIR: {
      struct stat st;
      if (::lstat(p.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) throw Error("refusing directory '" + name + "': a file of that name exists");
      } else if (::mkdir(p.c_str(), 0755) != 0) {
        throw SysError(errno, "creating directory '" + p + "'");
      }
      break;
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (!target) throw Error("symlink '" + name + "' without a target");
      clearForFile(p, name);
      if (::symlink(target, p.c_str()) != 0) throw SysError(errno, "creating symlink '" + p + "'");
      break;
    }
    case AE_IFREG: {
      clearForFile(p, name);
      mode_t mode = (archive_entry_perm(e) & 0111) ? 0755 : 0644;
      AutoCloseFd fd = openFile(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      for (;;) {
        la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
        if (n < 0) throw fail("bad tar archive");
        if (n == 0) break;
        writeFull(fd.get(), std::string_view(buf.data(), size_t(n)));
      }
      fd.close();
      if (::chmod(p.c_str(), mode) != 0) throw SysError(errno, "changing the mode of '" + p + "'");
      break;
    }
    default:
      throw Error("refusing entry '" + name + "': device nodes, FIFOs and sockets cannot be in a store path");
    }
  }
}

} // namespace

void unpackDeb(const std::string& debPath, const std::string& dest) {
  try {
    AutoCloseFd fd = openFile(debPath, O_RDONLY | O_CLOEXEC);
    FdSource in(fd.get());
    ArReader ar(in);
    auto first = ar.next();
    if (!first) throw Error("empty ar archive, not a Debian package");
    if (first->name != "debian-binary")
      throw Error("not a Debian package: its first member is '" + first->name + "', not 'debian-binary'");
    while (auto m = ar.next()) {
      if (m->name == "data.tar" || m->name == "data.tar.xz" || m->name == "data.tar.gz" || m->name == "data.tar.zst" ||
          m->name == "data.tar.bz2" || m->name == "data.tar.lzma") {
        unpackTarStream([&](char* d, size_t n) { return ar.read(d, n); }, "member '" + m->name + "'", dest);
        return;
      }
    }
    throw Error("the package has no data.tar member");
  } catch (Error& e) {
    throw Error("cannot unpack Debian package '" + debPath + "': " + e.what());
  }
}

} // namespace nixpp

namespace nixpp {

void unpackTar(const std::string& tarPath, const std::string& dest) {
  AutoCloseFd fd = openFile(tarPath, O_RDONLY | O_CLOEXEC);
  unpackTarStream(
      [&](char* d, size_t n) -> size_t {
        for (;;) {
          ssize_t r = ::read(fd.get(), d, n);
          if (r >= 0) return size_t(r);
          if (errno != EINTR) throw SysError(errno, "reading '" + tarPath + "'");
        }
      },
      "'" + tarPath + "'", dest);
}

} // namespace nixpp
