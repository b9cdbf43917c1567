// cli/nix_prefetch_url.cc: nix-prefetch-url as Nix 2.8, for URLs: downloads URL
// (store/file_transfer.h) into the store and prints its hash (base32; base16 for md5), with
// "path is '<store path>'" on stderr, or the path on stdout with --print-path. --type picks the
// hash (sha256 by default); --unpack unpacks a tarball and hashes its single top-level entry as
// a NAR, --executable makes the file executable (both hash recursively); --name names the path
// (default: the URL's last component). With EXPECTED-HASH, an already valid path is reused
// without downloading, and a download with another hash is refused before reaching the store.
// Not supported: -A/--attr and expressions, mirror:// URLs.
#include <sys/stat.h>

#include <cerrno>
#include <fcntl.h>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/store_cli.h"
#include "format/hash.h"
#include "glue/fetch.h"
#include "store/file_transfer.h"
#include "store/nar_fs.h"
#include "store/store.h"
#include "sys/directory.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

std::string baseNameOfUrl(std::string url) {
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  auto slash = url.rfind('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

} // namespace

int nixPrefetchUrlMain(Strings argv) {
  ArgParser ap("nix-prefetch-url", std::move(argv));
  CommonFlags common(Frontend::legacy);
  Strings args;
  HashAlgo algo = HashAlgo::sha256;
  bool printPath = false, unpack = false, executable = false;
  std::optional<std::string> name;
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) args.push_back(a);
    else if (a == "--help") {
      std::cout << "Usage: nix-prefetch-url [--type HASH-TYPE] [--print-path] [--unpack] [--executable] [--name NAME] URL [EXPECTED-HASH]\n";
      return 0;
    } else if (a == "--version") {
      printVersion("nix-prefetch-url");
      return 0;
    } else if (a == "--type") algo = parseHashAlgo(ap.value());
    else if (a == "--print-path") printPath = true;
    else if (a == "--unpack") unpack = true;
    else if (a == "--executable") executable = true;
    else if (a == "--name") name = ap.value();
    else if (a == "--attr" || a == "-A") ap.fail("nixpp's nix-prefetch-url does not evaluate expressions yet (--attr)");
    else if (!common.handle(ap)) ap.unknownFlag();
  }
  if (args.size() > 2) ap.fail("too many arguments");
  if (args.empty()) ap.fail("you must specify a URL");
  Settings settings = common.load(SettingsHost::real(), std::cerr);
  std::string url = args[0];
  if (url.starts_with("mirror://")) throw Error("nixpp's nix-prefetch-url does not resolve mirror:// URLs yet");
  if (!name) name = baseNameOfUrl(url);
  if (name->empty()) throw Error("cannot figure out the file name for '" + url + "'");
  auto method = unpack || executable ? ContentAddressMethod::nar : ContentAddressMethod::flat;
  StoreRef store(settings);

  std::optional<Hash> expected;
  std::optional<StorePath> storePath;
  if (args.size() == 2) {
    expected = Hash::parseAny(args[1], algo);
    StorePath p = store->storeDir().makeFixedOutputPath(
        method == ContentAddressMethod::nar ? FileIngestionMethod::recursive : FileIngestionMethod::flat, *expected, *name);
    if (store->isValidPath(p)) storePath = p;
  }

  Hash hash = expected ? *expected : Hash(algo);
  if (!storePath) {
    TempDir tmp("nix-prefetch-url");
    std::string file = tmp.path() + "/tmp";
    {
      AutoCloseFd fd = openFile(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, executable ? 0755 : 0600);
      FdSink sink(fd.get());
      FileTransfer(FileTransferSettings::from(settings)).download(FileTransferRequest(url), sink);
      fd.close();
    }
    std::string toAdd = file;
    if (unpack) {
      std::string dest = tmp.path() + "/unpacked";
      if (::mkdir(dest.c_str(), 0700) != 0) throw SysError(errno, "creating directory '" + dest + "'");
      unpackTarball(file, dest);
      auto entries = readDirectorySorted(dest);
      if (entries.size() != 1) throw Error("expected a single top-level directory in '" + url + "'");
      toAdd = dest + "/" + entries[0];
    }
    HashSink sink(algo);
    if (method == ContentAddressMethod::nar) dumpPath(toAdd, sink);
    else {
      AutoCloseFd fd = openFile(toAdd, O_RDONLY | O_CLOEXEC);
      FdSource(fd.get()).drainInto(sink);
    }
    hash = sink.finish().first;
    if (expected && hash != *expected) throw Error("hash mismatch for '" + toAdd + "'");  // Nix 2.8's words
    storePath = store->addPathToStore(toAdd, *name, method, algo);
  }
  if (!printPath) std::cerr << "path is '" << store->storeDir().printPath(*storePath) << "'\n";
  std::cout << hash.to_string(algo == HashAlgo::md5 ? HashFormat::base16 : HashFormat::nix32, false) << "\n";
  if (printPath) std::cout << store->storeDir().printPath(*storePath) << "\n";
  return 0;
}

} // namespace nixpp
