// store/roots.h: finding the garbage collector's roots in a local store, as Nix 2.8 does:
//   - the gcroots tree (<stateDir>/gcroots, recursively): a symlink into the store is a direct
//     root; a symlink to a symlink outside it is an indirect root (gcroots/auto/<hash> -> a
//     `result` link -> the store path), and a dangling one under gcroots/auto is removed; a
//     regular file named like a store path's base name roots that path;
//   - the profiles tree (<stateDir>/profiles): every generation link (gcroots/profiles points
//     there, as in Nix);
//   - runtime roots: store paths in any process's /proc/PID/{exe,cwd,fd/*} links, memory maps
//     and environment (for a chroot store, paths under its real store directory count too);
//   - temporary roots (store/temp_roots.h) of live processes, and of this one.
// Each root is named for the printer as Nix names it: the link's path, "/proc/PID/exe",
// "{temp:PID}"; censored ones (another user's processes) as "{censored}".
#pragma once

#include <map>
#include <ostream>
#include <set>
#include <string>

#include "format/store_path.h"

namespace nixpp {

class LocalStore;

// Valid store path -> the names of the roots that hold it.
using Roots = std::map<StorePath, std::set<std::string>>;

// Every root of `store` whose path is valid. `censor` hides where runtime and temporary roots
// come from. Messages ("removing stale link from '...' to '...'") go to `log`.
Roots findRoots(LocalStore& store, bool censor, std::ostream& log);

// Only the runtime roots (exposed for tests).
Roots findRuntimeRoots(LocalStore& store, bool censor);

} // namespace nixpp
