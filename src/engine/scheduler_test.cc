#include "engine/scheduler.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace stator::engine {
namespace {

class Counter : public Runnable {
 public:
  void Run() override { ++runs; }
  int runs = 0;
};

TEST(Scheduler, RunsReadyWorkInOrderOnce) {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  auto a = std::make_shared<Counter>();
  s.Schedule(a);
  s.Schedule(a);
  EXPECT_TRUE(s.RunOnce());
  EXPECT_TRUE(s.RunOnce());
  EXPECT_FALSE(s.RunOnce());
  EXPECT_EQ(a->runs, 2);
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
  s.RunUntil([&] { return fired.size() == 2; });
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
  s.RunUntil([&] { return order.size() == 5; });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(Scheduler, SystemClockWaitsForWorkFromAnotherThread) {
  SystemClock clock;
  Scheduler s(&clock);
  auto a = std::make_shared<Counter>();
  std::thread t([&] { s.Schedule(a); });
  s.RunUntil([&] { return a->runs == 1; });
  t.join();
  EXPECT_EQ(a->runs, 1);
}

TEST(Scheduler, SystemClockTimerFires) {
  SystemClock clock;
  Scheduler s(&clock);
  bool fired = false;
  s.AddTimer(clock.NowMillis() + 5, [&] { fired = true; });
  s.RunUntil([&] { return fired; });
  EXPECT_TRUE(fired);
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
  s.RunUntil([&] {
    if (done->runs == 1 && !external) {
      external = true;
      EXPECT_FALSE(timer);
      EXPECT_EQ(clock.NowMillis(), 0);
    }
    return timer;
  });
  t.join();
  EXPECT_TRUE(external);
}

}  // namespace
}  // namespace stator::engine
