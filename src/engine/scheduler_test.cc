#include "engine/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/test_util.h"

namespace stator::engine {
namespace {

using testing::RunUntilOrFail;

class Counter : public Runnable {
 public:
  void Run() override { ++runs; }
  int runs = 0;
};

// Appends its name to a shared log each time it runs.
class Recorder : public Runnable {
 public:
  Recorder(std::string name, std::vector<std::string>* log) : name_(std::move(name)), log_(log) {}
  void Run() override { log_->push_back(name_); }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

TEST(Scheduler, RunsReadyWorkInOrderOnce) {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  std::vector<std::string> log;
  auto a = std::make_shared<Recorder>("a", &log);
  auto b = std::make_shared<Recorder>("b", &log);
  s.Schedule(a);
  s.Schedule(b);
  s.Schedule(a);
  EXPECT_TRUE(s.RunOnce());
  EXPECT_TRUE(s.RunOnce());
  EXPECT_TRUE(s.RunOnce());
  EXPECT_FALSE(s.RunOnce());
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "a"}));
}

TEST(Scheduler, VirtualClockJumpsToTimersInOrderAndSkipsCancelled) {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  std::vector<std::pair<int, int64_t>> fired;
  s.AddTimer(5000, [&] { fired.push_back({5, clock.NowMillis()}); });
  auto cancelled = s.AddTimer(2000, [&] { fired.push_back({2, clock.NowMillis()}); });
  s.AddTimer(3000, [&] { fired.push_back({3, clock.NowMillis()}); });
  s.CancelTimer(cancelled);
  EXPECT_EQ(s.NextTimerDue(), 3000);
  ASSERT_TRUE(RunUntilOrFail(
      s, [&] { return fired.size() == 2; }, "two timers fired"));
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(3, int64_t{3000}));
  EXPECT_EQ(fired[1], std::make_pair(5, int64_t{5000}));
  EXPECT_FALSE(s.NextTimerDue().has_value());
}

TEST(Scheduler, TimersDueAtTheSameTimeFireInCreationOrder) {
  VirtualClock clock(0);
  Scheduler s(&clock);
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) s.AddTimer(10, [&order, i] { order.push_back(i); });
  ASSERT_TRUE(RunUntilOrFail(
      s, [&] { return order.size() == 5; }, "five timers fired"));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(clock.NowMillis(), 10);
}

TEST(Scheduler, SystemClockWaitsForWorkFromAnotherThread) {
  SystemClock clock;
  Scheduler s(&clock);
  auto a = std::make_shared<Counter>();
  std::thread t([&] { s.Schedule(a); });
  const bool ran = RunUntilOrFail(
      s, [&] { return a->runs == 1; }, "work from another thread ran");
  t.join();
  EXPECT_TRUE(ran);
  EXPECT_FALSE(s.RunOnce());  // it ran once, and nothing else is queued
  EXPECT_EQ(a->runs, 1);
}

TEST(Scheduler, SystemClockTimerFiresWhenDueNotBefore) {
  SystemClock clock;
  Scheduler s(&clock);
  const int64_t due = clock.NowMillis() + 5;
  int64_t fired_at = 0;
  s.AddTimer(due, [&] { fired_at = clock.NowMillis(); });
  ASSERT_TRUE(RunUntilOrFail(
      s, [&] { return fired_at != 0; }, "the timer fired"));
  EXPECT_GE(fired_at, due);
}

TEST(Scheduler, VirtualTimeWaitsForExternalWorkBeforeJumping) {
  VirtualClock clock(0);
  Scheduler s(&clock, /*virtual_grace_millis=*/5000);
  bool timer = false;
  bool external = false;
  s.AddTimer(60000, [&] { timer = true; });
  s.ExternalStarted();
  auto done = std::make_shared<Counter>();
  std::thread t([&] {
    s.Schedule(done);
    s.ExternalFinished();
  });
  const bool reached = RunUntilOrFail(
      s,
      [&] {
        if (done->runs == 1 && !external) {
          external = true;
          EXPECT_FALSE(timer);
          EXPECT_EQ(clock.NowMillis(), 0);
        }
        return timer;
      },
      "the external work ran, then the timer fired");
  t.join();
  EXPECT_TRUE(reached);
  EXPECT_TRUE(external);
  EXPECT_EQ(clock.NowMillis(), 60000);
}

}  // namespace
}  // namespace stator::engine
