// cli/nix_store_cmd.cc: `nix store cat|ls|add-file|add-path|dump-path`, as Nix 2.8.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/gc_cli.h"
#include "cli/nar_ls.h"
#include "cli/nix_profile.h"
#include "cli/store_cli.h"
#include "store/local_store.h"
#include "sys/file.h"

namespace nixpp {

namespace {

[[noreturn]] void usage(const std::string& msg) {
  throw UsageError(msg + "\nTry 'nix --help' for more information.");
}

struct Parsed {
  Strings positional;
  std::string name;
  StoreRef* store = nullptr;
};

// Parses the common flags, --name/-n (for add-*), and exactly one positional argument.
std::unique_ptr<StoreRef> parse(const std::string& program, Strings args, bool takesName, std::string& arg,
                                std::string& name) {
  CommonFlags common(Frontend::nixCommand);
  ArgParser p(program, std::move(args));
  Strings pos;
  while (p.next()) {
    if (!p.isFlag()) {
      if (!pos.empty()) usage("unexpected argument '" + p.arg() + "'");
      pos.push_back(p.arg());
    } else if (takesName && (p.arg() == "--name" || p.arg() == "-n")) {
      name = p.value();
    } else if (!common.handle(p)) {
      p.unknownFlag();
    }
  }
  if (pos.empty()) usage("more arguments are required");
  arg = pos[0];
  return std::make_unique<StoreRef>(common.load(SettingsHost::real(), std::cerr));
}

int storeCat(Strings args) {
  std::string arg, name;
  auto store = parse("nix store cat", std::move(args), false, arg, name);
  auto* local = dynamic_cast<LocalStore*>(&**store);
  if (!local) throw Error("'nix store cat' is only supported on local stores");
  auto [sp, rest] = local->storeDir().toStorePath(arg);
  local->queryPathInfo(sp);
  std::string real = local->realPath(sp) + rest;
  struct stat st;
  if (::lstat(real.c_str(), &st) == -1) throw Error("path '" + arg + "' does not exist");
  if (!S_ISREG(st.st_mode)) throw Error("path '" + arg + "' is not a regular file");
  AutoCloseFd fd = openFile(real, O_RDONLY | O_CLOEXEC);
  FdSource in(fd.get());
  FdSink out(STDOUT_FILENO);
  in.drainInto(out);
  return 0;
}

// `nix store ls [-R] [-l] [-d] [--json] PATH`: a path inside the store listed as `nix nar ls`
// lists one inside a NAR (its NAR, made from the store, without offsets).
int storeLs(Strings args) {
  CommonFlags common(Frontend::nixCommand);
  ArgParser p("nix store ls", std::move(args));
  LsOptions opts;
  Strings pos;
  while (p.next()) {
    const std::string& a = p.arg();
    if (!p.isFlag()) {
      if (!pos.empty()) usage("unexpected argument '" + a + "'");
      pos.push_back(a);
    } else if (a == "--json") opts.json = true;
    else if (a == "-R" || a == "--recursive") opts.recursive = true;
    else if (a == "-l" || a == "--long") opts.longFormat = true;
    else if (a == "-d" || a == "--directory") opts.directory = true;
    else if (a == "--help") {
      std::cout << "Usage: nix store ls [--json] [-R|--recursive] [-l|--long] [-d|--directory] PATH\n\n"
                   "Show information about a path in the Nix store.\n";
      return 0;
    } else if (!common.handle(p)) p.unknownFlag();
  }
  if (pos.empty()) usage("more arguments are required");
  StoreRef store(common.load(SettingsHost::real(), std::cerr));
  auto [sp, rest] = store->storeDir().toStorePath(pos[0]);
  StringSink nar;
  store->narFromPath(sp, nar);
  StringSource src(nar.s);
  NarEntry root = listNar(src);
  std::function<void(NarEntry&)> noOffsets = [&](NarEntry& e) {
    e.narOffset = 0;
    for (auto& [_, c] : e.entries) noOffsets(c);
  };
  noOffsets(root);
  printNarListing(root, rest, opts);
  return 0;
}

int storeAdd(Strings args, const std::string& program, ContentAddressMethod method) {
  std::string arg, name;
  auto store = parse(program, std::move(args), true, arg, name);
  if (name.empty()) name = baseNameOf(arg);
  auto sp = (*store)->addPathToStore(arg, name, method, HashAlgo::sha256, Repair::no);
  std::cout << (*store)->storeDir().printPath(sp) << "\n";
  return 0;
}

int storeDumpPath(Strings args) {
  std::string arg, name;
  auto store = parse("nix store dump-path", std::move(args), false, arg, name);
  StorePath sp = followLinksToStorePath(**store, arg);
  FdSink out(STDOUT_FILENO);
  BufferedSink buffered(out);
  (*store)->narFromPath(sp, buffered);
  buffered.flush();
  return 0;
}

} // namespace

int nixStoreCommand(Strings args) {
  if (args.empty()) usage("'nix store' requires a sub-command.");
  std::string sub = args[0];
  Strings rest(args.begin() + 1, args.end());
  if (sub == "cat") return storeCat(std::move(rest));
  if (sub == "ls") return storeLs(std::move(rest));
  if (sub == "add-file") return storeAdd(std::move(rest), "nix store add-file", ContentAddressMethod::flat);
  if (sub == "add-path") return storeAdd(std::move(rest), "nix store add-path", ContentAddressMethod::nar);
  if (sub == "dump-path") return storeDumpPath(std::move(rest));
  if (sub == "gc") return nixStoreGcCommand(std::move(rest));
  if (sub == "optimise") return nixStoreOptimiseCommand(std::move(rest));
  if (sub == "diff-closures") return nixStoreDiffClosuresCommand(std::move(rest));
  if (sub == "--help") {
    std::cout << "Usage: nix store cat|ls|add-file|add-path|dump-path ...\n";
    return 0;
  }
  usage("'" + sub + "' is not a recognised command");
}

} // namespace nixpp
