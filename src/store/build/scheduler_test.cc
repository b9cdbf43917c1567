// The scheduler against fake builds: each job is a pipe whose write end the test controls.
#include "store/build/scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "sys/process.h"
#include "util/error.h"

namespace nixpp {
namespace {

StorePath node(char c) { return StorePath::parse(std::string(32, c) + "-n.drv"); }

// A job that has already written its output and closed: EOF is immediate.
class FakeJob : public RunningJob {
public:
  FakeJob(bool ok, std::string* log) : ok_(ok), log_(log), pipe_(Pipe::create()) {
    writeFull(pipe_.writeSide.get(), "out");
    pipe_.writeSide.close();
  }
  int fd() const override { return pipe_.readSide.get(); }
  void handleOutput(std::string_view d) override { *log_ += d; }
  void finish() override {
    if (!ok_) throw Error("fake failure");
  }

private:
  bool ok_;
  std::string* log_;
  Pipe pipe_;
};

TEST(Scheduler, BuildsInDependencyOrder) {
  std::map<StorePath, std::set<StorePath>> deps{{node('a'), {node('b')}}, {node('b'), {node('c')}}, {node('c'), {}}};
  std::vector<StorePath> order;
  std::string log;
  auto res = runSchedule(deps, [&](const StorePath& n) {
    order.push_back(n);
    return JobStart{JobStart::Status::started, std::make_unique<FakeJob>(true, &log)};
  }, {2, false}, {});
  EXPECT_TRUE(res.ok());
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0], node('c'));
  EXPECT_EQ(order[2], node('a'));
  EXPECT_EQ(log, "outoutout");
}

TEST(Scheduler, FailureStopsDependentsAndKeepGoingContinues) {
  std::map<StorePath, std::set<StorePath>> deps{{node('a'), {node('b')}}, {node('b'), {}}, {node('c'), {}}};
  for (bool keepGoing : {false, true}) {
    std::set<StorePath> started;
    std::string log;
    int reported = 0;
    auto res = runSchedule(deps, [&](const StorePath& n) {
      started.insert(n);
      return JobStart{JobStart::Status::started, std::make_unique<FakeJob>(n != node('b'), &log)};
    }, {1, keepGoing}, [&](const StorePath&, std::exception_ptr) { ++reported; });
    EXPECT_FALSE(res.ok());
    EXPECT_EQ(reported, 1);
    EXPECT_FALSE(started.count(node('a')));          // its input failed
    EXPECT_TRUE(res.failed.count(node('a')));
    EXPECT_EQ(started.count(node('c')) == 1, keepGoing);  // b sorts first; c only with -k
  }
}

TEST(Scheduler, DoneNodesAndMaxJobsZero) {
  std::map<StorePath, std::set<StorePath>> deps{{node('a'), {node('b')}}, {node('b'), {}}};
  std::string log;
  auto res = runSchedule(deps, [&](const StorePath& n) {
    if (n == node('b')) return JobStart{JobStart::Status::done, nullptr};
    return JobStart{JobStart::Status::started, std::make_unique<FakeJob>(true, &log)};
  }, {1, false}, {});
  EXPECT_TRUE(res.ok());
  EXPECT_EQ(log, "out");
  EXPECT_THROW(runSchedule(deps, {}, {0, false}, {}), Error);
}

} // namespace
} // namespace nixpp
