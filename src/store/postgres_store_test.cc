// PostgresStore as a cluster sees it: two PostgresStore objects on one database (two nodes)
// racing for the same thing, each race with one winner. (What every backend must do is in the
// typed suites of store_test_util.h.) Skipped, with the reason, without STATOR_TEST_POSTGRES.
#include "store/postgres_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/postgres_test_util.h"
#include "store/postgres_schema.h"
#include "store/store_test_util.h"

namespace stator::store {
namespace {

constexpr const char* kMachineArn = test_util::kTestMachineArn;

std::string ExecutionArn(int i) { return test_util::TestExecutionArn("e" + std::to_string(i)); }

NewExecution MakeExecution(int i) {
  return test_util::TestExecution("e" + std::to_string(i), "digest-1", 1000 + i);
}

HistoryEvent Event(int64_t id) { return test_util::TestEvent(id); }

class TwoNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!schema_.Create()) return;  // skipped or failed
    for (auto& node : nodes_) {
      auto s = PostgresStore::Open(schema_.uri());
      ASSERT_TRUE(s.ok()) << s.error().cause;
      node = std::move(s).value();
    }
  }
  void TearDown() override {
    for (auto& node : nodes_) node.reset();
  }
  Store& node(int i) { return *nodes_[i % 2]; }

  postgres::testing::TestSchema schema_;
  std::unique_ptr<PostgresStore> nodes_[2];
};

TEST(PostgresStoreOpenTest, NodesStartingAtOnceMigrateOnce) {
  postgres::testing::TestSchema schema;
  if (!schema.Create()) return;
  constexpr int kNodes = 4;
  std::vector<std::optional<Result<std::unique_ptr<PostgresStore>>>> opened(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] { opened[i] = PostgresStore::Open(schema.uri()); });
  }
  for (auto& t : threads) t.join();
  const int latest = static_cast<int>(PostgresMigrations().size());
  for (int i = 0; i < kNodes; ++i) {
    ASSERT_TRUE(opened[i]->ok()) << opened[i]->error().cause;
    EXPECT_EQ((**opened[i])->schema_version(), latest);
  }
  auto conn = postgres::Connection::Open(schema.uri(), {});
  ASSERT_TRUE(conn.ok());
  auto rows = (*conn)->Query("SELECT count(*), count(DISTINCT version) FROM store_schema_version");
  ASSERT_TRUE(rows.ok()) << rows.error().cause;
  EXPECT_EQ(rows->Int(0, 0), latest);  // each migration recorded (and applied) once
  EXPECT_EQ(rows->Int(0, 1), latest);
}

TEST_F(TwoNodesTest, RacingCreatesOfOneNameCreateOnce) {
  constexpr int kThreads = 8, kNames = 10;
  std::atomic<int> created[kNames] = {};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kNames; ++n) {
        StateMachine m;
        m.arn = std::string(kMachineArn) + std::to_string(n);
        m.name = "m" + std::to_string(n);
        m.config.definition = "node " + std::to_string(t % 2);
        auto r = node(t).CreateStateMachine(m, {{"node", std::to_string(t % 2)}});
        ASSERT_TRUE(r.ok()) << r.error().cause;
        if (r->created) ++created[n];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int n = 0; n < kNames; ++n) {
    EXPECT_EQ(created[n].load(), 1) << "name " << n;
    auto tags = node(0).ListTags(std::string(kMachineArn) + std::to_string(n));
    ASSERT_TRUE(tags.ok());
    EXPECT_EQ(tags->size(), 1u);  // the winner's tag only
  }
}

TEST_F(TwoNodesTest, RacingPublishesNumberVersionsOnce) {
  StateMachine m;
  m.arn = kMachineArn;
  m.name = "m";
  ASSERT_TRUE(node(0).CreateStateMachine(m, {}).ok());
  constexpr int kThreads = 6, kEach = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        StateMachineVersion v;
        v.state_machine_arn = kMachineArn;
        v.revision_id = "rev-" + std::to_string(t) + "-" + std::to_string(i);  // each distinct
        auto r = node(t).PublishVersion(v);
        ASSERT_TRUE(r.ok()) << r.error().cause;
      }
    });
  }
  for (auto& t : threads) t.join();
  auto versions = node(1).ListVersions(kMachineArn);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), size_t{kThreads * kEach});
  for (size_t i = 0; i < versions->size(); ++i) {
    EXPECT_EQ((*versions)[i].version, static_cast<int64_t>(kThreads * kEach - i));
  }
}

