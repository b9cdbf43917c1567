// cli/nix_nar.cc: `nix nar ls|cat|dump-path`, with Nix 2.8's output formats and messages.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/nar_ls.h"
#include "format/nar.h"
#include "format/nar_listing.h"
#include "store/nar_fs.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

[[noreturn]] void usage(const std::string& msg) {
  throw UsageError(msg + "\nTry 'nix --help' for more information.");
}

// Collects exactly `n` positional arguments, as Nix's expectArgs does.
struct Positionals {
  size_t n;
  Strings got;
  void add(const std::string& a) {
    if (got.size() == n) usage("unexpected argument '" + a + "'");
    got.push_back(a);
  }
  void check() const {
    if (got.size() < n) usage("more arguments are required");
  }
};

// Parses the NAR in file `narFile` (streaming; contents are skipped, not kept).
NarEntry listNarFile(const std::string& narFile, AutoCloseFd& fd) {
  fd = openFile(narFile, O_RDONLY);
  FdSource src(fd.get());
  return listNar(src);
}

// Nix's `nix nar ls` text output: "%s %20d %s" lines with -l, names only otherwise.
class TextLister {
public:
  TextLister(bool longFmt, bool recursive) : long_(longFmt), recursive_(recursive) {}

  void showFile(const NarEntry& e, const std::string& relPath) {
    if (long_) {
      const char* tp = e.type == NarEntry::Type::regular ? (e.executable ? "-r-xr-xr-x" : "-r--r--r--")
                       : e.type == NarEntry::Type::symlink ? "lrwxrwxrwx"
                                                            : "dr-xr-xr-x";
      char size[32];
      std::snprintf(size, sizeof size, "%20" PRIu64, e.type == NarEntry::Type::regular ? e.size : 0);
      std::string line = std::string(tp) + " " + size + " " + relPath;
      if (e.type == NarEntry::Type::symlink) line += " -> " + e.target;
      out_ += line + "\n";
    } else {
      out_ += relPath + "\n";
    }
    if (recursive_ && e.type == NarEntry::Type::directory) showPath(e, relPath, false);
    if (out_.size() > 65536) flush();
  }

  void showPath(const NarEntry& e, const std::string& relPath, bool showDirectory) {
    if (e.type == NarEntry::Type::directory && !showDirectory) {
      for (auto& [name, child] : e.entries) showFile(child, relPath + "/" + name);
    } else {
      showFile(e, relPath);
    }
  }

  void flush() {
    std::cout << out_;
    out_.clear();
  }

private:
  bool long_, recursive_;
  std::string out_;
};

int narLs(Strings args) {
  bool json = false, recursive = false, longFmt = false, directory = false;
  Positionals pos{2, {}};
  ArgParser p("nix", std::move(args));
  while (p.next()) {
    if (!p.isFlag()) {
      pos.add(p.arg());
    } else if (p.arg() == "--json") {
      json = true;
    } else if (p.arg() == "--recursive" || p.arg() == "-R") {
      recursive = true;
    } else if (p.arg() == "--long" || p.arg() == "-l") {
      longFmt = true;
    } else if (p.arg() == "--directory" || p.arg() == "-d") {
      directory = true;
    } else if (p.arg() == "--help") {
      std::cout << "Usage: nix nar ls [--json] [-R|--recursive] [-l|--long] [-d|--directory] NAR PATH\n\n"
                   "Show information about a path inside a NAR file.\n";
      return 0;
    } else {
      p.unknownFlag();
    }
  }
  pos.check();
  AutoCloseFd fd;
  NarEntry root = listNarFile(pos.got[0], fd);
  printNarListing(root, pos.got[1], LsOptions{json, recursive, longFmt, directory});
  return 0;
}

