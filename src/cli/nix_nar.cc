// Placeholder until nix nar lands (being written now); replaced wholesale.
#include "cli/commands.h"
#include "util/error.h"
namespace nixpp {
int nixNarCommand(Strings) { throw Error("nix nar: not implemented yet"); }
}
