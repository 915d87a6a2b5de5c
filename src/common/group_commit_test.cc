// GroupCommit<Batch>: ordering, batching, the sticky error, every waiter answered (also at
// destruction), concurrency. The commit function here records batches and can be held (to make
// the next batch grow deterministically) or made to fail.
#include "common/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace stator {
namespace {

using namespace std::chrono_literals;

// One item: (appender, index); an Append may add several parts of one item.
struct Part {
  int item;
  int part;
  bool operator==(const Part&) const = default;
};
using Batch = std::vector<Part>;

// The commit function's side: what was committed, and controls.
class Log {
 public:
  // Commit number `n` (1-based) fails; 0: none does.
  explicit Log(int fail_at = 0) : fail_at_(fail_at) {}

  Status Commit(const Batch& batch) {
    std::unique_lock lock(mu_);
    const int n = ++calls_;
    entered_cv_.notify_all();
    released_cv_.wait(lock, [&] { return !hold_; });
    if (n == fail_at_) return Error{"test.Failure", "commit " + std::to_string(n) + " failed"};
    batches_.push_back(batch);
    return Status::Ok();
  }

  // Holds every commit until Release; WaitForCall(n) returns once commit n has been entered.
  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      hold_ = false;
    }
    released_cv_.notify_all();
  }
  void WaitForCall(int n) {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(entered_cv_.wait_for(lock, 30s, [&] { return calls_ >= n; }))
        << "commit " << n << " never came";
  }

  std::vector<Batch> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<Part> all() {
    std::vector<Part> out;
    for (const Batch& b : batches()) out.insert(out.end(), b.begin(), b.end());
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable entered_cv_;
  std::condition_variable released_cv_;
  const int fail_at_;
  int calls_ = 0;
  bool hold_ = false;
  std::vector<Batch> batches_;
};

std::unique_ptr<GroupCommit<Batch>> Make(Log* log) {
  return std::make_unique<GroupCommit<Batch>>("test",
                                              [log](const Batch& b) { return log->Commit(b); });
}

// Appends item `item` with `parts` parts.
uint64_t AppendItem(GroupCommit<Batch>* gc, int item, int parts = 1,
                    GroupCommit<Batch>::Done done = nullptr) {
  return gc->Append(
      [&](Batch& b) {
        for (int p = 0; p < parts; ++p) b.push_back({item, p});
      },
      std::move(done));
}

// A waiter's answer, awaited from the test thread.
class Answer {
 public:
  GroupCommit<Batch>::Done Callback() {
    return [p = promise_](const Status& s) { p->set_value(s); };
  }
  // The status, or nullopt if none came within `wait`.
  std::optional<Status> Get(std::chrono::milliseconds wait = 30s) {
    if (future_.wait_for(wait) != std::future_status::ready) return std::nullopt;
    return future_.get();
  }

 private:
  std::shared_ptr<std::promise<Status>> promise_ = std::make_shared<std::promise<Status>>();
  std::future<Status> future_ = promise_->get_future();
};

TEST(GroupCommitTest, LoneItemIsCommittedWithoutWaitingForCompany) {
  Log log;
  auto gc = Make(&log);
  Answer a;
  EXPECT_EQ(AppendItem(gc.get(), 1, 1, a.Callback()), 1u);
  std::optional<Status> s = a.Get();
  ASSERT_TRUE(s.has_value()) << "a lone item was never committed";
  EXPECT_TRUE(s->ok());
  EXPECT_EQ(log.batches(), (std::vector<Batch>{{{1, 0}}}));
  EXPECT_EQ(gc->durable(), 1u);
  EXPECT_EQ(gc->commits(), 1u);
}

TEST(GroupCommitTest, ItemsAppendedDuringACommitShareTheNextBatch) {
  Log log;
  auto gc = Make(&log);
  log.Hold();
  AppendItem(gc.get(), 1);
  log.WaitForCall(1);  // the writer holds batch 1
  std::vector<Answer> answers(5);
  for (int i = 0; i < 5; ++i) AppendItem(gc.get(), 10 + i, 2, answers[i].Callback());
  log.Release();
  for (Answer& a : answers) {
    std::optional<Status> s = a.Get();
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(s->ok());
  }
  std::vector<Batch> batches = log.batches();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0], (Batch{{1, 0}}));
  Batch second;
  for (int i = 0; i < 5; ++i) second.insert(second.end(), {{10 + i, 0}, {10 + i, 1}});
  EXPECT_EQ(batches[1], second);  // all five, in append order, in one commit
  EXPECT_EQ(gc->commits(), 2u);
}

