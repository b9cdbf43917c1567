// store/build/scheduler.h: runs a graph of builds in dependency order, independent ones in
// parallel up to max-jobs, multiplexing their logs with poll(2) in one thread. It knows nothing
// of derivations or the file system: a JobStarter starts one build and hands back a RunningJob,
// so the scheduler is tested against fake builders. A job whose start is refused as busy (its
// outputs locked by another process) is retried a little later; with keep-going, a failure only
// stops the builds that depend on it, else no new build starts and the running ones are killed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "format/store_path.h"

namespace nixpp {

// A build that has started: its output is read from fd() until EOF, then finish() is called.
class RunningJob {
public:
  virtual ~RunningJob() = default;  // kills the build if still running
  virtual int fd() const = 0;
  virtual void handleOutput(std::string_view data) = 0;
  // Waits for the builder and registers the outputs. Throws (BuildError...) on failure.
  virtual void finish() = 0;
};

struct JobStart {
  enum class Status { started, done, busy } status;
  std::unique_ptr<RunningJob> job;  // when started
};

// Starts the build of one node; may throw (a failure before the builder runs).
using JobStarter = std::function<JobStart(const StorePath& node)>;

struct SchedulerOptions {
  uint64_t maxJobs = 1;
  bool keepGoing = false;
};

// What happened to each node that did not succeed: its error (an exception), or, for nodes not
// built because an input failed, nullptr.
struct ScheduleResult {
  std::map<StorePath, std::exception_ptr> failed;
  bool ok() const { return failed.empty(); }
};

// Builds every node of `deps` (node -> the nodes it needs, all keys of `deps`). `onFailure` is
// called as each failure happens (to print it). Throws Error "unable to start any build; either
// increase '--max-jobs' or enable remote builds" if maxJobs is 0 and there is work.
ScheduleResult runSchedule(const std::map<StorePath, std::set<StorePath>>& deps, const JobStarter& start,
                           const SchedulerOptions& opts,
                           const std::function<void(const StorePath&, std::exception_ptr)>& onFailure);

} // namespace nixpp
