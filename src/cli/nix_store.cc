// cli/nix_store.cc: `nix-store`. As in Nix 2.8, one invocation runs one operation, chosen by a
// flag (--dump, --add, --query, ...); the flags after it that are not common flags (--store,
// --option...) go to the operation as its flags, the other arguments as its arguments. New
// operations are one row in `operations`. Output and messages follow Nix 2.8.
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <string_view>

#include "cli/args.h"
#include "cli/build_cli.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/gc_cli.h"
#include "cli/store_cli.h"
#include "format/derivation.h"
#include "store/build/build.h"
#include "store/build/build_log.h"
#include "store/local_store.h"
#include "store/nar_fs.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

// Ends the command with an exit status but no message (Nix's Exit).
class ExitStatus : public Error {
public:
  explicit ExitStatus(int status) : Error(""), status_(status) {}
  int exitStatus() const override { return status_; }

private:
  int status_;
};

[[noreturn]] void usage(const std::string& msg) {
  throw UsageError(msg + "\nTry 'nix-store --help' for more information.");
}

void noFlags(const Strings& opFlags) {
  if (!opFlags.empty()) usage("unknown flag '" + opFlags[0] + "'");
}

// `nix-store --dump PATH`: the NAR of PATH on stdout.
int opDump(StoreRef&, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  if (opArgs.size() != 1) usage("only one argument allowed");
  FdSink out(STDOUT_FILENO);
  dumpPath(opArgs[0], out);
  return 0;
}

// `nix-store --restore PATH`: recreates PATH from the NAR on stdin.
int opRestore(StoreRef&, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  if (opArgs.size() != 1) usage("only one argument allowed");
  FdSource in(STDIN_FILENO);
  restorePath(opArgs[0], in);
  return 0;
}

// `nix-store --add PATH...`: adds each path (recursively, sha256) and prints its store path.
int opAdd(StoreRef& store, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  for (auto& p : opArgs)
    std::cout << store->storeDir().printPath(store->addPathToStore(p, baseNameOf(p))) << "\n";
  return 0;
}

// `nix-store --add-fixed [--recursive] ALGO PATH...`.
int opAddFixed(StoreRef& store, const Strings& opFlags, const Strings& opArgs) {
  auto method = ContentAddressMethod::flat;
  for (auto& f : opFlags) {
    if (f == "--recursive") method = ContentAddressMethod::nar;
    else usage("unknown flag '" + f + "'");
  }
  if (opArgs.empty()) usage("first argument must be hash algorithm");
  HashAlgo algo;
  try {
    algo = parseHashAlgo(opArgs[0]);
  } catch (UnknownHashAlgo& e) {
    usage(e.what());
  }
  for (size_t i = 1; i < opArgs.size(); ++i)
    std::cout << store->storeDir().printPath(
                     store->addPathToStore(opArgs[i], baseNameOf(opArgs[i]), method, algo, Repair::no))
              << "\n";
  return 0;
}

// The output paths a .drv names (read from the .drv file itself).
StorePathSet derivationOutputPaths(Store& store, const StorePath& drvPath) {
  auto* local = dynamic_cast<LocalStore*>(&store);
  if (!local) throw Error("reading derivations is only supported on local stores");
  auto drv = parseDerivation(readFile(local->realPath(drvPath)), store.storeDir(), derivationNameOf(drvPath));
  StorePathSet res;
  for (auto& [_, out] : drv.outputsAndOptPaths(store.storeDir()))
    if (out) res.insert(*out);
  return res;
}

// The paths a derivation would produce, or the path itself (Nix's maybeUseOutputs).
StorePathSet maybeUseOutputs(Store& store, const StorePath& p, bool useOutput) {
  if (!useOutput || !p.isDerivation()) return {p};
  return derivationOutputPaths(store, p);
}

void printTree(Store& store, const StorePath& path, const std::string& firstPad, const std::string& tailPad,
               StorePathSet& done) {
  if (!done.insert(path).second) {
    std::cout << firstPad << store.storeDir().printPath(path) << " [...]\n";
    return;
  }
  std::cout << firstPad << store.storeDir().printPath(path) << "\n";
  auto sorted = referencesFirst(store, store.queryPathInfo(path).references);
  for (size_t n = 0; n < sorted.size(); ++n) {
    bool last = n + 1 == sorted.size();
    printTree(store, sorted[n], tailPad + (last ? "└───" : "├───"), tailPad + (last ? "    " : "│   "), done);
  }
}

std::string dotQuote(std::string_view s) { return "\"" + std::string(s) + "\""; }

