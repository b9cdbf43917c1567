// cli/nix_hash.cc: the legacy `nix-hash` tool and `nix hash file|path|to-*|convert`.
// Both hash a file's bytes (flat) or a path's NAR serialisation, streaming it through a
// HashSink, and print or convert hashes in Nix's encodings, with Nix's flags, output and errors.
#include <fcntl.h>

#include <cctype>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "format/hash.h"
#include "store/nar_fs.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

// What is hashed: a file's contents, or the NAR serialisation of a path.
enum class HashMode { flat, nar };

// Streams the file at `path` into `sink` in large reads. Throws SysError ("opening file '...'",
// "reading from file: ...") as Nix's readFile does.
void readFileInto(const std::string& path, Sink& sink) {
  AutoCloseFd fd = openFile(path, O_RDONLY);
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  FdSource source(fd.get());
  constexpr size_t bufSize = 1024 * 1024;
  auto buf = std::make_unique<char[]>(bufSize);
  for (;;) {
    size_t n;
    try {
      n = source.read(buf.get(), bufSize);
    } catch (EndOfFile&) {
      return;
    }
    sink(std::string_view(buf.get(), n));
  }
}

Hash hashPath(const std::string& path, HashAlgo algo, HashMode mode) {
  HashSink sink(algo);
  if (mode == HashMode::flat)
    readFileInto(path, sink);
  else
    dumpPath(path, sink);
  return sink.finish().first;
}

// The text form Nix's commands print: SRI includes the algorithm, the others do not.
std::string show(const Hash& h, HashFormat fmt) { return h.to_string(fmt, fmt == HashFormat::sri); }

// Hashes each path and prints one line per path, as CmdHashBase::run.
void hashPaths(const Strings& paths, HashAlgo algo, HashMode mode, HashFormat fmt, bool truncate) {
  for (auto& path : paths) {
    Hash h = hashPath(path, algo, mode);
    if (truncate && h.size() > 20) h = compressHash(h, 20);
    std::cout << show(h, fmt) << "\n";
  }
}

// Parses and re-encodes each hash, as CmdToBase::run. An unknown algorithm in a hash string is a
// usage error in Nix (it carries the "Try ... --help" hint).
void convertHashes(const Strings& hashes, std::optional<HashAlgo> algo, HashFormat fmt,
                   const ArgParser& p) {
  for (auto& s : hashes) {
    Hash h(HashAlgo::md5);
    try {
      h = Hash::parseAny(s, algo);
    } catch (UnknownHashAlgo& e) {
      p.fail(e.what());
    }
    std::cout << show(h, fmt) << "\n";
  }
}

HashAlgo algoFlag(const ArgParser& p, const std::string& name) {
  if (auto a = parseHashAlgoOpt(name)) return *a;
  p.fail("unknown hash algorithm '" + name + "'");
}

// --- nix-hash --------------------------------------------------------------------------------

const char nixHashHelp[] =
    "Usage: nix-hash [OPTIONS...] PATHS...\n"
    "       nix-hash [--type TYPE] --to-base16|--to-base32|--to-base64|--to-sri HASHES...\n"
    "\n"
    "Compute the cryptographic hash of the NAR serialisation of each PATH (or, with --flat, of\n"
    "the contents of each file), or convert hashes between encodings.\n"
    "\n"
    "Options:\n"
    "  --flat             hash the file's contents, not its NAR serialisation\n"
    "  --type TYPE        md5 (default), sha1, sha256 or sha512\n"
    "  --base16           print the hash in hexadecimal (default)\n"
    "  --base32           print the hash in Nix's base-32\n"
    "  --base64           print the hash in base-64\n"
    "  --sri              print the hash in SRI format (<type>-<base64>)\n"
    "  --truncate         fold hashes longer than 160 bits to 160 bits\n"
    "  --to-base16, --to-base32, --to-base64, --to-sri\n"
    "                     convert each HASH (prefixed, SRI or bare of type TYPE)\n"
    "  --help             show this help\n"
    "  --version          show the version\n";

// The legacy tools' argument splitting (Nix's parseCmdLine): "-abc" is "-a -b -c", a letter
// followed by anything else is "-a rest"; "--" ends the flags.
Strings expandLegacyArgs(const Strings& args) {
  Strings out;
  for (auto& a : args) {
    if (a.size() > 2 && a[0] == '-' && a[1] != '-' && std::isalpha((unsigned char)a[1])) {
      out.push_back(std::string("-") + a[1]);
      for (size_t j = 2; j < a.size(); ++j) {
        if (std::isalpha((unsigned char)a[j])) {
          out.push_back(std::string("-") + a[j]);
        } else {
          out.push_back(a.substr(j));
          break;
        }
      }
    } else {
      out.push_back(a);
    }
  }
  return out;
}

} // namespace

