// InstancePool's decisions, without processes: a fake Host records what the pool asks of it.
#include "functions/instance_pool.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace stator::functions {
namespace {

using Id = InstancePool::Id;
using State = InstancePool::State;

class FakeHost : public InstancePool::Host {
 public:
  Status StartInstance(Id id, bool spare) override {
    if (start_failures > 0) {
      --start_failures;
      return Error{"ServiceException", "cannot start the function's runtime: test"};
    }
    started.emplace_back(id, spare);
    return Status::Ok();
  }
  void Dispatch(Id id, const Call& call) override { dispatched.emplace_back(id, call.inv.payload); }
  void StopInstance(Id id, bool kill) override { stopped.emplace_back(id, kill); }
  void TimedOut(Id id, Call call, int64_t started_us, Completions* done) override {
    timed_out.emplace_back(id, started_us);
    InvocationResult r;
    r.timed_out = true;
    r.payload = call.inv.payload;
    done->emplace_back(std::move(call.done), std::move(r));
  }
  bool CanStartSpares() const override { return can_start_spares; }
  int64_t NowUs() const override { return now; }

  int64_t now = 1000;
  bool can_start_spares = true;
  int start_failures = 0;                              // the next StartInstance calls that fail
  std::vector<std::pair<Id, bool>> started;            // id, spare
  std::vector<std::pair<Id, std::string>> dispatched;  // id, payload
  std::vector<std::pair<Id, bool>> stopped;            // id, kill
  std::vector<std::pair<Id, int64_t>> timed_out;       // id, started_us
};

class InstancePoolTest : public ::testing::Test {
 protected:
  InstancePool& Pool(size_t concurrency, size_t spares, size_t max_queued = 100) {
    InstancePool::Limits limits;
    limits.concurrency = concurrency;
    limits.spares = spares;
    limits.max_queued = max_queued;
    limits.timeout_us = 5000;
    pool_ = std::make_unique<InstancePool>(limits, &host_, host_.now);
    return *pool_;
  }

  // A call whose result lands in results_[payload].
  Call NewCall(const std::string& payload, bool queue = false) {
    Call c;
    c.inv.payload = payload;
    c.inv.queue_when_busy = queue;
    c.done = [this, payload](Result<InvocationResult> r) { results_.emplace(payload, r); };
    return c;
  }

  void Submit(const std::string& payload, bool queue = false) {
    Completions done;
    pool_->Submit(NewCall(payload, queue), &done);
    Run(&done);
  }

  void Run(Completions* done) {
    for (auto& [cb, r] : *done) cb(std::move(r));
    done->clear();
  }

  // Instance id answers its call (as the runtime does: the callback first, then the pool).
  void Answer(Id id, bool remove = false) {
    Call* call = pool_->RunningCall(id);
    ASSERT_NE(call, nullptr) << "instance " << id << " is not busy";
    InvocationResult r;
    r.payload = call->inv.payload;
    Completions done;
    done.emplace_back(std::move(call->done), std::move(r));
    pool_->Answered(id, remove, &done);
    Run(&done);
  }

  void Ready(Id id) {
    Completions done;
    pool_->Ready(id, &done);
    Run(&done);
  }

  State StateOf(Id id) {
    const InstancePool::Slot* s = pool_->Find(id);
    EXPECT_NE(s, nullptr) << "no instance " << id;
    return s ? s->state : State::kStarting;
  }

  std::string ErrorOf(const std::string& payload) {
    auto it = results_.find(payload);
    if (it == results_.end()) return "no result";
    return it->second.ok() ? "ok" : it->second.error().error + ": " + it->second.error().cause;
  }