TEST_F(TwoNodesTest, RacingCompareAndSetLosesNoIncrement) {
  ASSERT_TRUE(node(0).WriteRecords({RecordWrite::Put("k", "n", "0")}).ok());
  constexpr int kThreads = 6, kEach = 20;
  std::atomic<int> created_once{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Status first = node(t).WriteRecords(
          {RecordWrite::Put("k", "once", std::to_string(t), RecordWrite::Condition::kAbsent)});
      if (first.ok()) {
        ++created_once;
      } else {
        EXPECT_EQ(first.error().error, kConditionFailed);
      }
      for (int i = 0; i < kEach;) {
        auto got = node(t + i).GetRecord("k", "n");
        ASSERT_TRUE(got.ok() && got->has_value());
        const std::string next = std::to_string(std::stoi(**got) + 1);
        Status s = node(t + i + 1).WriteRecords({RecordWrite::IfEquals("k", "n", next, **got)});
        if (s.ok()) {
          ++i;
        } else {
          ASSERT_EQ(s.error().error, kConditionFailed) << s.error().cause;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created_once.load(), 1);
  auto n = node(1).GetRecord("k", "n");
  ASSERT_TRUE(n.ok() && n->has_value());
  EXPECT_EQ(**n, std::to_string(kThreads * kEach));
}

TEST_F(TwoNodesTest, RacingClaimsTakeEachExpiredLeaseOnce) {
  constexpr int kExecutions = 60;
  ExecutionBatch batch;
  batch.lease_owner = "dead";
  batch.lease_ttl_ms = 0;  // expired at once
  for (int i = 0; i < kExecutions; ++i) batch.created.push_back(MakeExecution(i));
  ASSERT_TRUE(node(0).Commit(batch).ok());

  const std::string owners[] = {"a", "b", "c", "d"};
  std::map<std::string, std::vector<Lease>> claimed;  // by owner, each filled by one thread
  for (const std::string& owner : owners) claimed[owner];
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Lease>& mine = claimed[owners[t]];
      while (true) {
        auto r = node(t).ClaimExpiredLeases(owners[t], 60000, 7, false);
        ASSERT_TRUE(r.ok()) << r.error().cause;
        if (r->empty()) break;
        mine.insert(mine.end(), r->begin(), r->end());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> arns;
  for (const auto& [owner, leases] : claimed) {
    for (const Lease& l : leases) {
      EXPECT_TRUE(arns.insert(l.execution_arn).second) << l.execution_arn << " claimed twice";
      EXPECT_EQ(l.owner, owner);
      EXPECT_EQ(l.epoch, 2);
      auto stored = node(1).GetLease(l.execution_arn);
      ASSERT_TRUE(stored.ok() && stored->has_value());
      EXPECT_EQ(**stored, l);
    }
  }
  EXPECT_EQ(arns.size(), size_t{kExecutions});
}

// The node that lost a lease cannot write (its step is fenced), while the taker can.
TEST_F(TwoNodesTest, StepsOfTheNodeThatLostTheLeaseAreFenced) {
  ExecutionBatch start;
  start.lease_owner = "a";
  start.lease_ttl_ms = 60000;
  start.created.push_back(MakeExecution(1));
  start.steps.push_back(ExecutionStep{ExecutionArn(1), {Event(1)}, std::nullopt, 1});
  ASSERT_TRUE(node(0).Commit(start).ok());

  auto stolen = node(1).StealLease(ExecutionArn(1), "b", 60000);
  ASSERT_TRUE(stolen.ok() && stolen->has_value());
  EXPECT_EQ((*stolen)->epoch, 2);

  ExecutionBatch late;
  late.lease_owner = "a";
  late.steps.push_back(ExecutionStep{ExecutionArn(1), {Event(2)}, std::nullopt, 1});
  CommitReport report;
  ASSERT_TRUE(node(0).Commit(late, &report).ok());
  EXPECT_EQ(report.fenced, std::vector<std::string>{ExecutionArn(1)});

  ExecutionBatch taker;
  taker.lease_owner = "b";
  taker.steps.push_back(
      ExecutionStep{ExecutionArn(1),
                    {Event(2)},
                    ExecutionOutcome{ExecutionStatus::kSucceeded, "{}", {}, {}, 9},
                    2});
  ASSERT_TRUE(node(1).Commit(taker, &report).ok());
  EXPECT_TRUE(report.fenced.empty());
  auto history = node(0).ReadHistory(ExecutionArn(1), "", 10, false);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->items.size(), 2u);
  auto lease = node(0).GetLease(ExecutionArn(1));
  ASSERT_TRUE(lease.ok());
  EXPECT_FALSE(lease->has_value());  // ended with the outcome
}

}  // namespace
}  // namespace stator::store
