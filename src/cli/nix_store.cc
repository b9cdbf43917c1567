// cli/nix_store.cc: `nix-store`. As in Nix 2.8, one invocation runs one operation, chosen by a
// flag (--dump, --restore, ...); the flags after it that are not global go to the operation as
// its flags, the other arguments as its arguments. New operations are one row in `operations`.
#include <unistd.h>

#include <iostream>
#include <string_view>

#include "cli/commands.h"
#include "store/nar_fs.h"
#include "sys/file.h"
#include "util/error.h"

namespace nixpp {

namespace {

[[noreturn]] void usage(const std::string& msg) {
  throw UsageError(msg + "\nTry 'nix-store --help' for more information.");
}

// `nix-store --dump PATH`: the NAR of PATH on stdout.
int opDump(const Strings& opFlags, const Strings& opArgs) {
  if (!opFlags.empty()) usage("unknown flag");
  if (opArgs.size() != 1) usage("only one argument allowed");
  FdSink out(STDOUT_FILENO);
  dumpPath(opArgs[0], out);
  return 0;
}

// `nix-store --restore PATH`: recreates PATH from the NAR on stdin.
int opRestore(const Strings& opFlags, const Strings& opArgs) {
  if (!opFlags.empty()) usage("unknown flag");
  if (opArgs.size() != 1) usage("only one argument allowed");
  FdSource in(STDIN_FILENO);
  restorePath(opArgs[0], in);
  return 0;
}

struct Operation {
  std::string_view flag;       // "--dump"
  std::string_view shortFlag;  // "-q", or empty
  int (*run)(const Strings& opFlags, const Strings& opArgs);
  std::string_view synopsis;
};

const Operation operations[] = {
    {"--dump", "", opDump, "--dump PATH        write the NAR serialisation of PATH to stdout"},
    {"--restore", "", opRestore, "--restore PATH     recreate PATH from a NAR read from stdin"},
};

void printHelp() {
  std::cout << "Usage: nix-store OPERATION [OPTIONS...] [ARGUMENTS...]\n\n"
               "Manipulate or query the Nix store.\n\nOperations:\n";
  for (auto& op : operations) std::cout << "  " << op.synopsis << "\n";
  std::cout << "\nOptions:\n  --help             show this help\n"
               "  --version          show the version\n";
}

} // namespace

int nixStoreMain(Strings args) {
  const Operation* op = nullptr;
  Strings opFlags, opArgs;
  for (auto& arg : args) {
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
    } else if (!arg.empty() && arg[0] == '-') {
      opFlags.push_back(arg);
    } else {
      opArgs.push_back(arg);
    }
  }
  if (!op) usage("no operation specified");
  return op->run(opFlags, opArgs);
}

} // namespace nixpp