int narCat(Strings args) {
  Positionals pos{2, {}};
  ArgParser p("nix", std::move(args));
  while (p.next()) {
    if (!p.isFlag()) {
      pos.add(p.arg());
    } else if (p.arg() == "--help") {
      std::cout << "Usage: nix nar cat NAR PATH\n\nPrint the contents of a file inside a NAR file.\n";
      return 0;
    } else {
      p.unknownFlag();
    }
  }
  pos.check();
  const std::string& path = pos.got[1];
  AutoCloseFd fd;
  NarEntry root = listNarFile(pos.got[0], fd);  // the whole NAR is checked before any output
  const NarEntry* e = findNarEntry(root, path);
  if (!e) throw Error("path '" + path + "' does not exist");
  if (e->type != NarEntry::Type::regular) throw Error("path '" + path + "' is not a regular file");
  // Copy the contents straight from the file at their offset.
  constexpr size_t bufSize = 1024 * 1024;
  std::unique_ptr<char[]> buf(new char[bufSize]);
  uint64_t off = e->narOffset, left = e->size;
  std::cout.flush();
  while (left) {
    ssize_t n = ::pread(fd.get(), buf.get(), left < bufSize ? size_t(left) : bufSize, off_t(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SysError(errno, "reading file '" + pos.got[0] + "'");
    }
    if (n == 0) throw EndOfFile("file '" + pos.got[0] + "' changed while it was being read");
    writeFull(STDOUT_FILENO, std::string_view(buf.get(), size_t(n)));
    off += uint64_t(n);
    left -= uint64_t(n);
  }
  return 0;
}

int narDumpPath(Strings args) {
  Positionals pos{1, {}};
  ArgParser p("nix", std::move(args));
  while (p.next()) {
    if (!p.isFlag()) {
      pos.add(p.arg());
    } else if (p.arg() == "--help") {
      std::cout << "Usage: nix nar dump-path PATH\n\nSerialise a path to stdout in NAR format.\n";
      return 0;
    } else {
      p.unknownFlag();
    }
  }
  pos.check();
  FdSink out(STDOUT_FILENO);
  dumpPath(pos.got[0], out);
  return 0;
}

struct SubCommand {
  std::string_view name;
  int (*run)(Strings);
  std::string_view summary;
};

const SubCommand subcommands[] = {
    {"cat", narCat, "print the contents of a file inside a NAR file on stdout"},
    {"dump-path", narDumpPath, "serialise a path to stdout in NAR format"},
    {"ls", narLs, "show information about a path inside a NAR file"},
};

} // namespace

void printNarListing(const NarEntry& root, std::string path, const LsOptions& opts) {
  if (opts.directory && opts.json) usage("'--directory' is useless with '--json'");
  if (path == "/") path = "";
  const NarEntry* e = findNarEntry(root, path);
  if (opts.json) {
    if (!e) throw Error("path '" + path + "' does not exist in NAR");
    std::cout << narEntryToJson(*e, opts.recursive);
    return;
  }
  if (!e) throw Error("path '" + path + "' does not exist");
  std::string rel = e->type == NarEntry::Type::directory ? "." : path.substr(path.rfind('/') + 1);
  TextLister lister(opts.longFormat, opts.recursive);
  lister.showPath(*e, rel, opts.directory);
  lister.flush();
}

int nixNarCommand(Strings args) {
  if (args.empty()) usage("'nix nar' requires a sub-command.");
  if (args[0] == "--help") {
    std::cout << "Usage: nix nar COMMAND [ARGS...]\n\nCreate or inspect NAR files.\n\nCommands:\n";
    for (auto& c : subcommands) std::cout << "  " << c.name << "  " << c.summary << "\n";
    return 0;
  }
  for (auto& c : subcommands)
    if (args[0] == c.name) return c.run(Strings(args.begin() + 1, args.end()));
  if (!args[0].empty() && args[0][0] == '-') usage("unrecognised flag '" + args[0] + "'");
  usage("'" + args[0] + "' is not a recognised command");
}

} // namespace nixpp
