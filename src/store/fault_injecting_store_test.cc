// What survives a failed commit, on every backend: through a CommitQueue over a
// FaultInjectingStore that fails, or tears, its Nth commit. After the failure nothing later is
// acknowledged or written, and what the store holds lies between what was acknowledged and what
// was submitted (per execution, a prefix of its submitted history that contains every
// acknowledged event). SqliteStore keeps exactly that across a reopen. Also ParseStoreFaults.
#include "store/fault_injecting_store.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "store/commit_queue.h"
#include "store/store_test_util.h"

namespace stator::store {
namespace {

using test_util::Backends;
using test_util::Names;

NewExecution MakeExecution(const std::string& name) { return test_util::TestExecution(name); }

HistoryEvent Event(int64_t id) {
  return test_util::TestEvent(
      id, "PassStateEntered",
      json::Value::MakeObject({{"name", json::Value::String("S" + std::to_string(id))}}));
}

ExecutionStep Step(const NewExecution& n, std::vector<int64_t> ids, bool end = false) {
  ExecutionStep step{n.execution.arn, {}, std::nullopt};
  for (int64_t id : ids) step.events.push_back(Event(id));
  if (end) step.outcome = ExecutionOutcome{ExecutionStatus::kSucceeded, "{}", {}, {}, 2000};
  return step;
}

// What was submitted through the queue and what of it was acknowledged, per execution, and the
// order in which `done` callbacks ran with their status.
class Ledger {
 public:
  struct Execution {
    bool created_acked = false;
    int64_t submitted = 0;  // events 1..submitted submitted
    int64_t acked = 0;      // events 1..acked acknowledged
    bool end_submitted = false;
    bool end_acked = false;
  };

  void Create(CommitQueue* q, const NewExecution& n) {
    {
      std::lock_guard lock(mu_);
      executions_[n.execution.arn];
    }
    q->Submit(n, Record([this, arn = n.execution.arn] { executions_[arn].created_acked = true; }));
  }
  void Add(CommitQueue* q, const NewExecution& n, std::vector<int64_t> ids, bool end = false) {
    const std::string arn = n.execution.arn;
    const int64_t last = ids.empty() ? 0 : ids.back();
    {
      std::lock_guard lock(mu_);
      Execution& e = executions_[arn];
      if (!ids.empty()) e.submitted = last;
      e.end_submitted |= end;
    }
    q->Submit(Step(n, std::move(ids), end), Record([this, arn, last, end] {
                Execution& e = executions_[arn];
                if (last) e.acked = last;
                e.end_acked |= end;
              }));
  }

  // The statuses in the order the callbacks ran.
  std::vector<Status> answers() {
    std::lock_guard lock(mu_);
    return answers_;
  }
  std::map<std::string, Execution> executions() {
    std::lock_guard lock(mu_);
    return executions_;
  }

 private:
  CommitQueue::Done Record(std::function<void()> on_ok) {
    return [this, on_ok = std::move(on_ok)](const Status& s) {
      std::lock_guard lock(mu_);
      answers_.push_back(s);
      if (s.ok()) on_ok();
    };
  }

  std::mutex mu_;
  std::vector<Status> answers_;
  std::map<std::string, Execution> executions_;
};

// Once one answer is an error, every later one is that same error.
void ExpectOkThenStickyError(const std::vector<Status>& answers) {
  const Status* first_error = nullptr;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (first_error) {
      ASSERT_FALSE(answers[i].ok()) << "answer " << i << " acknowledged after a failed commit";
      EXPECT_EQ(answers[i].error(), first_error->error());
    } else if (!answers[i].ok()) {
      first_error = &answers[i];
    }
  }
}

// The store holds, per execution, a prefix of what was submitted containing everything
// acknowledged.
void ExpectBetweenAckedAndSubmitted(Store* store,
                                    const std::map<std::string, Ledger::Execution>& l) {
  for (const auto& [arn, e] : l) {
    auto got = store->GetExecution(arn);
    ASSERT_TRUE(got.ok());
    if (!got->has_value()) {
      EXPECT_FALSE(e.created_acked) << arn << ": acknowledged, then lost";
      EXPECT_EQ(e.acked, 0) << arn;
      continue;
    }
    auto history = store->ReadHistory(arn, "", 10000, false);
    ASSERT_TRUE(history.ok());
    const int64_t stored = static_cast<int64_t>(history->items.size());
    for (int64_t i = 0; i < stored; ++i) {
      ASSERT_EQ(history->items[i], Event(i + 1)) << arn << ": not a prefix of what was submitted";
    }
    EXPECT_GE(stored, e.acked) << arn << ": acknowledged events lost";
    EXPECT_LE(stored, e.submitted) << arn;
    const bool ended = (*got)->status != ExecutionStatus::kRunning;
    if (e.end_acked) {
      EXPECT_TRUE(ended) << arn << ": acknowledged end lost";
    }
    if (!e.end_submitted) {
      EXPECT_FALSE(ended) << arn;
    }
  }
}

// A FaultInjectingStore over a fresh backend made by F.
template <class F>
struct Harness {
  explicit Harness(StoreFaults faults) {
    auto f = std::make_unique<FaultInjectingStore>(factory.Make(), faults);
    fault = f.get();
    store = std::move(f);
  }
  // SqliteStore, PostgresStore: the same database opened again (what a restart finds);
  // MemoryStore: the same store.
  Store* Reopened() {
    if constexpr (requires { factory.Open(); }) {
      store.reset();
      fault = nullptr;
      store = factory.Open();
    }
    return store.get();
  }

