#include "schedules/runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "store/memory_store.h"

namespace stator::schedules {
namespace {

constexpr int64_t kMinute = 60'000;

// A virtual clock shared by the fake hosts of several runners (nodes).
struct SharedClock {
  std::atomic<int64_t> now{0};
};

// Timers whose clock the test moves; due timers fire on the test's thread.
class FakeTimers : public Timers {
 public:
  explicit FakeTimers(SharedClock* clock) : clock_(clock) {}
  int64_t NowMillis() const override { return clock_->now.load(); }
  bool is_virtual() const override { return true; }
  Id AddTimer(int64_t due_ms, std::function<void()> fn) override {
    MutexLock lock(&mu_);
    timers_[next_] = {due_ms, std::move(fn)};
    return next_++;
  }
  void CancelTimer(Id id) override {
    MutexLock lock(&mu_);
    timers_.erase(id);
  }
  void Hold() override { held_.fetch_add(1); }
  void Release() override { held_.fetch_sub(1); }

  // Fires every timer due now; returns how many fired.
  int FireDue() {
    std::vector<std::function<void()>> due;
    {
      MutexLock lock(&mu_);
      for (auto it = timers_.begin(); it != timers_.end();) {
        if (it->second.first <= NowMillis()) {
          due.push_back(std::move(it->second.second));
          it = timers_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& fn : due) fn();
    return static_cast<int>(due.size());
  }
  std::optional<int64_t> Earliest() {
    MutexLock lock(&mu_);
    std::optional<int64_t> out;
    for (const auto& [id, t] : timers_) {
      if (!out || t.first < *out) out = t.first;
    }
    return out;
  }
  int held() const { return held_.load(); }

 private:
  SharedClock* const clock_;
  Mutex mu_;
  std::map<Id, std::pair<int64_t, std::function<void()>>> timers_ GUARDED_BY(mu_);
  Id next_ GUARDED_BY(mu_) = 1;
  std::atomic<int> held_{0};
};

class CountingTargets : public Targets {
 public:
  void Run(const std::string& arn, const std::string& payload,
           std::function<void(const std::string&)> done) override {
    {
      MutexLock lock(&mu_);
      runs_.push_back(payload);
    }
    done("");
  }
  std::vector<std::string> runs() {
    MutexLock lock(&mu_);
    return runs_;
  }

 private:
  Mutex mu_;
  std::vector<std::string> runs_ GUARDED_BY(mu_);
};

// Waits (with a deadline) until no firing is held on any of the timers.
void Settle(const std::vector<FakeTimers*>& timers) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (FakeTimers* t : timers) {
    while (t->held() != 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "a firing never finished";
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

// Waits until the runner has armed a timer (its thread reads the records at Start).
void WaitArmed(FakeTimers* t) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!t->Earliest()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no timer was armed";
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// The test steps the clock itself: no real-time pacing between firings.
Runner::Options Unpaced() {
  Runner::Options o;
  o.virtual_pacing_ms = 0;
  return o;
}

Schedule RateSchedule(const std::string& name, const std::string& expression) {
  Schedule s;
  s.name = name;
  s.expression = expression;
  s.target = json::Value::MakeObject(
      {{"Arn", json::Value::String("arn:aws:lambda:us-east-1:123456789012:function:f")},
       {"Input", json::Value::String("{\"n\":1}")}});
  return s;
}

TEST(RunnerTest, TwoNodesFireEachDueTimeOnce) {
  store::MemoryStore store;
  Catalog catalog(&store);
  Schedule s = RateSchedule("every-minute", "rate(1 minute)");
  ASSERT_TRUE(catalog.Create(s, FireState{kMinute, 0}).ok());
  SharedClock clock;
  FakeTimers t1(&clock), t2(&clock);
  CountingTargets targets;  // both nodes run the same targets: count every run
  Runner r1(&catalog, &t1, &targets, Unpaced()), r2(&catalog, &t2, &targets, Unpaced());
  r1.Start();
  r2.Start();
  WaitArmed(&t1);
  WaitArmed(&t2);
  for (int minute = 1; minute <= 10; ++minute) {
    clock.now = minute * kMinute;
    // Both nodes' timers come due; each waits for the firing it may have claimed.
    for (int round = 0; round < 3; ++round) {
      t1.FireDue();
      t2.FireDue();
      Settle({&t1, &t2});
    }
  }
  r1.Stop();
  r2.Stop();
  EXPECT_EQ(targets.runs().size(), 10u);
  auto text = catalog.FireText(s.key());
  ASSERT_TRUE(text.ok());
  FireState fire = FireState::Parse(*text);
  EXPECT_EQ(fire.count, 10);
  EXPECT_EQ(fire.next_ms, 11 * kMinute);
}

TEST(RunnerTest, MissedFiringsFireOnceThenKeepTheRhythm) {
  store::MemoryStore store;
  Catalog catalog(&store);
  Schedule s = RateSchedule("missed", "rate(1 minute)");
  ASSERT_TRUE(catalog.Create(s, FireState{kMinute, 0}).ok());
  SharedClock clock;
  clock.now = 10 * kMinute + 30'000;  // ten due times passed while nobody ran
  FakeTimers timers(&clock);
  CountingTargets targets;
  Runner runner(&catalog, &timers, &targets, Unpaced());
  runner.Start();
  WaitArmed(&timers);
  EXPECT_EQ(timers.FireDue(), 1);
  Settle({&timers});
  ASSERT_EQ(targets.runs().size(), 1u);
  EXPECT_EQ(targets.runs()[0], "{\"n\":1}");
  // The next timer is the next due time after now, on the schedule's rhythm.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (timers.Earliest() != 11 * kMinute) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  runner.Stop();
}

TEST(RunnerTest, VirtualTimeIsPacedInRealTime) {
  store::MemoryStore store;
  Catalog catalog(&store);
  Schedule s = RateSchedule("paced", "rate(1 minute)");
  ASSERT_TRUE(catalog.Create(s, FireState{kMinute, 0}).ok());
  SharedClock clock;
  FakeTimers timers(&clock);
  CountingTargets targets;
  Runner::Options o;
  o.virtual_pacing_ms = 60'000;  // far longer than this test runs
  Runner runner(&catalog, &timers, &targets, o);
  runner.Start();
  WaitArmed(&timers);
  clock.now = kMinute;
  EXPECT_EQ(timers.FireDue(), 1);
  Settle({&timers});
  ASSERT_EQ(targets.runs().size(), 1u);
  // The next firing comes due on the virtual clock at once, but waits for real time: the
  // clock is not held meanwhile and nothing is run.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (timers.Earliest() != 2 * kMinute) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  clock.now = 2 * kMinute;
  EXPECT_EQ(timers.FireDue(), 1);
  Settle({&timers});
  EXPECT_EQ(timers.held(), 0);
  EXPECT_EQ(targets.runs().size(), 1u);
  runner.Stop();
}

TEST(RunnerTest, DisabledAndDeletedSchedulesDoNotFire) {
  store::MemoryStore store;
  Catalog catalog(&store);
  Schedule off = RateSchedule("off", "rate(1 minute)");
  off.state = "DISABLED";
  ASSERT_TRUE(catalog.Create(off, FireState{kMinute, 0}).ok());
  Schedule gone = RateSchedule("gone", "rate(1 minute)");
  ASSERT_TRUE(catalog.Create(gone, FireState{kMinute, 0}).ok());
  SharedClock clock;
  FakeTimers timers(&clock);
  CountingTargets targets;
  Runner runner(&catalog, &timers, &targets, Unpaced());
  runner.Start();
  WaitArmed(&timers);  // "gone" only: "off" is disabled
  ASSERT_TRUE(catalog.Delete(gone.key()).ok());
  clock.now = 5 * kMinute;
  timers.FireDue();  // the stale timer of "gone" re-reads it and finds nothing
  Settle({&timers});
  runner.Stop();
  EXPECT_TRUE(targets.runs().empty());
}

}  // namespace
}  // namespace stator::schedules
