// store/build/sandbox_linux.h: the Linux build sandbox, as Nix 2.8 builds it. The builder runs
// as PID 1 of new user, mount, pid, ipc and uts namespaces (and network, unless the derivation is
// fixed-output), inside a root directory holding only:
//   <storeDir>/...   the closure of the declared inputs, bind-mounted read-only; the store dir
//                    itself is writable so the builder can create its outputs there
//   /build           the build directory (sandbox-build-dir)
//   /dev             null zero full random urandom tty, ptmx + a private pts, shm, fd/std* links
//   /proc            a fresh procfs of the pid namespace
//   /etc             passwd and group naming the build user (nixbld, uid 1000, gid 100),
//                    hosts (127.0.0.1 localhost), or the host's hosts/resolv.conf/services for
//                    fixed-output derivations
//   sandbox-paths    whatever the settings add ("/inside=/outside", "/path", "/path?" optional)
// with hostname "localhost", the loopback interface up, and a seccomp filter refusing setuid /
// setgid modes (EPERM) and extended attributes (ENOTSUP).
// That tree is a tmpfs of the builder's mount namespace, mounted over spec.root (nothing of it is
// written to disk; it vanishes with the namespace), except the store dir, which is the real
// directory <root><storeDir> mounted back in: outputs are made there, on the store's file
// system, and renamed into the store. prepareSandboxRoot creates that directory (a directory
// beside the store paths); the caller removes it. A crash leaves it behind ("<drv>.chroot"); it
// is deleted before the next build of the same derivation.
#pragma once

#include <map>
#include <set>
#include <string>

#include "store/build/builder_process.h"
#include "sys/process.h"

namespace nixpp {

inline constexpr uid_t sandboxUid = 1000;
inline constexpr gid_t sandboxGid = 100;

struct SandboxSpec {
  std::string root;                                // the real directory that becomes "/"
  std::string storeDir;                            // logical store dir, e.g. /nix/store
  std::map<std::string, std::string> bindMounts;   // inside -> outside
  std::map<std::string, bool> bindReadOnly;        // inside -> mounted read-only
  std::map<std::string, bool> bindOptional;        // inside -> skip if the source is missing
  bool privateNetwork = true;                      // false for fixed-output derivations
  uid_t hostUid = 0;                               // who the builder is outside (mapped to 1000)
  gid_t hostGid = 0;
};

// Creates spec.root and in it the real store dir (mode 01775, owned by the builder). The rest of
// the tree is made by startSandboxedBuilder in the builder's namespaces. Throws SysError.
void prepareSandboxRoot(const SandboxSpec& spec);

// Starts the builder in the sandbox (the BuilderSpec's paths are as seen inside). Throws Error
// with the reason if the namespaces or mounts cannot be set up or exec fails.
ChildProcess startSandboxedBuilder(const BuilderSpec& builder, const SandboxSpec& sandbox);

// Whether this system lets us create the namespaces the sandbox needs (tried once, in a child).
bool sandboxAvailable();

// Parses sandbox-paths entries into spec.bindMounts / bindOptional. Throws Error for a relative path.
void addSandboxPaths(SandboxSpec& spec, const std::set<std::string>& entries);

} // namespace nixpp