  FakeHost host_;
  std::unique_ptr<InstancePool> pool_;
  std::multimap<std::string, Result<InvocationResult>> results_;
};

TEST_F(InstancePoolTest, FirstCallStartsAnInstanceAndRunsOnItWhenReady) {
  Pool(2, 1);
  host_.can_start_spares = false;  // the zygote is still starting
  Submit("a");
  ASSERT_EQ(host_.started, (std::vector<std::pair<Id, bool>>{{1, false}}));
  EXPECT_TRUE(host_.dispatched.empty());
  EXPECT_EQ(pool_->waiting(), 1u);
  host_.can_start_spares = true;
  Ready(1);
  EXPECT_EQ(host_.dispatched, (std::vector<std::pair<Id, std::string>>{{1, "a"}}));
  EXPECT_EQ(StateOf(1), State::kBusy);
  // The call took the only instance: a spare is started at once.
  EXPECT_EQ(host_.started, (std::vector<std::pair<Id, bool>>{{1, false}, {2, true}}));
  Answer(1);
  EXPECT_EQ(ErrorOf("a"), "ok");
  EXPECT_EQ(StateOf(1), State::kIdle);
  // Warm: the next call runs on the first idle instance, without waiting or starting one.
  Submit("b");
  EXPECT_EQ(host_.dispatched.back(), (std::pair<Id, std::string>{1, "b"}));
  EXPECT_EQ(host_.started.size(), 2u);  // the spare is still starting: no third
}

TEST_F(InstancePoolTest, ThrottlesBeyondTheConcurrencyUnlessTheCallQueues) {
  Pool(2, 0);
  Submit("a");
  Submit("b");
  ASSERT_EQ(host_.started.size(), 2u);
  Ready(1);
  Ready(2);
  EXPECT_EQ(StateOf(1), State::kBusy);
  EXPECT_EQ(StateOf(2), State::kBusy);
  Submit("c");
  EXPECT_EQ(ErrorOf("c"), "TooManyRequestsException: Rate Exceeded.");
  Submit("d", /*queue=*/true);
  EXPECT_EQ(results_.count("d"), 0u);
  EXPECT_EQ(pool_->waiting(), 1u);
  EXPECT_EQ(host_.started.size(), 2u);  // at the concurrency: no third instance
  Answer(2);
  EXPECT_EQ(host_.dispatched.back(), (std::pair<Id, std::string>{2, "d"}));
  EXPECT_EQ(pool_->waiting(), 0u);
}

TEST_F(InstancePoolTest, ACallThatMustNotQueueCountsTheWaitingOnes) {
  Pool(2, 0);
  Submit("a");  // waiting for instance 1
  Submit("b");  // waiting for instance 2
  Submit("c");
  EXPECT_EQ(ErrorOf("c"), "TooManyRequestsException: Rate Exceeded.");
}

TEST_F(InstancePoolTest, QueuedCallsAreThrottledPastMaxQueued) {
  Pool(1, 0, /*max_queued=*/2);
  Submit("a", true);
  Submit("b", true);
  Submit("c", true);
  EXPECT_EQ(pool_->waiting(), 2u);
  EXPECT_EQ(ErrorOf("c"), "TooManyRequestsException: Rate Exceeded.");
}

TEST_F(InstancePoolTest, SparesStayWithinTheConcurrencyAndOnlyWhileACallRuns) {
  Pool(3, 2);
  Submit("a");
  Ready(1);  // busy: two spares
  EXPECT_EQ(host_.started, (std::vector<std::pair<Id, bool>>{{1, false}, {2, true}, {3, true}}));
  Ready(2);
  Ready(3);
  Submit("b");  // on 2: instance 3 is the only free one, the concurrency allows no more
  EXPECT_EQ(host_.dispatched.back().first, 2u);
  EXPECT_EQ(host_.started.size(), 3u);
  // Nothing running: no spares are started for an idle pool.
  Pool(3, 2);
  host_.started.clear();
  Submit("c");
  EXPECT_EQ(host_.started.size(), 1u);
}

TEST_F(InstancePoolTest, NoSparesWhenTheRuntimeCannotForkThem) {
  Pool(3, 1);
  host_.can_start_spares = false;
  Submit("a");
  Ready(1);
  EXPECT_EQ(host_.started.size(), 1u);
}

TEST_F(InstancePoolTest, InstancesExitingAsTheyStartFailTheWaitingCalls) {
  Pool(1, 0);
  Submit("a", true);
  Submit("b", true);
  for (Id id = 1; id <= 3; ++id) {
    ASSERT_EQ(host_.started.size(), id);
    Completions done;
    pool_->Lost(id, &done);  // exited before it was ready
    Run(&done);
    EXPECT_EQ(host_.stopped.back(), (std::pair<Id, bool>{id, true}));
  }
  EXPECT_EQ(ErrorOf("a"), "ServiceException: the function's runtime instances exit as they start");
  EXPECT_EQ(ErrorOf("b"), "ServiceException: the function's runtime instances exit as they start");
  EXPECT_EQ(host_.started.size(), 3u);
}

TEST_F(InstancePoolTest, InstancesLostWithTheirZygoteOrBeforeANewOneDoNotCount) {
  Pool(1, 0);
  Submit("a", true);
  // Three starting instances die with their zygote: they say nothing of the next one's.
  for (Id id = 1; id <= 3; ++id) {
    ASSERT_EQ(host_.started.size(), id);
    Completions done;
    pool_->Lost(id, &done, /*with_its_zygote=*/true);
    Run(&done);
  }
  // Two that exit as they start, then a new zygote is ready: the count starts again.
  for (Id id = 4; id <= 5; ++id) {
    ASSERT_EQ(host_.started.size(), id);
    Completions done;
    pool_->Lost(id, &done);
    Run(&done);
  }
  pool_->ZygoteReady();
  Completions done;
  pool_->Lost(6, &done);
  Run(&done);
  EXPECT_EQ(ErrorOf("a"), "no result") << "the call still waits for an instance";
  ASSERT_EQ(host_.started.size(), 7u);
  Ready(7);
  EXPECT_EQ(host_.dispatched, (std::vector<std::pair<Id, std::string>>{{7, "a"}}));
}

TEST_F(InstancePoolTest, ASuccessfulCallResetsTheCountOfInstancesThatExitAsTheyStart) {
  Pool(1, 0);
  Submit("a", true);
  for (Id id = 1; id <= 2; ++id) {
    Completions done;
    pool_->Lost(id, &done);
    Run(&done);
  }
  Ready(3);
  Answer(3, /*remove=*/true);
  EXPECT_EQ(ErrorOf("a"), "ok");
  Submit("b", true);
  for (Id id = 4; id <= 5; ++id) {
    Completions done;
    pool_->Lost(id, &done);
    Run(&done);
  }
  EXPECT_EQ(results_.count("b"), 0u);  // two in a row since the success: still trying
  EXPECT_EQ(host_.started.back().first, 6u);
}

TEST_F(InstancePoolTest, AStartFailureFailsTheCallsNothingElseWillServe) {
  Pool(2, 0);
  host_.start_failures = 1;
  Submit("a");
  EXPECT_EQ(ErrorOf("a"), "ServiceException: cannot start the function's runtime: test");
  EXPECT_TRUE(pool_->empty());
  // With an instance running, a waiting call waits for it instead.
  Submit("b");
  ASSERT_EQ(host_.started.size(), 1u);
  Id id = host_.started[0].first;
  Ready(id);
  host_.start_failures = 1;
  Submit("c", true);
  EXPECT_EQ(results_.count("c"), 0u);
  EXPECT_EQ(pool_->waiting(), 1u);
  Answer(id);
  EXPECT_EQ(host_.dispatched.back(), (std::pair<Id, std::string>{id, "c"}));
}

TEST_F(InstancePoolTest, ExpireTimesOutBusyInstancesAndReapsIdleOnes) {
  Pool(3, 0);
  Submit("a");
  Submit("b");
  Ready(1);
  Ready(2);
  Answer(2);  // idle since now = 1000
  host_.now = 3000;
  Completions done;
  // Instance 1 runs until 1000 + 5000; instance 2 has been idle 2000 µs.
  EXPECT_EQ(pool_->Expire(/*idle_us=*/5000, /*horizon=*/100000, &done), 6000);
  EXPECT_TRUE(host_.stopped.empty());
  host_.now = 6000;
  EXPECT_EQ(pool_->Expire(5000, 100000, &done), 100000);
  Run(&done);
  EXPECT_EQ(host_.timed_out, (std::vector<std::pair<Id, int64_t>>{{1, 1000}}));
  EXPECT_EQ(ErrorOf("a"), "ok");  // answered by the host's TimedOut
  EXPECT_TRUE(results_.find("a")->second->timed_out);
  EXPECT_EQ(host_.stopped, (std::vector<std::pair<Id, bool>>{{1, true}, {2, false}}));
  EXPECT_TRUE(pool_->empty());
}

TEST_F(InstancePoolTest, ARetiredPoolStopsIdleInstancesAndKeepsNoSpares) {
  Pool(3, 1);
  Submit("a");
  Ready(1);
  ASSERT_EQ(host_.started.size(), 2u);  // 2 is the spare
  Ready(2);
  pool_->Retire();
  Completions done;
  pool_->Settle(&done);
  EXPECT_EQ(host_.stopped, (std::vector<std::pair<Id, bool>>{{2, false}}));
  Answer(1);  // the running call finishes, then its instance goes too
  EXPECT_EQ(ErrorOf("a"), "ok");
  EXPECT_EQ(host_.stopped.back(), (std::pair<Id, bool>{1, false}));
  EXPECT_TRUE(pool_->empty());
  EXPECT_EQ(host_.started.size(), 2u);
}

TEST_F(InstancePoolTest, AFatalAnswerReplacesTheInstance) {
  Pool(1, 0);
  Submit("a");
  Ready(1);
  Submit("b", true);
  Answer(1, /*remove=*/true);
  EXPECT_EQ(host_.stopped, (std::vector<std::pair<Id, bool>>{{1, true}}));
  EXPECT_EQ(host_.started.back(), (std::pair<Id, bool>{2, false}));  // for the waiting call
  Ready(2);
  EXPECT_EQ(host_.dispatched.back(), (std::pair<Id, std::string>{2, "b"}));
}

TEST_F(InstancePoolTest, FailStartingHandsBackTheWaitingCalls) {
  Pool(2, 0);
  Submit("a");
  Ready(1);
  Submit("b", true);  // starts instance 2
  ASSERT_EQ(StateOf(2), State::kStarting);
  std::deque<Call> waiting = pool_->FailStarting();
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting.front().inv.payload, "b");
  EXPECT_EQ(host_.stopped, (std::vector<std::pair<Id, bool>>{{2, true}}));
  EXPECT_EQ(StateOf(1), State::kBusy);  // the running call is not affected
}

