// cli/user_env.h: user environments, as Nix 2.8's nix-env makes them: the elements (DrvInfo)
// are written as a Nix list into a store file "env-manifest.nix", and a derivation
// "user-environment" with builder "builtin:buildenv" (store/build/buildenv.h) links their output
// trees together, with `manifest.nix` pointing at that file. The same elements give the same
// .drv and output path as Nix 2.8's.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/get_drvs.h"
#include "format/store_path.h"

namespace nixpp {

class EvalState;
class LocalStore;
struct Settings;

// The elements of the user environment `userEnv` (a profile or a store path): its
// manifest.nix, evaluated. Nothing if there is none. Throws Error "profile '...' is incompatible
// with 'nix-env'; please use 'nix profile' instead" for a manifest.json profile.
DrvInfos queryInstalled(EvalState& state, const std::string& userEnv);

// Nix's printMissing for a few derivations: "these N derivations will be built:" (or "this
// derivation will be built:") and the paths, on `log`. Nothing if everything is valid.
void printMissingElems(LocalStore& store, DrvInfos& elems, std::ostream& log);

// Builds the elements, then the user environment, and (holding the profile lock, if the
// profile still points where `lockToken` says) makes it a new generation of `profile` and
// switches to it. Returns false, having changed nothing, if the profile changed meanwhile
// (the caller recomputes and retries). Throws BuildFailed, Error.
bool createUserEnv(EvalState& state, LocalStore& store, const Settings& settings, DrvInfos& elems,
                   const std::string& profile, bool keepDerivations, const std::string& lockToken);

} // namespace nixpp