  F factory;
  std::unique_ptr<Store> store;
  FaultInjectingStore* fault = nullptr;
};

template <class F>
class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override { test_util::SkipUnlessAvailable<F>(); }
};
TYPED_TEST_SUITE(FaultTest, Backends, Names);

// Commits 1 and 2 succeed; commit 3 holds four items (submitted from an answer of commit 2, so
// before the writer takes its next batch) and is faulted; more is submitted after it.
void RunThreeCommits(CommitQueue* q, Ledger* ledger, const NewExecution& e1, const NewExecution& e2,
                     const NewExecution& e3) {
  ledger->Create(q, e1);
  q->Flush();
  std::promise<void> submitted;
  ledger->Add(q, e1, {1, 2});
  q->AfterCommit([&](const Status&) {  // on the writer thread, between commits 2 and 3
    ledger->Create(q, e2);
    ledger->Add(q, e1, {3});
    ledger->Add(q, e2, {1});
    ledger->Add(q, e1, {4});
    submitted.set_value();
  });
  submitted.get_future().wait();
  q->Flush();
  ledger->Add(q, e2, {2});
  ledger->Create(q, e3);
  ledger->Add(q, e1, {5}, /*end=*/true);
  std::optional<Status> marker;
  q->AfterCommit([&](const Status& s) { marker = s; });
  q->Flush();
  ASSERT_TRUE(marker.has_value());
  EXPECT_FALSE(marker->ok());
}

struct Case {
  const char* name;
  StoreFaults faults;
  int64_t forwarded;                  // commits that reached the backend
  std::vector<int64_t> e1_history;    // what the backend holds afterwards
  std::optional<int64_t> e2_history;  // nullopt: e2 not created
};

std::vector<Case> Cases() {
  StoreFaults fail, after_write, prefix;
  fail.fail_commit = 3;
  after_write.tear_commit = 3;
  prefix.tear_commit = 3;
  prefix.tear = StoreFaults::Tear::kPrefix;
  return {
      {"fail", fail, 2, {1, 2}, std::nullopt},
      // Written whole, reported failed: the store has more than was acknowledged.
      {"torn after the write", after_write, 3, {1, 2, 3, 4}, 1},
      // Items 1-2 of 4 written (the creation of e2, e1's event 3).
      {"torn prefix", prefix, 3, {1, 2, 3}, 0},
  };
}