int nixHashMain(Strings rawArgs) {
  // The legacy parser knows no "--flag=value": such an argument is an unknown flag as a whole,
  // so arguments are walked here rather than with ArgParser.
  Strings args = expandLegacyArgs(rawArgs);
  ArgParser p("nix-hash", {});  // for its error messages only
  HashAlgo algo = HashAlgo::md5;
  HashMode mode = HashMode::nar;
  HashFormat fmt = HashFormat::base16;
  bool truncate = false, convert = false, dashdash = false;
  Strings rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (dashdash || a.empty() || a[0] != '-') {
      rest.push_back(a);
    } else if (a == "--") {
      dashdash = true;
    } else if (a == "--help") {
      std::cout << nixHashHelp;
      return 0;
    } else if (a == "--version") {
      printVersion("nix-hash");
      return 0;
    } else if (a == "--flat") {
      mode = HashMode::flat;
    } else if (a == "--base16") {
      fmt = HashFormat::base16;
    } else if (a == "--base32") {
      fmt = HashFormat::nix32;
    } else if (a == "--base64") {
      fmt = HashFormat::base64;
    } else if (a == "--sri") {
      fmt = HashFormat::sri;
    } else if (a == "--truncate") {
      truncate = true;
    } else if (a == "--type") {
      if (i + 1 >= args.size()) p.fail("'" + a + "' requires an argument");
      algo = algoFlag(p, args[++i]);
    } else if (a == "--to-base16" || a == "--to-base32" || a == "--to-base64" || a == "--to-sri") {
      convert = true;
      fmt = a == "--to-base16"   ? HashFormat::base16
            : a == "--to-base32" ? HashFormat::nix32
            : a == "--to-base64" ? HashFormat::base64
                                 : HashFormat::sri;
    } else {
      p.fail("unrecognised flag '" + a + "'");
    }
  }
  if (convert)
    convertHashes(rest, algo, fmt, p);  // the type defaults to md5 here too, as in Nix
  else
    hashPaths(rest, algo, mode, fmt, truncate);
  return 0;
}

// --- nix hash ----------------------------------------------------------------------------------

