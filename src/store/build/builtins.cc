#include "store/build/builtins.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <iostream>

#include "format/content_address.h"
#include "format/hash.h"
#include "store/build/unpack_deb.h"
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
  if (drv.env.count("unpack") && drv.env.at("unpack") == "1")
    throw Error("builtin:fetchurl with 'unpack = true' is not supported by nixpp yet");

  auto fetch = [&](const std::string& url) {
    deletePath(out);
    fetchUrlToFile(url, out);
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

void fetchUrlToFile(const std::string& url, const std::string& dest) {
  std::string path = localPathOfUrl(url);
  AutoCloseFd in;
  struct stat st;
  in = AutoCloseFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in || ::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error("unable to download '" + url + "': Couldn't read a file:// file (37)");
  AutoCloseFd outFd = openFile(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  FdSource src(in.get());
  FdSink sink(outFd.get());
  src.drainInto(sink);
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
