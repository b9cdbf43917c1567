// store/gc_roots.h: registering garbage-collector roots in a local store, as Nix lays them out:
//   <stateDir>/gcroots/...                 direct roots (symlinks to store paths, or directories
//                                          of them, e.g. gcroots/profiles -> ../profiles)
//   <stateDir>/gcroots/auto/<sha1 base32 of the link's path>
//                                          indirect roots: a symlink to a symlink elsewhere
//                                          (`result`, --add-root) that points into the store.
// The collector (store/gc*) follows the auto links; a dangling one (its link deleted by the
// user) is simply no root. Every link is made by symlink + rename, so a crash leaves the old
// link or the new one, never none (at worst a stray "<link>.tmp-<pid>").
#pragma once

#include <string>

#include "format/store_path.h"

namespace nixpp {

class LocalStore;

// The indirect-root link for `link` (an absolute, canonical path):
// <stateDir>/gcroots/auto/<nix-base32 of sha1(link)>.
std::string indirectRootLinkOf(const std::string& stateDir, const std::string& link);

// Nix's addIndirectRoot: makes the auto link for `link` (made absolute and canonical), creating
// gcroots/auto if needed. Throws SysError.
void addIndirectRoot(const std::string& stateDir, const std::string& link);

// Nix's addPermRoot: makes `gcRoot` (relative to the current directory) a symlink to
// `target` (a store path as printed, e.g. "/nix/store/...-hello") and registers it as an
// indirect root. Returns `gcRoot` made absolute and canonical. Throws Error "creating a garbage
// collector root (...) in the Nix store is forbidden ..." if gcRoot lies in the store, and
// "cannot create symlink '...'; already exists" if gcRoot exists and is not a symlink into the
// store (an existing link into the store is replaced atomically).
std::string addPermRoot(const std::string& stateDir, const StoreDir& storeDir, const std::string& target,
                        const std::string& gcRoot);

// The same for a local store: the root goes into the store's state directory (under the root of
// a chroot store), the link says the path as the store prints it.
std::string addPermRoot(LocalStore& store, const StorePath& path, const std::string& gcRoot);

// Replaces (or creates) the symlink `link` -> `target` atomically (symlink to a temporary
// name, then rename). Throws SysError.
void replaceSymlink(const std::string& target, const std::string& link);

} // namespace nixpp