namespace {

const char nixHashCommandHelp[] =
    "Usage: nix hash <subcommand> [options...] args...\n"
    "\n"
    "Compute and convert cryptographic hashes.\n"
    "\n"
    "Subcommands:\n"
    "  file PATHS...       print the cryptographic hash of a regular file\n"
    "  path PATHS...       print the cryptographic hash of the NAR serialisation of a path\n"
    "  to-base16 HASHES... convert a hash to base-16 representation\n"
    "  to-base32 HASHES... convert a hash to base-32 representation\n"
    "  to-base64 HASHES... convert a hash to base-64 representation\n"
    "  to-sri HASHES...    convert a hash to SRI representation\n"
    "  convert HASHES...   convert between hash formats\n"
    "\n"
    "Options of file and path:\n"
    "  --type ALGO         md5, sha1, sha256 (default) or sha512\n"
    "  --base16, --base32, --base64, --sri\n"
    "                      output encoding (default: --sri)\n"
    "Options of to-*:\n"
    "  --type ALGO         the type of bare hashes (optional for prefixed and SRI hashes)\n"
    "Options of convert:\n"
    "  --hash-algo ALGO    the type of bare hashes (optional for prefixed and SRI hashes)\n"
    "  --from FORMAT       require the input to be in FORMAT (base16, nix32, base64, sri)\n"
    "  --to FORMAT         output format (default: sri)\n";

// The value of the current flag, with Nix's new-CLI message when it is missing.
std::string flagValue(ArgParser& p) {
  try {
    return p.value();
  } catch (UsageError&) {
    p.fail("flag '" + p.arg() + "' requires 1 argument(s)");
  }
}

HashFormat formatFlag(const ArgParser& p, const std::string& name) {
  if (name == "base16") return HashFormat::base16;
  if (name == "nix32") return HashFormat::nix32;
  if (name == "base32") {
    std::cerr << "warning: \"base32\" is a deprecated alias for hash format \"nix32\".\n";
    return HashFormat::nix32;
  }
  if (name == "base64") return HashFormat::base64;
  if (name == "sri") return HashFormat::sri;
  p.fail("unknown hash format '" + name + "', expect 'base16', 'base32', 'base64', or 'sri'");
}

bool isHelp(ArgParser& p) { return p.isFlag() && p.arg() == "--help"; }

// nix hash file|path
int hashCommand(ArgParser& p, HashMode mode) {
  HashAlgo algo = HashAlgo::sha256;
  HashFormat fmt = HashFormat::sri;
  Strings paths;
  while (p.next()) {
    const std::string& a = p.arg();
    if (!p.isFlag()) paths.push_back(a);
    else if (isHelp(p)) { std::cout << nixHashCommandHelp; return 0; }
    else if (a == "--sri") fmt = HashFormat::sri;
    else if (a == "--base64") fmt = HashFormat::base64;
    else if (a == "--base32") fmt = HashFormat::nix32;
    else if (a == "--base16") fmt = HashFormat::base16;
    else if (a == "--type") algo = algoFlag(p, flagValue(p));
    else if (!CommonFlags(Frontend::nixCommand).handle(p)) p.unknownFlag();
  }
  hashPaths(paths, algo, mode, fmt, false);
  return 0;
}

// nix hash to-base16|to-base32|to-base64|to-sri
int toBaseCommand(ArgParser& p, HashFormat fmt) {
  std::optional<HashAlgo> algo;
  Strings hashes;
  while (p.next()) {
    const std::string& a = p.arg();
    if (!p.isFlag()) hashes.push_back(a);
    else if (isHelp(p)) { std::cout << nixHashCommandHelp; return 0; }
    else if (a == "--type") algo = algoFlag(p, flagValue(p));
    else if (!CommonFlags(Frontend::nixCommand).handle(p)) p.unknownFlag();
  }
  convertHashes(hashes, algo, fmt, p);
  return 0;
}

// nix hash convert (Nix >= 2.19): like to-*, with an optional check of the input's format.
int convertCommand(ArgParser& p) {
  std::optional<HashAlgo> algo;
  std::optional<HashFormat> from;
  HashFormat to = HashFormat::sri;
  Strings hashes;
  while (p.next()) {
    const std::string& a = p.arg();
    if (!p.isFlag()) hashes.push_back(a);
    else if (isHelp(p)) { std::cout << nixHashCommandHelp; return 0; }
    else if (a == "--hash-algo") algo = algoFlag(p, flagValue(p));
    else if (a == "--from") from = formatFlag(p, flagValue(p));
    else if (a == "--to") to = formatFlag(p, flagValue(p));
    else if (!CommonFlags(Frontend::nixCommand).handle(p)) p.unknownFlag();
  }
  static const char* const fromNames[] = {"base16", "nix32", "base64", "sri"};
  for (auto& s : hashes) {
    Hash h(HashAlgo::md5);
    try {
      h = from == HashFormat::sri ? Hash::parseSRI(s) : Hash::parseAny(s, algo);
    } catch (UnknownHashAlgo& e) {
      p.fail(e.what());
    }
    if (from && from != HashFormat::sri) {
      std::string expect = s;
      if (from == HashFormat::base16)
        for (auto& c : expect) c = char(std::tolower((unsigned char)c));
      if (h.to_string(*from, false) != expect)
        throw BadHash("input hash '" + s + "' does not have the expected format '--from " +
                      fromNames[int(*from)] + "'");
    }
    std::cout << show(h, to) << "\n";
  }
  return 0;
}

} // namespace

int nixHashCommand(Strings args) {
  // Nix's hint names the top-level command: "Try 'nix --help' for more information."
  ArgParser p("nix", args);
  // Nix 2.8 knows no "--flag=value" (ArgParser would split it): such an argument is unknown.
  for (auto& a : args) {
    if (a == "--") break;
    if (a.size() > 2 && a.compare(0, 2, "--") == 0 && a.find('=') != std::string::npos)
      p.fail("unrecognised flag '" + a + "'");
  }
  if (!p.next()) p.fail("'nix hash' requires a sub-command.");
  if (isHelp(p)) {
    std::cout << nixHashCommandHelp;
    return 0;
  }
  if (p.isFlag()) p.unknownFlag();
  const std::string sub = p.arg();
  if (sub == "file") return hashCommand(p, HashMode::flat);
  if (sub == "path") return hashCommand(p, HashMode::nar);
  if (sub == "to-base16") return toBaseCommand(p, HashFormat::base16);
  if (sub == "to-base32") return toBaseCommand(p, HashFormat::nix32);
  if (sub == "to-base64") return toBaseCommand(p, HashFormat::base64);
  if (sub == "to-sri") return toBaseCommand(p, HashFormat::sri);
  if (sub == "convert") return convertCommand(p);
  p.fail("'" + sub + "' is not a recognised command");
}

} // namespace nixpp