TEST(GroupCommitTest, WaitersRunOnTheWriterInSequenceOrderAfterTheirCommit) {
  Log log;
  auto gc = Make(&log);
  std::mutex mu;
  std::vector<int> order;
  std::vector<size_t> committed_when_answered;
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> on_caller{false};
  for (int i = 1; i <= 50; ++i) {
    AppendItem(gc.get(), i, 1, [&, i](const Status& s) {
      EXPECT_TRUE(s.ok());
      if (std::this_thread::get_id() == caller) on_caller = true;
      std::lock_guard lock(mu);
      order.push_back(i);
      committed_when_answered.push_back(log.all().size());
    });
  }
  gc->Flush();  // every waiter has run when Flush returns
  std::vector<int> want;
  for (int i = 1; i <= 50; ++i) want.push_back(i);
  EXPECT_EQ(order, want);
  EXPECT_FALSE(on_caller.load());
  for (size_t i = 0; i < committed_when_answered.size(); ++i) {
    EXPECT_GE(committed_when_answered[i], i + 1) << "waiter " << i + 1 << " ran before its commit";
  }
  std::vector<Part> all = log.all();
  ASSERT_EQ(all.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(all[i], (Part{i + 1, 0}));
}

TEST(GroupCommitTest, WhenDurableAnswersDurableNumbersOnTheCallingThread) {
  Log log;
  auto gc = Make(&log);
  std::optional<Status> zero;
  gc->WhenDurable(0, [&](const Status& s) { zero = s; });  // nothing to wait for
  ASSERT_TRUE(zero.has_value());
  EXPECT_TRUE(zero->ok());

  log.Hold();
  const uint64_t seq = AppendItem(gc.get(), 1);
  log.WaitForCall(1);
  Answer pending;
  gc->WhenDurable(seq, pending.Callback());
  EXPECT_FALSE(pending.Get(50ms).has_value());  // not durable yet
  log.Release();
  std::optional<Status> s = pending.Get();
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->ok());

  std::optional<Status> durable;
  gc->WhenDurable(seq, [&](const Status& st) { durable = st; });
  ASSERT_TRUE(durable.has_value());  // answered before WhenDurable returned
  EXPECT_TRUE(durable->ok());

  std::optional<Status> never;
  gc->WhenDurable(seq + 5, [&](const Status& st) { never = st; });
  ASSERT_TRUE(never.has_value());  // a number never appended: an error, not a hang
  EXPECT_FALSE(never->ok());
}

TEST(GroupCommitTest, MarkersAreAnsweredWithoutACommit) {
  Log log;
  auto gc = Make(&log);
  AppendItem(gc.get(), 1);
  gc->Flush();
  EXPECT_EQ(gc->commits(), 1u);
  Answer marker;
  gc->Append([](Batch&) {}, marker.Callback());  // adds nothing
  std::optional<Status> s = marker.Get();
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->ok());
  EXPECT_EQ(gc->commits(), 1u);
  EXPECT_EQ(log.calls(), 1);
}

TEST(GroupCommitTest, AFailedCommitIsStickyAndNothingMoreIsWritten) {
  Log log(/*fail_at=*/2);
  auto gc = Make(&log);
  Answer first;
  const uint64_t s1 = AppendItem(gc.get(), 1, 1, first.Callback());
  ASSERT_TRUE(first.Get().value_or(Error{"x", "no answer"}).ok());

  // Batch 2 (item 2) is held, then fails; item 3 is appended meanwhile (batch 3).
  log.Hold();
  Answer second, third;
  AppendItem(gc.get(), 2, 1, second.Callback());
  log.WaitForCall(2);
  const uint64_t s3 = AppendItem(gc.get(), 3, 1, third.Callback());
  log.Release();
  std::optional<Status> e2 = second.Get(), e3 = third.Get();
  ASSERT_TRUE(e2.has_value() && e3.has_value());
  ASSERT_FALSE(e2->ok());
  EXPECT_EQ(e2->error().cause, "commit 2 failed");
  ASSERT_FALSE(e3->ok());
  EXPECT_EQ(e3->error(), e2->error());  // the first error, for the later batch too

  // From now on: every item and waiter gets that error and the commit function is never called.
  Answer later;
  AppendItem(gc.get(), 4, 1, later.Callback());
  std::optional<Status> e4 = later.Get();
  ASSERT_TRUE(e4.has_value());
  ASSERT_FALSE(e4->ok());
  EXPECT_EQ(e4->error(), e2->error());
  gc->Flush();
  EXPECT_EQ(log.calls(), 2);
  EXPECT_EQ(log.batches(), (std::vector<Batch>{{{1, 0}}}));
  ASSERT_FALSE(gc->error().ok());
  EXPECT_EQ(gc->error().error(), e2->error());
  EXPECT_EQ(gc->durable(), s1);

  std::optional<Status> before, after;
  gc->WhenDurable(s1, [&](const Status& s) { before = s; });
  gc->WhenDurable(s3, [&](const Status& s) { after = s; });
  ASSERT_TRUE(before.has_value() && after.has_value());  // both answered at once
  EXPECT_TRUE(before->ok());
  EXPECT_FALSE(after->ok());
}

