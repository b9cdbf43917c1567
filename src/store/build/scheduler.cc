#include "store/build/scheduler.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "util/error.h"

namespace nixpp {

ScheduleResult runSchedule(const std::map<StorePath, std::set<StorePath>>& deps, const JobStarter& start,
                           const SchedulerOptions& opts,
                           const std::function<void(const StorePath&, std::exception_ptr)>& onFailure) {
  ScheduleResult res;
  if (deps.empty()) return res;
  if (opts.maxJobs == 0)
    throw Error("unable to start any build; either increase '--max-jobs' or enable remote builds");

  std::set<StorePath> pending, done;
  for (auto& [n, _] : deps) pending.insert(n);
  std::map<StorePath, std::unique_ptr<RunningJob>> running;
  bool stop = false;

  auto fail = [&](const StorePath& n, std::exception_ptr e) {
    res.failed[n] = e;
    if (e && onFailure) onFailure(n, e);
    if (!opts.keepGoing) stop = true;
  };

  while (true) {
    // Nodes whose inputs failed can never be built.
    for (bool changed = true; changed;) {
      changed = false;
      for (auto it = pending.begin(); it != pending.end();) {
        bool depFailed = false;
        for (auto& d : deps.at(*it))
          if (res.failed.count(d)) depFailed = true;
        if (depFailed) {
          res.failed[*it] = nullptr;
          it = pending.erase(it);
          changed = true;
        } else {
          ++it;
        }
      }
    }
    if (stop) {
      running.clear();  // kills them
      for (auto& n : pending) res.failed.emplace(n, nullptr);
      return res;
    }

    bool busy = false, progress = false;
    for (auto it = pending.begin(); it != pending.end() && running.size() < opts.maxJobs;) {
      bool ready = true;
      for (auto& d : deps.at(*it))
        if (!done.count(d)) ready = false;
      if (!ready) {
        ++it;
        continue;
      }
      StorePath n = *it;
      JobStart s{JobStart::Status::busy, nullptr};
      try {
        s = start(n);
      } catch (...) {
        it = pending.erase(it);
        fail(n, std::current_exception());
        continue;
      }
      if (s.status == JobStart::Status::busy) {
        busy = true;
        ++it;
        continue;
      }
      it = pending.erase(it);
      if (s.status == JobStart::Status::done) {
        done.insert(n);
        progress = true;  // its dependents may be ready now
      } else running.emplace(n, std::move(s.job));
    }
    if (stop || progress) continue;
    if (running.empty()) {
      if (pending.empty()) return res;
      if (!busy) {  // cannot happen with a well-formed graph
        for (auto& n : pending) res.failed.emplace(n, nullptr);
        return res;
      }
      ::usleep(100 * 1000);
      continue;
    }

    std::vector<pollfd> fds;
    std::vector<StorePath> who;
    for (auto& [n, job] : running) {
      fds.push_back({job->fd(), POLLIN, 0});
      who.push_back(n);
    }
    int r = ::poll(fds.data(), fds.size(), busy ? 100 : -1);
    if (r == -1) {
      if (errno == EINTR) continue;
      throw SysError(errno, "waiting for build output");
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      auto& job = running.at(who[i]);
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n == -1 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n > 0) {
        job->handleOutput(std::string_view(buf, n));
        continue;
      }
      try {
        job->finish();
        done.insert(who[i]);
      } catch (...) {
        fail(who[i], std::current_exception());
      }
      running.erase(who[i]);
    }
  }
}

} // namespace nixpp
