// sys/lazy_archive.cc: the libarchive functions nixpp calls (fetchTarball, builtin:unpack-deb,
// builtin:unpack-channel), defined here as forwarders to libarchive loaded with dlopen on first
// use. Linking libarchive itself would load it and the dozen libraries it needs (libxml2, ICU,
// nettle, zstd, ...) into every process at start-up, and relocate them: about a millisecond of
// every command, most of which never unpacks anything. The callers include <archive.h> as
// usual; the prototypes below are checked against it.
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "util/error.h"

#ifndef NIXPP_LIBARCHIVE_SONAME
#define NIXPP_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

namespace nixpp {
namespace {

void* libarchive() {
  static void* handle = [] {
    void* h = ::dlopen(NIXPP_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) throw Error(std::string("cannot load libarchive (needed to unpack archives): ") + ::dlerror());
    return h;
  }();
  return handle;
}

template <typename F>
F lookup(const char* name) {
  void* p = ::dlsym(libarchive(), name);
  if (!p) throw Error(std::string("libarchive has no function '") + name + "'");
  return reinterpret_cast<F>(p);
}

} // namespace
} // namespace nixpp

// ret name(params) { return real(args); }, the real function looked up once.
#define NIXPP_FORWARD(ret, name, params, args)                            \
  extern "C" ret name params {                                           \
    static auto real = nixpp::lookup<ret(*) params>(#name);              \
    return real args;                                                    \
  }

NIXPP_FORWARD(struct archive*, archive_read_new, (void), ())
NIXPP_FORWARD(int, archive_read_free, (struct archive * a), (a))
NIXPP_FORWARD(int, archive_read_support_filter_all, (struct archive * a), (a))
NIXPP_FORWARD(int, archive_read_support_format_all, (struct archive * a), (a))
NIXPP_FORWARD(int, archive_read_support_format_tar, (struct archive * a), (a))
NIXPP_FORWARD(int, archive_read_support_format_gnutar, (struct archive * a), (a))
NIXPP_FORWARD(int, archive_read_support_format_raw, (struct archive * a), (a))
NIXPP_FORWARD(int, archive_read_open,
              (struct archive * a, void* data, archive_open_callback* o, archive_read_callback* r,
               archive_close_callback* c),
              (a, data, o, r, c))
NIXPP_FORWARD(int, archive_read_open_filename, (struct archive * a, const char* f, size_t bs), (a, f, bs))
NIXPP_FORWARD(int, archive_read_next_header, (struct archive * a, struct archive_entry** e), (a, e))
NIXPP_FORWARD(la_ssize_t, archive_read_data, (struct archive * a, void* buf, size_t n), (a, buf, n))
NIXPP_FORWARD(int, archive_read_data_block,
              (struct archive * a, const void** buf, size_t* n, la_int64_t* off), (a, buf, n, off))
NIXPP_FORWARD(const char*, archive_error_string, (struct archive * a), (a))
NIXPP_FORWARD(struct archive*, archive_write_disk_new, (void), ())
NIXPP_FORWARD(int, archive_write_disk_set_options, (struct archive * a, int flags), (a, flags))
NIXPP_FORWARD(int, archive_write_header, (struct archive * a, struct archive_entry* e), (a, e))
NIXPP_FORWARD(la_ssize_t, archive_write_data_block,
              (struct archive * a, const void* buf, size_t n, la_int64_t off), (a, buf, n, off))
NIXPP_FORWARD(int, archive_write_finish_entry, (struct archive * a), (a))
NIXPP_FORWARD(int, archive_write_close, (struct archive * a), (a))
NIXPP_FORWARD(int, archive_write_free, (struct archive * a), (a))
NIXPP_FORWARD(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))
NIXPP_FORWARD(__LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e))
NIXPP_FORWARD(time_t, archive_entry_mtime, (struct archive_entry * e), (e))
NIXPP_FORWARD(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))
NIXPP_FORWARD(const char*, archive_entry_pathname, (struct archive_entry * e), (e))
NIXPP_FORWARD(const char*, archive_entry_hardlink, (struct archive_entry * e), (e))
NIXPP_FORWARD(const char*, archive_entry_symlink, (struct archive_entry * e), (e))
NIXPP_FORWARD(void, archive_entry_set_pathname, (struct archive_entry * e, const char* p), (e, p))
NIXPP_FORWARD(void, archive_entry_set_hardlink, (struct archive_entry * e, const char* p), (e, p))

// Variadic: formatted here, handed on as "%s".
extern "C" void archive_set_error(struct archive* a, int err, const char* fmt, ...) {
  static auto real = nixpp::lookup<void (*)(struct archive*, int, const char*, ...)>("archive_set_error");
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  real(a, err, "%s", buf);
}