void printDotGraph(Store& store, const StorePathSet& roots) {
  static const char* colours[] = {"black", "red", "green", "blue", "magenta", "burlywood"};
  size_t colour = 0;
  std::cout << "digraph G {\n";
  StorePathSet work(roots), done;
  while (!work.empty()) {
    StorePath p = *work.begin();
    work.erase(work.begin());
    if (!done.insert(p).second) continue;
    std::cout << dotQuote(p.to_string()) << " [label = " << dotQuote(p.name())
              << ", shape = box, style = filled, fillcolor = \"#ff0000\"];\n";
    for (auto& r : store.queryPathInfo(p).references) {
      if (r == p) continue;
      work.insert(r);
      std::cout << dotQuote(r.to_string()) << " -> " << dotQuote(p.to_string()) << " [color = "
                << dotQuote(colours[colour++ % 6]) << "];\n";
    }
  }
  std::cout << "}\n";
}

// `nix-store --query`/`-q`.
int opQuery(StoreRef& storeRef, const Strings& opFlags, const Strings& opArgs) {
  enum Q { qDefault, qOutputs, qRequisites, qReferences, qReferrers, qReferrersClosure, qDeriver, qValidDerivers,
           qTree, qGraph, qHash, qSize, qRoots };
  Q query = qDefault;
  bool useOutput = false, includeOutputs = false;
  for (auto& f : opFlags) {
    Q prev = query;
    if (f == "--outputs") query = qOutputs;
    else if (f == "--requisites" || f == "-R") query = qRequisites;
    else if (f == "--references") query = qReferences;
    else if (f == "--referrers" || f == "--referers") query = qReferrers;
    else if (f == "--referrers-closure" || f == "--referers-closure") query = qReferrersClosure;
    else if (f == "--deriver" || f == "-d") query = qDeriver;
    else if (f == "--valid-derivers") query = qValidDerivers;
    else if (f == "--tree") query = qTree;
    else if (f == "--graph") query = qGraph;
    else if (f == "--hash") query = qHash;
    else if (f == "--size") query = qSize;
    else if (f == "--roots") query = qRoots;
    else if (f == "--use-output" || f == "-u") useOutput = true;
    else if (f == "--include-outputs") includeOutputs = true;
    else usage("unknown flag '" + f + "'");
    if (prev != qDefault && prev != query) usage("query type '" + f + "' conflicts with earlier flag");
  }
  if (query == qDefault) query = qOutputs;
  Store& store = *storeRef;
  const StoreDir& dir = store.storeDir();
  auto printSorted = [&](const StorePathSet& paths) {
    for (auto& p : referencesFirst(store, paths)) std::cout << dir.printPath(p) << "\n";
  };

  switch (query) {
    case qOutputs:
      for (auto& a : opArgs) {
        StorePath p = followLinksToStorePath(store, a);
        if (p.isDerivation()) {
          for (auto& out : derivationOutputPaths(store, p)) std::cout << dir.printPath(out) << "\n";
        } else {
          std::cout << dir.printPath(p) << "\n";
        }
      }
      break;
    case qRequisites:
    case qReferences:
    case qReferrers:
    case qReferrersClosure: {
      StorePathSet paths;
      for (auto& a : opArgs) {
        for (auto& p : maybeUseOutputs(store, followLinksToStorePath(store, a), useOutput)) {
          if (query == qRequisites) {
            paths.merge(computeFSClosure(store, {p}, false, includeOutputs));
          } else if (query == qReferences) {
            paths.merge(store.queryPathInfo(p).references);
          } else if (query == qReferrers) {
            store.queryPathInfo(p);  // "is not valid" for an invalid path
            paths.merge(store.queryReferrers(p));
          } else {
            paths.merge(computeFSClosure(store, {p}, true));
          }
        }
      }
      printSorted(paths);
      break;
    }
    case qDeriver:
      for (auto& a : opArgs) {
        auto info = store.queryPathInfo(followLinksToStorePath(store, a));
        std::cout << (info.deriver ? dir.printPath(*info.deriver) : "unknown-deriver") << "\n";
      }
      break;
    case qValidDerivers: {  // as later Nix versions (2.8 lacks it): every valid deriver
      StorePathSet derivers;
      for (auto& a : opArgs) derivers.merge(store.queryValidDerivers(followLinksToStorePath(store, a)));
      for (auto& d : derivers) std::cout << dir.printPath(d) << "\n";
      break;
    }
    case qHash:
    case qSize:
      for (auto& a : opArgs)
        for (auto& p : maybeUseOutputs(store, followLinksToStorePath(store, a), useOutput)) {
          auto info = store.queryPathInfo(p);
          if (query == qHash) std::cout << info.narHash.to_string(HashFormat::nix32, true) << "\n";
          else std::cout << info.narSize << "\n";
        }
      break;
    case qTree: {
      StorePathSet done;
      for (auto& a : opArgs) printTree(store, followLinksToStorePath(store, a), "", "", done);
      break;
    }
    case qGraph: {
      StorePathSet roots;
      for (auto& a : opArgs)
        for (auto& p : maybeUseOutputs(store, followLinksToStorePath(store, a), useOutput)) roots.insert(p);
      printDotGraph(store, roots);
      break;
    }
    case qRoots: {
      StorePathSet paths;
      for (auto& a : opArgs)
        for (auto& p : maybeUseOutputs(store, followLinksToStorePath(store, a), useOutput)) paths.insert(p);
      printRootsOf(storeRef, paths);
      break;
    }
    default:
      break;
  }
  return 0;
}

