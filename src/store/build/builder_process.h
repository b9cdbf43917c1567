// store/build/builder_process.h: starting a builder process, with or without the Linux sandbox
// (store/build/sandbox_linux.h). The builder gets /dev/null as stdin, `logFd` as stdout and
// stderr, its own session, the given environment only, and `workDir` as cwd. If the builder
// cannot be started (or the sandbox set up), start throws Error with the reason, after reaping
// the child. The returned ChildProcess kills the builder's process group when destroyed.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sys/process.h"

namespace nixpp {

// The user a builder runs as (a build user from build-users-group), if not ourselves.
struct BuildUser {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> supplementaryGids;
};

struct BuilderSpec {
  std::string builder;  // path as the builder sees it
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string workDir;  // cwd as the builder sees it
  int logFd = -1;       // stdout and stderr
  std::optional<BuildUser> user;
};

// Starts the builder directly on the host (sandbox = false, or a __noChroot derivation in
// relaxed mode). Throws Error "executing '<builder>': <strerror>" if exec fails.
ChildProcess startPlainBuilder(const BuilderSpec& spec);

} // namespace nixpp
