// Placeholder until nix-hash lands (being written now); replaced wholesale.
#include "cli/commands.h"
#include "util/error.h"
namespace nixpp {
int nixHashMain(Strings) { throw Error("nix-hash: not implemented yet"); }
int nixHashCommand(Strings) { throw Error("nix hash: not implemented yet"); }
}
