// The lease part of the suite every Store implementation must pass (typed over the
// implementations in store_test_util.h): leases given at creation, renewed, claimed when expired,
// stolen and released; steps fenced by their lease epoch; outcomes ending leases; what a Commit
// reports. Expiry is never waited for: a ttl of 0 is a lease expired at once, a ttl of an hour
// one that does not expire during a test.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/store_test_util.h"

namespace stator::store {
namespace {

using test_util::Implementations;
using test_util::Names;
using test_util::SqliteFactory;

using test_util::TestEvent;

constexpr int64_t kHour = 3600 * 1000;

std::string Arn(const std::string& name) { return test_util::TestExecutionArn(name); }

NewExecution MakeExecution(const std::string& name) { return test_util::TestExecution(name); }

ExecutionStep Step(const std::string& name, std::vector<int64_t> ids, int64_t epoch,
                   std::optional<ExecutionOutcome> outcome = std::nullopt) {
  ExecutionStep step;
  step.execution_arn = Arn(name);
  for (int64_t id : ids) step.events.push_back(TestEvent(id));
  step.outcome = std::move(outcome);
  step.lease_epoch = epoch;
  return step;
}

ExecutionOutcome Succeeded() {
  return ExecutionOutcome{ExecutionStatus::kSucceeded, "{}", std::nullopt, std::nullopt, 9};
}

ExecutionBatch Batch(std::string owner, int64_t ttl_ms, std::vector<NewExecution> created,
                     std::vector<ExecutionStep> steps = {}) {
  ExecutionBatch batch;
  batch.created = std::move(created);
  batch.steps = std::move(steps);
  batch.lease_owner = std::move(owner);
  batch.lease_ttl_ms = ttl_ms;
  return batch;
}

std::vector<std::string> ArnsOf(const std::vector<Lease>& leases) {
  std::vector<std::string> arns;
  for (const Lease& l : leases) arns.push_back(l.execution_arn);
  return arns;
}

template <class F>
class LeaseStoreTest : public ::testing::Test {
 public:
  void SetUp() override { store_ = factory_.Make(); }

  CommitReport CommitOk(const ExecutionBatch& batch) {
    CommitReport report;
    Status s = store_->Commit(batch, &report);
    EXPECT_TRUE(s.ok()) << s.error().cause;
    return report;
  }
  // Executions `names` created in one batch by `owner`.
  void Create(const std::vector<std::string>& names, const std::string& owner, int64_t ttl_ms) {
    std::vector<NewExecution> created;
    for (const std::string& name : names) created.push_back(MakeExecution(name));
    CommitReport report = CommitOk(Batch(owner, ttl_ms, std::move(created)));
    EXPECT_TRUE(report.existed.empty());
    EXPECT_TRUE(report.fenced.empty());
  }
  std::optional<Lease> LeaseOf(const std::string& name) {
    auto lease = store_->GetLease(Arn(name));
    EXPECT_TRUE(lease.ok()) << lease.error().cause;
    return lease.ok() ? *lease : std::nullopt;
  }
  std::vector<int64_t> History(const std::string& name) {
    auto page = store_->ReadHistory(Arn(name), "", 100, false);
    EXPECT_TRUE(page.ok()) << page.error().cause;
    std::vector<int64_t> ids;
    if (page.ok()) {
      for (const HistoryEvent& e : page->items) ids.push_back(e.id);
    }
    return ids;
  }
  std::vector<Lease> Claim(const std::string& owner, int64_t ttl_ms, int limit, bool own) {
    auto claimed = store_->ClaimExpiredLeases(owner, ttl_ms, limit, own);
    EXPECT_TRUE(claimed.ok()) << claimed.error().cause;
    return claimed.ok() ? *claimed : std::vector<Lease>();
  }

