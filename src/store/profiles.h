// store/profiles.h: profiles as Nix lays them out: a profile is a symlink `<dir>/<name>` to one of
// its generations, `<dir>/<name>-<N>-link` (relative target, in the same directory), each a
// symlink to a store path (a user environment). Generations are numbered from 1; a new one gets
// the highest number + 1. Per user: <stateDir>/profiles/per-user/<user>/, the default profile
// of root is <stateDir>/profiles/default, and ~/.nix-profile points at the user's profile.
//
// Changes to one profile are serialised by an fcntl write lock on "<profile>.lock"; commands that
// compute a new generation without holding the lock (nix-env builds its user environment first)
// take an optimistic token (the profile's link text) before and check it under the lock.
//
// Crash safety, step by step:
//  - createGeneration: the generation link is made by symlink(2) to a temporary name and one
//    rename(2), and registered as an indirect GC root; a crash leaves no new generation, or a
//    complete one that is not current (a stray "<link>.tmp-<pid>" at worst).
//  - switchLink: the profile link is replaced by symlink to "<profile>.tmp-<pid>" and one
//    rename(2): after a crash the profile is the old generation or the new one, never missing.
//  - deleteGeneration: one unlink(2) of a non-current generation link; the current one is never
//    deleted.
#pragma once

#include <ctime>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "format/store_path.h"
#include "sys/path_lock.h"

namespace nixpp {

class LocalStore;
struct Settings;

using GenerationNumber = uint64_t;

// One generation of a profile.
struct Generation {
  GenerationNumber number = 0;
  std::string path;          // "<profile>-<N>-link"
  time_t creationTime = 0;   // the link's mtime
};

struct Generations {
  std::vector<Generation> gens;        // by increasing number
  std::optional<GenerationNumber> current;  // what the profile points to, if a generation
};

// Lists the generations of `profile` (the profile need not exist). Throws SysError.
Generations findGenerations(const std::string& profile);

// Makes a new generation pointing at `outPath` (unless the newest generation already points
// there: then that one is returned) and registers it as a GC root. Returns its link path. The
// caller should hold the profile lock.
std::string createGeneration(LocalStore& store, const std::string& profile, const StorePath& outPath);

// Points `link` at `target` atomically; a target in the link's directory is made relative.
void switchLink(const std::string& link, std::string target);

// Switches to generation `dst`, or with none to the newest one older than the current. Prints
// "switching profile from version N to M" to `log`. Throws Error "profile version N does not
// exist" / "no profile version older than the current (N) exists". Takes the profile lock.
void switchGeneration(const std::string& profile, std::optional<GenerationNumber> dst, bool dryRun,
                      std::ostream& log);

// Deletes the given generations ("removing profile version N", or with dryRun "would remove
// ..."); unknown numbers are ignored. Throws Error "cannot delete current version of profile
// <profile>'" (sic, as Nix 2.8) if the current one is among them. Takes the profile lock.
void deleteGenerations(const std::string& profile, const std::set<GenerationNumber>& which, bool dryRun,
                       std::ostream& log);
// All generations but the current one.
void deleteOldGenerations(const std::string& profile, bool dryRun, std::ostream& log);
// Keeps the current generation and the `keep` - 1 newest others older than it ("+N"); newer
// generations than the current are kept. Throws UsageError for keep == 0.
void deleteGenerationsGreaterThan(const std::string& profile, GenerationNumber keep, bool dryRun,
                                  std::ostream& log);
// Deletes the generations older than `t`, keeping the newest of those (it was active at `t`)
// and the current one.
void deleteGenerationsOlderThan(const std::string& profile, time_t t, bool dryRun, std::ostream& log);
// "Nd" -> now - N days. Throws UsageError "invalid number of days specifier 'X'".
time_t parseOlderThanTimeSpec(const std::string& spec);

// The profile lock: a write lock on "<profile>.lock", waited for.
PathLocks lockProfile(const std::string& profile);
// The optimistic token: the profile link's text, "" if there is none.
std::string optimisticLockProfile(const std::string& profile);

// <stateDir>/profiles, or /per-user/<user> for a user other than root (created).
std::string profilesDir(const Settings& settings);
// Nix 2.8's getDefaultProfile: creates ~/.nix-profile -> <stateDir>/profiles/default (root) or
// .../per-user/<user>/profile if it does not exist, and returns what it points to (absolute).
std::string defaultProfile(const Settings& settings);

} // namespace nixpp