// The failure listener hears of the first failure once, before any waiter of the failed batch.
TEST(GroupCommitTest, FailureListenerRunsOnceBeforeTheFailedBatchIsAnswered) {
  Log log(/*fail_at=*/2);
  auto gc = Make(&log);
  std::mutex mu;
  std::vector<std::string> seen;
  gc->SetFailureListener([&](const Status& s) {
    std::lock_guard lock(mu);
    seen.push_back("listener: " + s.error().cause);
  });
  auto record = [&](std::string what) {
    return [&, what](const Status& s) {
      std::lock_guard lock(mu);
      seen.push_back(what + (s.ok() ? " ok" : " failed"));
    };
  };
  AppendItem(gc.get(), 1, 1, record("item 1"));
  gc->Flush();
  AppendItem(gc.get(), 2, 1, record("item 2"));
  gc->Flush();
  AppendItem(gc.get(), 3, 1, record("item 3"));
  gc->Flush();
  EXPECT_EQ(seen, (std::vector<std::string>{"item 1 ok", "listener: commit 2 failed",
                                            "item 2 failed", "item 3 failed"}));
}

TEST(GroupCommitTest, DestructionCommitsPendingItemsAndAnswersEveryWaiter) {
  Log log;
  auto gc = Make(&log);
  log.Hold();
  AppendItem(gc.get(), 1);
  log.WaitForCall(1);
  std::vector<Answer> answers(3);
  for (int i = 0; i < 3; ++i) AppendItem(gc.get(), 2 + i, 1, answers[i].Callback());
  std::thread destroy([&] { gc.reset(); });
  std::this_thread::sleep_for(20ms);  // the destructor is waiting for the writer
  log.Release();
  destroy.join();
  for (Answer& a : answers) {
    std::optional<Status> s = a.Get(0ms);  // answered before the destructor returned
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(s->ok());
  }
  EXPECT_EQ(log.all(), (std::vector<Part>{{1, 0}, {2, 0}, {3, 0}, {4, 0}}));
}

TEST(GroupCommitTest, DestructionAfterAFailureFailsThePendingItems) {
  Log log(/*fail_at=*/1);
  auto gc = Make(&log);
  log.Hold();
  AppendItem(gc.get(), 1);
  log.WaitForCall(1);
  std::vector<Answer> answers(3);
  for (int i = 0; i < 3; ++i) AppendItem(gc.get(), 2 + i, 1, answers[i].Callback());
  log.Release();
  gc.reset();
  for (Answer& a : answers) {
    std::optional<Status> s = a.Get(0ms);
    ASSERT_TRUE(s.has_value());
    EXPECT_FALSE(s->ok());
  }
  EXPECT_EQ(log.calls(), 1);
  EXPECT_TRUE(log.batches().empty());
}

// Many appenders at once: every item committed exactly once and whole, each appender's items in
// its order, every waiter answered exactly once, and WhenDurable/error readers racing along.
TEST(GroupCommitTest, ConcurrentAppendersAndWaiters) {
  Log log;
  auto gc = Make(&log);
  constexpr int kThreads = 8;
  constexpr int kItems = 300;
  std::atomic<int> answered{0}, failed{0}, durable_answers{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kItems; ++i) {
        const uint64_t seq = AppendItem(gc.get(), t * kItems + i, 1 + i % 3, [&](const Status& s) {
          answered.fetch_add(1);
          if (!s.ok()) failed.fetch_add(1);
        });
        if (i % 10 == 0) {
          gc->WhenDurable(seq, [&](const Status& s) {
            EXPECT_TRUE(s.ok());
            durable_answers.fetch_add(1);
          });
        }
        EXPECT_TRUE(gc->error().ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  gc->Flush();
  EXPECT_EQ(answered.load(), kThreads * kItems);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(durable_answers.load(), kThreads * (kItems / 10));
  EXPECT_EQ(gc->durable(), static_cast<uint64_t>(kThreads * kItems));

  std::vector<int> next_of(kThreads, 0);
  for (const Batch& batch : log.batches()) {
    ASSERT_FALSE(batch.empty());
    for (size_t k = 0; k < batch.size();) {
      const int item = batch[k].item;
      const int t = item / kItems, i = item % kItems;
      ASSERT_EQ(i, next_of[t]) << "appender " << t << " out of order";
      ++next_of[t];
      for (int p = 0; p < 1 + i % 3; ++p, ++k) {  // the item's parts, together, in one batch
        ASSERT_LT(k, batch.size()) << "item " << item << " split over two batches";
        ASSERT_EQ(batch[k], (Part{item, p}));
      }
    }
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next_of[t], kItems);
}

}  // namespace
}  // namespace stator