  F factory_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(LeaseStoreTest, Implementations, Names);

TYPED_TEST(LeaseStoreTest, ExecutionsCreatedWithAnOwnerStartLeasedAtEpochOne) {
  this->Create({"a", "b"}, "node-a", kHour);
  this->Create({"single"}, "", 0);
  EXPECT_EQ(this->LeaseOf("a"), (Lease{Arn("a"), "node-a", 1}));
  EXPECT_EQ(this->LeaseOf("b"), (Lease{Arn("b"), "node-a", 1}));
  EXPECT_EQ(this->LeaseOf("single"), std::nullopt);  // a single server's: no lease
  EXPECT_EQ(this->LeaseOf("missing"), std::nullopt);
  // Without a lease nothing can be claimed or stolen.
  EXPECT_TRUE(this->Claim("node-b", kHour, 10, true).empty());
  auto stolen = this->store_->StealLease(Arn("single"), "node-b", kHour);
  ASSERT_TRUE(stolen.ok());
  EXPECT_EQ(*stolen, std::nullopt);
}

TYPED_TEST(LeaseStoreTest, RenewReturnsExactlyTheOwnersLeases) {
  this->Create({"a1", "a2", "a3"}, "node-a", kHour);
  this->Create({"b1"}, "node-b", kHour);
  this->Create({"single"}, "", 0);
  this->CommitOk(Batch("node-a", kHour, {}, {Step("a2", {}, 1, Succeeded())}));  // ended
  auto renewed = this->store_->RenewLeases("node-a", kHour);
  ASSERT_TRUE(renewed.ok()) << renewed.error().cause;
  std::vector<Lease> got = *renewed;
  std::sort(got.begin(), got.end(),
            [](const Lease& x, const Lease& y) { return x.execution_arn < y.execution_arn; });
  EXPECT_EQ(got, (std::vector<Lease>{{Arn("a1"), "node-a", 1}, {Arn("a3"), "node-a", 1}}));
  auto b = this->store_->RenewLeases("node-b", kHour);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, (std::vector<Lease>{{Arn("b1"), "node-b", 1}}));
  auto none = this->store_->RenewLeases("node-c", kHour);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(LeaseStoreTest, RenewingAnExpiredLeaseKeepsItFromBeingClaimed) {
  this->Create({"a"}, "node-a", 0);  // expired at once
  auto renewed = this->store_->RenewLeases("node-a", kHour);
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(ArnsOf(*renewed), std::vector<std::string>{Arn("a")});
  EXPECT_TRUE(this->Claim("node-b", kHour, 10, false).empty());
  EXPECT_EQ(this->LeaseOf("a"), (Lease{Arn("a"), "node-a", 1}));
}

TYPED_TEST(LeaseStoreTest, ExpiredLeasesAreClaimedOldestFirstAtTheNextEpoch) {
  this->Create({"e1", "e2"}, "node-a", 0);
  this->Create({"live"}, "node-a", kHour);
  this->Create({"e3"}, "node-a", 0);
  // `limit` at a time, oldest executions first; the live lease is not taken.
  std::vector<Lease> first = this->Claim("node-b", kHour, 2, false);
  EXPECT_EQ(first, (std::vector<Lease>{{Arn("e1"), "node-b", 2}, {Arn("e2"), "node-b", 2}}));
  std::vector<Lease> second = this->Claim("node-b", kHour, 2, false);
  EXPECT_EQ(second, (std::vector<Lease>{{Arn("e3"), "node-b", 2}}));
  // Claimed with a ttl of an hour: nobody takes them again.
  EXPECT_TRUE(this->Claim("node-c", kHour, 10, false).empty());
  EXPECT_EQ(this->LeaseOf("e1"), (Lease{Arn("e1"), "node-b", 2}));
  EXPECT_EQ(this->LeaseOf("live"), (Lease{Arn("live"), "node-a", 1}));
  // A claimed lease is renewed by its new owner only.
  auto a = this->store_->RenewLeases("node-a", kHour);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(ArnsOf(*a), std::vector<std::string>{Arn("live")});
}

TYPED_TEST(LeaseStoreTest, OwnClaimTakesTheOwnersLeasesWhateverTheirExpiry) {
  this->Create({"a1", "a2"}, "node-a", kHour);
  this->Create({"b1"}, "node-b", kHour);
  EXPECT_TRUE(this->Claim("node-a", kHour, 10, false).empty());     // none expired
  std::vector<Lease> own = this->Claim("node-a", kHour, 10, true);  // a restarted node-a
  EXPECT_EQ(own, (std::vector<Lease>{{Arn("a1"), "node-a", 2}, {Arn("a2"), "node-a", 2}}));
  EXPECT_EQ(this->LeaseOf("b1"), (Lease{Arn("b1"), "node-b", 1}));
  // The old epoch is fenced from then on: the restarted node writes at epoch 2.
  CommitReport report = this->CommitOk(Batch("node-a", kHour, {}, {Step("a1", {1}, 1)}));
  EXPECT_EQ(report.fenced, std::vector<std::string>{Arn("a1")});
  report = this->CommitOk(Batch("node-a", kHour, {}, {Step("a1", {1}, 2)}));
  EXPECT_TRUE(report.fenced.empty());
  EXPECT_EQ(this->History("a1"), std::vector<int64_t>{1});
}

// However the claims interleave, every expired lease goes to exactly one claimer.
TYPED_TEST(LeaseStoreTest, ConcurrentClaimersNeverShareALease) {
  constexpr int kExecutions = 60;
  constexpr int kThreads = 4;
  std::vector<std::string> names;
  for (int i = 0; i < kExecutions; ++i) names.push_back("x" + std::to_string(i));
  this->Create(names, "dead-node", 0);
  std::vector<std::vector<Lease>> claimed(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string owner = "node-" + std::to_string(t);
      for (;;) {
        auto got = this->store_->ClaimExpiredLeases(owner, kHour, 3, false);
        EXPECT_TRUE(got.ok()) << got.error().cause;
        if (!got.ok() || got->empty()) break;
        claimed[t].insert(claimed[t].end(), got->begin(), got->end());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::map<std::string, int> times;
  for (int t = 0; t < kThreads; ++t) {
    for (const Lease& l : claimed[t]) {
      ++times[l.execution_arn];
      EXPECT_EQ(l.owner, "node-" + std::to_string(t));
      EXPECT_EQ(l.epoch, 2);
      EXPECT_EQ(this->LeaseOf(l.execution_arn.substr(l.execution_arn.rfind(':') + 1)), l);
    }
  }
  EXPECT_EQ(times.size(), static_cast<size_t>(kExecutions));
  for (const auto& [arn, n] : times) EXPECT_EQ(n, 1) << arn;
}

TYPED_TEST(LeaseStoreTest, StealTakesALeaseWhoeverHoldsIt) {
  this->Create({"a"}, "node-a", kHour);
  auto stolen = this->store_->StealLease(Arn("a"), "node-b", kHour);
  ASSERT_TRUE(stolen.ok()) << stolen.error().cause;
  EXPECT_EQ(*stolen, (Lease{Arn("a"), "node-b", 2}));
  EXPECT_EQ(this->LeaseOf("a"), (Lease{Arn("a"), "node-b", 2}));
  stolen = this->store_->StealLease(Arn("a"), "node-b", kHour);  // from itself: still a new epoch
  ASSERT_TRUE(stolen.ok());
  EXPECT_EQ(*stolen, (Lease{Arn("a"), "node-b", 3}));
  auto missing = this->store_->StealLease(Arn("missing"), "node-b", kHour);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, std::nullopt);
}

TYPED_TEST(LeaseStoreTest, ReleasedLeasesAreClaimableAtOnceWithTheirEpochs) {
  this->Create({"a1", "a2"}, "node-a", kHour);
  this->Create({"b1"}, "node-b", kHour);
  ASSERT_TRUE(this->store_->ReleaseLeases("node-a").ok());
  EXPECT_EQ(this->LeaseOf("a1"), (Lease{Arn("a1"), "node-a", 1}));  // epoch unchanged
  std::vector<Lease> taken = this->Claim("node-c", kHour, 10, false);
  EXPECT_EQ(taken, (std::vector<Lease>{{Arn("a1"), "node-c", 2}, {Arn("a2"), "node-c", 2}}));
  EXPECT_EQ(this->LeaseOf("b1"), (Lease{Arn("b1"), "node-b", 1}));
  ASSERT_TRUE(this->store_->ReleaseLeases("nobody").ok());
}

// A step of a node that lost the lease is skipped and reported (once per execution, with every
// later step of that execution in the batch); the batch's other steps are written.
TYPED_TEST(LeaseStoreTest, AFencedStepIsSkippedAndTheRestOfTheBatchWritten) {
  this->Create({"lost", "kept"}, "node-a", kHour);
  auto stolen = this->store_->StealLease(Arn("lost"), "node-b", kHour);
  ASSERT_TRUE(stolen.ok() && stolen->has_value());
  CommitReport report =
      this->CommitOk(Batch("node-a", kHour, {MakeExecution("new")},
                           {Step("kept", {1}, 1), Step("lost", {1}, 1), Step("new", {1}, 1),
                            Step("lost", {2}, 0), Step("kept", {2}, 1), Step("lost", {3}, 1)}));
  EXPECT_EQ(report.fenced, std::vector<std::string>{Arn("lost")});
  EXPECT_TRUE(report.existed.empty());
  EXPECT_TRUE(this->History("lost").empty());
  EXPECT_EQ(this->History("kept"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(this->History("new"), (std::vector<int64_t>{1}));
  // The new holder writes at its epoch; a fenced step's ids were not checked (nor taken).
  report = this->CommitOk(Batch("node-b", kHour, {}, {Step("lost", {1}, 2)}));
  EXPECT_TRUE(report.fenced.empty());
  EXPECT_EQ(this->History("lost"), (std::vector<int64_t>{1}));
  report = this->CommitOk(Batch("node-a", kHour, {}, {Step("lost", {7}, 1, Succeeded())}));
  EXPECT_EQ(report.fenced, std::vector<std::string>{Arn("lost")});
  auto lost = this->store_->GetExecution(Arn("lost"));
  ASSERT_TRUE(lost.ok() && lost->has_value());
  EXPECT_EQ((*lost)->status, ExecutionStatus::kRunning);
}

TYPED_TEST(LeaseStoreTest, FencingChecksOwnerAndEpochButNotExpiry) {
  this->Create({"a"}, "node-a", 0);  // expired, and nobody took it: still node-a's to write
  CommitReport report = this->CommitOk(Batch("node-a", kHour, {}, {Step("a", {1}, 1)}));
  EXPECT_TRUE(report.fenced.empty());
  // Another owner, or another epoch, is fenced; a batch without an owner holds no lease.
  report = this->CommitOk(Batch("node-b", kHour, {}, {Step("a", {2}, 1)}));
  EXPECT_EQ(report.fenced, std::vector<std::string>{Arn("a")});
  report = this->CommitOk(Batch("node-a", kHour, {}, {Step("a", {2}, 2)}));
  EXPECT_EQ(report.fenced, std::vector<std::string>{Arn("a")});
  report = this->CommitOk(Batch("", 0, {}, {Step("a", {2}, 1)}));
  EXPECT_EQ(report.fenced, std::vector<std::string>{Arn("a")});
  // Epoch 0 is not fenced, whoever commits it.
  report = this->CommitOk(Batch("node-b", kHour, {}, {Step("a", {2}, 0)}));
  EXPECT_TRUE(report.fenced.empty());
  EXPECT_EQ(this->History("a"), (std::vector<int64_t>{1, 2}));
  // The steps after a fenced one are skipped unchecked; an unfenced step is checked as ever.
  Status s = this->store_->Commit(
      Batch("node-b", kHour, {}, {Step("a", {3}, 1), Step("a", {5}, 0)}), nullptr);
  EXPECT_TRUE(s.ok()) << s.error().cause;
  s = this->store_->Commit(Batch("node-a", kHour, {}, {Step("a", {5}, 1)}), nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().error, kOutOfSequence);
  EXPECT_EQ(this->History("a"), (std::vector<int64_t>{1, 2}));
}

TYPED_TEST(LeaseStoreTest, TheOutcomeEndsTheLease) {
  this->Create({"a", "b"}, "node-a", 0);
  CommitReport report = this->CommitOk(
      Batch("node-a", kHour, {}, {Step("a", {1}, 1), Step("a", {2}, 1, Succeeded())}));
  EXPECT_TRUE(report.fenced.empty());
  EXPECT_EQ(this->LeaseOf("a"), std::nullopt);
  // Not claimable, renewable or stealable any more; b (expired too) is.
  EXPECT_EQ(ArnsOf(this->Claim("node-b", kHour, 10, true)), std::vector<std::string>{Arn("b")});
  auto renewed = this->store_->RenewLeases("node-a", kHour);
  ASSERT_TRUE(renewed.ok());
  EXPECT_TRUE(renewed->empty());
  auto stolen = this->store_->StealLease(Arn("a"), "node-c", kHour);
  ASSERT_TRUE(stolen.ok());
  EXPECT_EQ(*stolen, std::nullopt);
  // An outcome committed without fencing (a single server's) ends a lease too.
  report = this->CommitOk(Batch("", 0, {}, {Step("b", {}, 0, Succeeded())}));
  EXPECT_TRUE(report.fenced.empty());
  EXPECT_EQ(this->LeaseOf("b"), std::nullopt);
  // And a step after the outcome in the same batch finds no lease to write under.
  this->Create({"c"}, "node-a", kHour);
  report = this->CommitOk(
      Batch("node-a", kHour, {}, {Step("c", {1}, 1, Succeeded()), Step("c", {2}, 1)}));
  EXPECT_EQ(report.fenced, std::vector<std::string>{Arn("c")});
  EXPECT_EQ(this->History("c"), std::vector<int64_t>{1});
}

// Two nodes start the same name: the second creation is skipped and reported (under existed
// only), the first node's execution, history and lease untouched: the second node's steps of
// it in that batch are skipped with it.
TYPED_TEST(LeaseStoreTest, AnExistingNameIsReportedAndKeepsItsLease) {
  this->CommitOk(Batch("node-a", kHour, {MakeExecution("same")}, {Step("same", {1}, 1)}));
  CommitReport report =
      this->CommitOk(Batch("node-b", kHour, {MakeExecution("same"), MakeExecution("other")},
                           {Step("same", {1}, 1), Step("other", {1}, 1)}));
  EXPECT_EQ(report.existed, std::vector<std::string>{Arn("same")});
  EXPECT_TRUE(report.fenced.empty());
  EXPECT_EQ(this->LeaseOf("same"), (Lease{Arn("same"), "node-a", 1}));
  EXPECT_EQ(this->LeaseOf("other"), (Lease{Arn("other"), "node-b", 1}));
  EXPECT_EQ(this->History("same"), std::vector<int64_t>{1});
  EXPECT_EQ(this->History("other"), std::vector<int64_t>{1});
}

// SqliteStore: leases and their epochs survive reopening the file.
TEST(SqliteLeaseStoreTest, LeasesSurviveReopen) {
  SqliteFactory f;
  {
    auto store = f.Open();
    ExecutionBatch batch;
    batch.created = {MakeExecution("a")};
    batch.lease_owner = "node-a";
    batch.lease_ttl_ms = 0;
    ASSERT_TRUE(store->Commit(batch).ok());
    auto claimed = store->ClaimExpiredLeases("node-b", kHour, 10, false);
    ASSERT_TRUE(claimed.ok());
    ASSERT_EQ(claimed->size(), 1u);
  }
  auto store = f.Open();
  auto lease = store->GetLease(Arn("a"));
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(*lease, (Lease{Arn("a"), "node-b", 2}));
  auto claimed = store->ClaimExpiredLeases("node-c", kHour, 10, false);  // node-b's, for an hour
  ASSERT_TRUE(claimed.ok());
  EXPECT_TRUE(claimed->empty());
}

}  // namespace
}  // namespace stator::store
