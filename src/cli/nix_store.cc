// Placeholder until nix-store lands (being written now); replaced wholesale.
#include "cli/commands.h"
#include "util/error.h"
namespace nixpp {
int nixStoreMain(Strings) { throw Error("nix-store: not implemented yet"); }
}