TEST_F(InstancePoolTest, ShutdownAnswersEveryCall) {
  Pool(1, 0);
  Submit("a");
  Ready(1);
  Submit("b", true);
  Completions done;
  pool_->Shutdown(Error{"ServiceException", "the server is shutting down"}, &done);
  Run(&done);
  EXPECT_EQ(ErrorOf("a"), "ServiceException: the server is shutting down");
  EXPECT_EQ(ErrorOf("b"), "ServiceException: the server is shutting down");
  EXPECT_EQ(host_.stopped, (std::vector<std::pair<Id, bool>>{{1, true}}));
  EXPECT_TRUE(pool_->empty());
  EXPECT_EQ(pool_->waiting(), 0u);
}

TEST_F(InstancePoolTest, DispatchRecordsTheDeadlineAndTheLastActivity) {
  Pool(1, 0);
  host_.now = 7000;
  Submit("a");
  Ready(1);
  const InstancePool::Slot* s = pool_->Find(1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->started_us, 7000);
  EXPECT_EQ(s->deadline_us, 12000);
  EXPECT_EQ(pool_->last_active_us(), 7000);
  EXPECT_EQ(pool_->NextDeadline(100000), 12000);
  EXPECT_EQ(pool_->NextDeadline(9000), 9000);
}

}  // namespace
}  // namespace stator::functions