// `nix-store --verify [--check-contents] [--repair]`.
int opVerify(StoreRef& store, const Strings& opFlags, const Strings& opArgs) {
  if (!opArgs.empty()) usage("no arguments expected");
  bool checkContents = false;
  Repair repair = Repair::no;
  for (auto& f : opFlags) {
    if (f == "--check-contents") checkContents = true;
    else if (f == "--repair") repair = Repair::yes;
    else usage("unknown flag '" + f + "'");
  }
  auto res = store->verifyStore(checkContents, repair);
  bool errors = res.errors;
  if (repair == Repair::yes && !res.damaged.empty()) {
    // Only what a build can remake is repaired (nixpp has no substituters yet): the outputs of
    // valid derivations, rebuilt and swapped in atomically.
    errors = false;
    auto* local = dynamic_cast<LocalStore*>(&*store);
    for (auto& p : res.damaged) {
      try {
        if (!local) throw Error("cannot repair path '" + store->storeDir().printPath(p) + "'");
        repairPath(*local, store.settings(), p);
      } catch (Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        errors = true;
      }
    }
  }
  if (errors) {
    std::cerr << "warning: not all store errors were fixed\n";
    throw ExitStatus(1);
  }
  return 0;
}

// `nix-store --verify-path PATH...`: 1 if any path's contents do not match its NAR hash.
int opVerifyPath(StoreRef& storeRef, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  auto* local = dynamic_cast<LocalStore*>(&*storeRef);
  if (!local) throw Error("--verify-path is only supported on local stores");
  int status = 0;
  for (auto& a : opArgs) {
    StorePath p = followLinksToStorePath(*local, a);
    std::cerr << "checking path '" << local->storeDir().printPath(p) << "'...\n";
    auto info = local->queryPathInfo(p);
    auto [hash, _] = local->hashPath(p);
    if (hash != info.narHash) {
      std::cerr << "path '" << local->storeDir().printPath(p) << "' was modified! expected hash '"
                << info.narHash.to_string(HashFormat::nix32, true) << "', got '"
                << hash.to_string(HashFormat::nix32, true) << "'\n";
      status = 1;
    }
  }
  if (status) throw ExitStatus(status);
  return 0;
}

// `nix-store --repair-path PATH...`: rebuilds each path whose contents are missing or modified
// (from its deriver; nixpp has no substituters yet).
int opRepairPath(StoreRef& storeRef, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  auto* local = dynamic_cast<LocalStore*>(&*storeRef);
  if (!local) throw Error("--repair-path is only supported on local stores");
  for (auto& a : opArgs) repairPath(*local, storeRef.settings(), followLinksToStorePath(*local, a));
  return 0;
}

// `nix-store --dump-db [PATH...]`: Nix's registration format.
int opDumpDb(StoreRef& storeRef, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  Store& store = *storeRef;
  // As Nix: the whole store in path order, or the arguments in their order.
  std::vector<StorePath> paths;
  if (opArgs.empty())
    for (auto& p : store.queryAllValidPaths()) paths.push_back(p);
  else
    for (auto& a : opArgs) paths.push_back(followLinksToStorePath(store, a));
  std::string out;
  for (auto& p : paths) {
    auto info = store.queryPathInfo(p);
    out += store.storeDir().printPath(p) + "\n";
    out += info.narHash.to_string(HashFormat::base16, false) + "\n";
    out += std::to_string(info.narSize) + "\n";
    out += (info.deriver ? store.storeDir().printPath(*info.deriver) : "") + "\n";
    out += std::to_string(info.references.size()) + "\n";
    for (auto& r : info.references) out += store.storeDir().printPath(r) + "\n";
    std::cout << out;
    out.clear();
  }
  return 0;
}