TYPED_TEST(FaultTest, NothingAfterAFailedCommitIsAcknowledgedOrWritten) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    Harness<TypeParam> h(c.faults);
    Ledger ledger;
    NewExecution e1 = MakeExecution("e1"), e2 = MakeExecution("e2"), e3 = MakeExecution("e3");
    {
      CommitQueue q(h.store.get());
      RunThreeCommits(&q, &ledger, e1, e2, e3);
      ASSERT_FALSE(q.error().ok());
      EXPECT_NE(q.error().error().cause.find("injected fault: commit 3"), std::string::npos);
    }
    std::vector<Status> answers = ledger.answers();
    ASSERT_EQ(answers.size(), 9u);  // 2 before the fault, 4 in it, 3 after
    EXPECT_TRUE(answers[0].ok());
    EXPECT_TRUE(answers[1].ok());
    EXPECT_FALSE(answers[2].ok());
    ExpectOkThenStickyError(answers);
    EXPECT_EQ(h.fault->commits(), 3);  // nothing was tried after the fault
    EXPECT_EQ(h.fault->forwarded_commits(), c.forwarded);

    Store* store = h.Reopened();
    ExpectBetweenAckedAndSubmitted(store, ledger.executions());
    auto h1 = store->ReadHistory(e1.execution.arn, "", 100, false);
    ASSERT_TRUE(h1.ok());
    std::vector<int64_t> ids;
    for (const HistoryEvent& e : h1->items) ids.push_back(e.id);
    EXPECT_EQ(ids, c.e1_history);
    auto h2 = store->ReadHistory(e2.execution.arn, "", 100, false);
    if (c.e2_history) {
      ASSERT_TRUE(h2.ok());
      EXPECT_EQ(static_cast<int64_t>(h2->items.size()), *c.e2_history);
    } else {
      ASSERT_FALSE(h2.ok());
      EXPECT_EQ(h2.error().error, kNotFound);
    }
    auto got3 = store->GetExecution(e3.execution.arn);
    ASSERT_TRUE(got3.ok());
    EXPECT_FALSE(got3->has_value());
    auto got1 = store->GetExecution(e1.execution.arn);
    ASSERT_TRUE(got1.ok() && got1->has_value());
    EXPECT_EQ((*got1)->status, ExecutionStatus::kRunning);  // its end came after the fault
  }
}

// Executions stepping on their own threads (Pass steps go on whatever the store says; every
// fifth step waits for durability, as a Task dispatch does) while commit 5 fails: the answers
// are ok up to the failure and its error after it, and the store lies between what was
// acknowledged and what was submitted.
TYPED_TEST(FaultTest, ConcurrentExecutionsAcrossAFailedCommit) {
  StoreFaults faults;
  faults.fail_commit = 5;
  faults.commit_delay = std::chrono::milliseconds(1);
  Harness<TypeParam> h(faults);
  Ledger ledger;
  constexpr int kExecutions = 4;
  constexpr int kSteps = 30;
  {
    CommitQueue q(h.store.get());
    std::vector<std::thread> threads;
    for (int t = 0; t < kExecutions; ++t) {
      threads.emplace_back([&, t] {
        NewExecution n = MakeExecution("c" + std::to_string(t));
        ledger.Create(&q, n);
        for (int64_t id = 1; id <= kSteps; ++id) {
          ledger.Add(&q, n, {id}, id == kSteps);
          if (id % 5 == 0) {
            std::promise<void> durable;
            q.AfterCommit([&](const Status&) { durable.set_value(); });
            durable.get_future().wait();
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    q.Flush();
    ASSERT_FALSE(q.error().ok());
  }
  std::vector<Status> answers = ledger.answers();
  ASSERT_EQ(answers.size(), static_cast<size_t>(kExecutions * (kSteps + 1)));
  ExpectOkThenStickyError(answers);
  EXPECT_EQ(h.fault->commits(), 5);
  EXPECT_EQ(h.fault->forwarded_commits(), 4);
  ExpectBetweenAckedAndSubmitted(h.Reopened(), ledger.executions());
}

TEST(ParseStoreFaultsTest, ReadsEveryFaultAndRefusesOthers) {
  auto f = ParseStoreFaults("fail-commit=3,commit-delay-ms=5");
  ASSERT_TRUE(f.ok()) << f.error().cause;
  EXPECT_EQ(f->fail_commit, 3);
  EXPECT_EQ(f->tear_commit, 0);
  EXPECT_EQ(f->commit_delay, std::chrono::milliseconds(5));
  auto t = ParseStoreFaults("tear-commit=2:prefix");
  ASSERT_TRUE(t.ok()) << t.error().cause;
  EXPECT_EQ(t->tear_commit, 2);
  EXPECT_EQ(t->tear, StoreFaults::Tear::kPrefix);
  auto w = ParseStoreFaults("tear-commit=7");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->tear, StoreFaults::Tear::kAfterWrite);
  EXPECT_FALSE(ParseStoreFaults("")->any());
  for (const char* bad : {"fail-commit=0", "fail-commit=x", "fail=3", "tear-commit=2:middle",
                          "commit-delay-ms=", "fail-commit=3,,x"}) {
    auto r = ParseStoreFaults(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

}  // namespace
}  // namespace stator::store
