#include "store/build/builtins.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <iostream>

#include "format/content_address.h"
#include "format/hash.h"
#include "store/build/unpack_deb.h"
#include "store/nar_fs.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

const std::string& attr(const Derivation& drv, const std::string& name) {
  auto it = drv.env.find(name);
  if (it == drv.env.end()) throw Error("attribute '" + name + "' missing");
  return it->second;
}

const std::string& outPath(const BuiltinContext& ctx, const std::string& builder) {
  auto it = ctx.outputsReal.find("out");
  if (it == ctx.outputsReal.end()) throw Error("'" + builder + "' requires an 'out' output");
  return it->second;
}

// A libarchive reader of a raw (single-stream) compressed file, as a Source.
class DecompressedSource : public Source {
public:
  explicit DecompressedSource(const std::string& file) : a_(archive_read_new()) {
    archive_read_support_filter_all(a_);
    archive_read_support_format_raw(a_);
    archive_entry* e;
    if (archive_read_open_filename(a_, file.c_str(), 64 * 1024) != ARCHIVE_OK || archive_read_next_header(a_, &e) != ARCHIVE_OK)
      fail();
  }
  ~DecompressedSource() override { archive_read_free(a_); }
  size_t read(char* data, size_t len) override {
    la_ssize_t n = archive_read_data(a_, data, len);
    if (n < 0) fail();
    if (n == 0) throw EndOfFile("unexpected end of the decompressed data");
    return size_t(n);
  }

private:
  [[noreturn]] void fail() {
    const char* err = archive_error_string(a_);
    throw Error(std::string("failed to decompress the download (") + (err ? err : "unknown error") + ")");
  }
  archive* a_;
};

// builtin:fetchurl's `unpack`: the NAR in `file` (xz-compressed if `xz`) restored at `out`.
void restoreNarFile(const std::string& file, bool xz, const std::string& out) {
  if (xz) {
    DecompressedSource src(file);
    restorePath(out, src);
  } else {
    AutoCloseFd fd = openFile(file, O_RDONLY | O_CLOEXEC);
    FdSource src(fd.get());
    restorePath(out, src);
  }
}

void builtinFetchurl(const BuiltinContext& ctx) {
  const Derivation& drv = ctx.drv;
  const std::string& out = outPath(ctx, "builtin:fetchurl");
  std::vector<std::string> urls;
  if (auto it = drv.env.find("url"); it != drv.env.end()) urls.push_back(it->second);
  if (auto it = drv.env.find("urls"); it != drv.env.end())
    for (auto& u : tokenizeString(it->second))
      if (urls.empty() || u != urls.front()) urls.push_back(u);
  if (urls.empty()) throw Error("attribute 'url' missing");
  bool executable = drv.env.count("executable") && drv.env.at("executable") == "1";
  bool unpack = drv.env.count("unpack") && drv.env.at("unpack") == "1";

  auto fetch = [&](const std::string& url) {
    deletePath(out);
    if (unpack) {
      TempDir tmp("nixpp-fetchurl");
      std::string file = tmp.path() + "/download";
      fetchUrlToFile(url, file, ctx.transfer);
      restoreNarFile(file, urls.front().ends_with(".xz"), out);
    } else {
      fetchUrlToFile(url, out, ctx.transfer);
    }
    if (executable && ::chmod(out.c_str(), 0755) != 0) throw SysError(errno, "making '" + out + "' executable");
  };

  // The hashed mirrors first (Nix: only for a flat output hash), each error only a note.
  auto o = drv.outputs.find("out");
  if (o != drv.outputs.end())
    if (auto* fixed = std::get_if<DerivationOutput::CAFixed>(&o->second.raw);
        fixed && fixed->ca.method == ContentAddressMethod::flat)
      for (auto mirror : ctx.hashedMirrors) {
        if (!mirror.ends_with("/")) mirror += '/';
        std::string url = mirror + std::string(printHashAlgo(fixed->ca.hash.algo())) + "/" +
                          fixed->ca.hash.to_string(HashFormat::base16, false);
        try {
          fetch(url);
          // Unlike Nix 2.8, a mirror's file is checked here, so a bad mirror falls through to
          // the next one instead of failing the build.
          AutoCloseFd fd = openFile(out, O_RDONLY | O_CLOEXEC);
          FdSource in(fd.get());
          HashSink hs(fixed->ca.hash.algo());
          in.drainInto(hs);
          if (hs.finish().first != fixed->ca.hash) throw Error("'" + url + "' has the wrong contents (hash mismatch)");
          return;
        } catch (Error& e) {
          ctx.log << "note: hashed mirror: " << e.what() << "\n";
        }
      }

  for (size_t i = 0; i < urls.size(); ++i) {
    try {
      fetch(urls[i]);
      return;
    } catch (Error& e) {
      if (i + 1 == urls.size()) throw;
      ctx.log << "note: " << e.what() << "\n";
    }
  }
}

void builtinUnpackDeb(const BuiltinContext& ctx) {
  const std::string& out = outPath(ctx, "builtin:unpack-deb");
  const std::string& src = attr(ctx.drv, "src");
  deletePath(out);
  std::string real = ctx.realPath(src);
  try {
    unpackDeb(real, out);
  } catch (Error& e) {  // name the package by its store path, not where a chroot store keeps it
    std::string msg = e.what();
    if (auto at = msg.find(real); at != std::string::npos && real != src) msg.replace(at, real.size(), src);
    throw Error(msg);
  }
}

// As Nix 2.8: the channel tarball `src` unpacked into $out, its single top-level entry renamed
// to `channelName`.
void builtinUnpackChannel(const BuiltinContext& ctx) {
  const std::string& out = outPath(ctx, "builtin:unpack-channel");
  const std::string& src = attr(ctx.drv, "src");
  const std::string& channelName = attr(ctx.drv, "channelName");
  if (channelName.empty() || channelName.find('/') != std::string::npos || channelName == "." || channelName == "..")
    throw Error("invalid channel name '" + channelName + "'");
  deletePath(out);
  unpackTar(ctx.realPath(src), out);
  auto entries = readDirectorySorted(out);
  if (entries.size() != 1) throw Error("channel tarball '" + src + "' contains more than one file");
  if (entries[0] != channelName && ::rename((out + "/" + entries[0]).c_str(), (out + "/" + channelName).c_str()) != 0)
    throw SysError(errno, "renaming '" + entries[0] + "' in '" + out + "'");
}

} // namespace

void fetchUrlToFile(const std::string& url, const std::string& dest, const FileTransferSettings& transfer) {
  AutoCloseFd outFd = openFile(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  FdSink sink(outFd.get());
  FileTransfer ft(transfer);
  FileTransferRequest req{url};
  req.verifyTLS = false;
  ft.download(req, sink);
  outFd.close();
}

void runBuiltin(const BuiltinContext& ctx) {
  const std::string& b = ctx.drv.builder;
  if (b == "builtin:fetchurl") return builtinFetchurl(ctx);
  if (b == "builtin:unpack-deb") return builtinUnpackDeb(ctx);
  if (b == "builtin:unpack-channel") return builtinUnpackChannel(ctx);
  if (b == "builtin:buildenv") return runBuiltinBuilder(ctx.drv, ctx.outputsReal, ctx.realPath, ctx.log, ctx.outNar, ctx.shareLinksFrom);
  throw Error("unsupported builtin builder '" + b + "'");
}

} // namespace nixpp