// `nix-store --load-db`: registers the paths described on stdin (contents must exist).
int opLoadDb(StoreRef& storeRef, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  if (!opArgs.empty()) usage("no arguments expected");
  auto* local = dynamic_cast<LocalStore*>(&*storeRef);
  if (!local) throw Error("--load-db is only supported on local stores");
  const StoreDir& dir = local->storeDir();
  std::vector<ValidPathInfo> infos;
  std::string line;
  auto next = [&]() -> std::string {
    if (!std::getline(std::cin, line)) throw EndOfFile("unexpected end-of-file");
    return line;
  };
  auto number = [&]() -> uint64_t {
    auto n = parseUInt(next());
    if (!n) throw Error("number expected");
    return *n;
  };
  while (std::getline(std::cin, line) && !line.empty()) {
    ValidPathInfo info(dir.parsePath(line));
    info.narHash = Hash::parseAny(next(), HashAlgo::sha256);
    info.narSize = number();
    std::string deriver = next();
    if (!deriver.empty()) info.deriver = dir.parsePath(deriver);
    uint64_t n = number();
    for (uint64_t i = 0; i < n; ++i) info.references.insert(dir.parsePath(next()));
    infos.push_back(std::move(info));
  }
  local->registerValidPaths(infos);
  return 0;
}

// `nix-store --export PATH...`: Nix's export format on stdout.
int opExport(StoreRef& store, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  StorePathSet paths;
  for (auto& a : opArgs) paths.insert(followLinksToStorePath(*store, a));
  FdSink out(STDOUT_FILENO);
  BufferedSink buffered(out);
  exportPaths(*store, paths, buffered);
  buffered.flush();
  return 0;
}

// `nix-store --import`: reads the export format on stdin, prints the imported paths.
int opImport(StoreRef& store, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  if (!opArgs.empty()) usage("no arguments expected");
  FdSource in(STDIN_FILENO);
  for (auto& p : importPaths(*store, in)) std::cout << store->storeDir().printPath(p) << "\n";
  return 0;
}

// `nix-store --realise`/`-r PATH...`: builds the derivations among PATHs (DRV or DRV!OUT,...)
// and prints their output paths; other paths must be valid and are printed as they are.
int opRealise(StoreRef& storeRef, const Strings& opFlags, const Strings& opArgs) {
  BuildMode mode = BuildMode::normal;
  bool dryRun = false, ignoreUnknown = false;
  for (auto& f : opFlags) {
    if (f == "--check") mode = BuildMode::check;
    else if (f == "--dry-run") dryRun = true;
    else if (f == "--ignore-unknown") ignoreUnknown = true;
    else if (f == "--repair") mode = BuildMode::repair;
    else usage("unknown flag '" + f + "'");
  }
  auto* local = dynamic_cast<LocalStore*>(&*storeRef);
  if (!local) throw Error("building is only supported on local stores");
  const StoreDir& dir = local->storeDir();
  struct Wanted {
    StorePath path;
    std::optional<StringSet> outputs;  // for DRV!OUT,OUT
  };
  std::vector<Wanted> wanted;
  std::vector<StorePath> drvs;
  for (auto& a : opArgs) {
    std::string arg = a;
    std::optional<StringSet> outs;
    if (auto bang = a.find('!'); bang != std::string::npos) {
      arg = a.substr(0, bang);
      StringSet o;
      for (auto& n : splitString(a.substr(bang + 1), ',')) o.insert(n);
      outs = o;
    }
    StorePath p = followLinksToStorePath(*local, arg);
    if (ignoreUnknown && !local->isValidPath(p)) continue;
    wanted.push_back({p, outs});
    if (p.isDerivation()) drvs.push_back(p);
    else if (!local->isValidPath(p)) throw InvalidPath("path '" + dir.printPath(p) + "' is not valid");
  }
  if (dryRun) {
    printMissing(*local, drvs, mode);
    return 0;
  }
  buildDerivations(*local, storeRef.settings(), drvs, mode);
  if (mode == BuildMode::check) return 0;
  for (auto& w : wanted) {
    if (!w.path.isDerivation()) {
      std::cout << dir.printPath(w.path) << "\n";
      continue;
    }
    auto drv = parseDerivation(readFile(local->realPath(w.path)), dir, derivationNameOf(w.path));
    for (auto& [name, out] : drv.outputsAndOptPaths(dir))
      if (out && (!w.outputs || w.outputs->count(name))) std::cout << dir.printPath(*out) << "\n";
  }
  return 0;
}

// `nix-store --read-log`/`-l PATH...`: the build log of each derivation (or of the deriver of
// each output path).
int opReadLog(StoreRef& storeRef, const Strings& opFlags, const Strings& opArgs) {
  noFlags(opFlags);
  auto* local = dynamic_cast<LocalStore*>(&*storeRef);
  if (!local) throw Error("reading build logs is only supported on local stores");
  for (auto& a : opArgs) {
    StorePath p = followLinksToStorePath(*local, a);
    auto log = findBuildLog(*local, p);
    if (!log) throw Error("build log of derivation '" + local->storeDir().printPath(p) + "' is not available");
    std::cout << *log;
  }
  return 0;
}

struct Operation {
  std::string_view flag;       // "--dump"
  std::string_view shortFlag;  // "-q", or empty
  int (*run)(StoreRef& store, const Strings& opFlags, const Strings& opArgs);
  std::string_view synopsis;
};

const Operation operations[] = {
    {"--dump", "", opDump, "--dump PATH        write the NAR serialisation of PATH to stdout"},
    {"--restore", "", opRestore, "--restore PATH     recreate PATH from a NAR read from stdin"},
    {"--add", "-A", opAdd, "--add PATH...      add paths to the store"},
    {"--add-fixed", "", opAddFixed, "--add-fixed [--recursive] ALGO PATH...  add paths as fixed-output paths"},
    {"--query", "-q", opQuery, "--query/-q FLAG PATH...  query the store (--references, -R, --tree...)"},
    {"--verify", "", opVerify, "--verify [--check-contents] [--repair]  check the store's consistency"},
    {"--verify-path", "", opVerifyPath, "--verify-path PATH...  check paths' contents against their hashes"},
    {"--repair-path", "", opRepairPath, "--repair-path PATH...  rebuild paths whose contents are damaged"},
    {"--dump-db", "", opDumpDb, "--dump-db [PATH...]  print the registration of valid paths"},
    {"--load-db", "", opLoadDb, "--load-db          register paths from --dump-db output on stdin"},
    {"--export", "", opExport, "--export PATH...   serialise paths in Nix's export format"},
    {"--realise", "-r", opRealise, "--realise/-r PATH...  build derivations and print their outputs"},
    {"--read-log", "-l", opReadLog, "--read-log/-l PATH...  print the build log of derivations"},
    {"--import", "", opImport, "--import           import paths from --export output on stdin"},
    {"--gc", "", nixStoreOpGc, "--gc [--print-roots|--print-live|--print-dead] [--max-freed N]  collect garbage"},
    {"--delete", "", nixStoreOpDelete, "--delete [--ignore-liveness] PATH...  delete paths no root holds"},
    {"--optimise", "", nixStoreOpOptimise, "--optimise         replace identical files by hard links"},
};

void printHelp() {
  std::cout << "Usage: nix-store OPERATION [OPTIONS...] [ARGUMENTS...]\n\n"
               "Manipulate or query the Nix store.\n\nOperations:\n";
  for (auto& op : operations) std::cout << "  " << op.synopsis << "\n";
  std::cout << "\nOptions:\n  --store URL        the store to use\n"
               "  --help             show this help\n"
               "  --version          show the version\n";
}

} // namespace

int nixStoreMain(Strings args) {
  const Operation* op = nullptr;
  Strings opFlags, opArgs;
  CommonFlags common(Frontend::legacy);
  ArgParser p("nix-store", std::move(args));
  while (p.next()) {
    const std::string& arg = p.arg();
    if (!p.isFlag()) {
      opArgs.push_back(arg);
      continue;
    }
    if (arg == "--help") {
      printHelp();
      return 0;
    }
    if (arg == "--version") {
      printVersion("nix-store");
      return 0;
    }
    const Operation* found = nullptr;
    for (auto& o : operations)
      if (arg == o.flag || (!o.shortFlag.empty() && arg == o.shortFlag)) found = &o;
    if (found) {
      if (op) usage("only one operation may be specified");
      op = found;
    } else if (!common.handle(p)) {
      opFlags.push_back(arg);
      if (arg == "--max-freed") opFlags.push_back(p.value());  // as Nix: the one flag with a value
    }
  }
  if (!op) usage("no operation specified");
  StoreRef store(common.load(SettingsHost::real(), std::cerr));
  return op->run(store, opFlags, opArgs);
}

} // namespace nixpp
