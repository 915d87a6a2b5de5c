// The execution part of the suite every Store implementation must pass (typed over the
// implementations in store_test_util.h), and CommitQueue's group commit.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/commit_queue.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace stator::store {
namespace {

using test_util::Implementations;
using test_util::Names;
using test_util::SqliteFactory;

constexpr const char* kMachineArn = test_util::kTestMachineArn;

NewExecution MakeExecution(const std::string& name, const std::string& machine_id = "digest-1",
                           int64_t start = 1000) {
  return test_util::TestExecution(name, machine_id, start);
}

HistoryEvent Event(int64_t id, const std::string& type, json::Value details = json::Value()) {
  return test_util::TestEvent(id, type, std::move(details));
}

ExecutionStep Step(const NewExecution& n, std::vector<HistoryEvent> events,
                   std::optional<ExecutionOutcome> outcome = std::nullopt) {
  return ExecutionStep{n.execution.arn, std::move(events), std::move(outcome)};
}

std::vector<int64_t> Ids(const std::vector<HistoryEvent>& events) {
  std::vector<int64_t> ids;
  for (const HistoryEvent& e : events) ids.push_back(e.id);
  return ids;
}

std::vector<std::string> NamesOf(const std::vector<Execution>& executions) {
  std::vector<std::string> names;
  for (const Execution& e : executions) names.push_back(e.name);
  return names;
}

template <class F>
class ExecutionStoreTest : public ::testing::Test {
 public:
  void SetUp() override { store_ = factory_.Make(); }

  void CommitOk(ExecutionBatch batch) {
    Status s = store_->Commit(batch);
    ASSERT_TRUE(s.ok()) << s.error().cause;
  }
  // n executions e0..e(n-1), created in that order; e(i) SUCCEEDED when i is even.
  void CreateMany(int n) {
    ExecutionBatch batch;
    for (int i = 0; i < n; ++i) batch.created.push_back(MakeExecution("e" + std::to_string(i)));
    for (int i = 0; i < n; i += 2) {
      batch.steps.push_back(Step(batch.created[i], {},
                                 ExecutionOutcome{ExecutionStatus::kSucceeded, "1", {}, {}, 9}));
    }
    CommitOk(std::move(batch));
  }
  std::vector<std::string> ListAll(const ExecutionFilter& filter, int limit) {
    std::vector<std::string> names;
    std::string after;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = store_->ListExecutions(filter, after, limit);
      EXPECT_TRUE(page.ok());
      if (!page.ok()) break;
      EXPECT_LE(static_cast<int>(page->items.size()), limit);
      for (const Execution& e : page->items) names.push_back(e.name);
      if (page->next.empty()) break;
      after = page->next;
    }
    return names;
  }

  F factory_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(ExecutionStoreTest, Implementations, Names);

TYPED_TEST(ExecutionStoreTest, CreateThenGetReturnsTheRecordAndItsMachine) {
  NewExecution n = MakeExecution("a");
  n.execution.version_arn = std::string(kMachineArn) + ":3";
  n.execution.alias_arn = std::string(kMachineArn) + ":prod";
  n.machine.revision_id = "rev";
  n.machine.config.encryption_configuration = R"({"type":"AWS_OWNED_KEY"})";
  this->CommitOk(ExecutionBatch{{n}, {}});
  auto got = this->store_->GetExecution(n.execution.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, n.execution);
  EXPECT_EQ((*got)->status, ExecutionStatus::kRunning);
  EXPECT_FALSE((*got)->output.has_value());
  auto machine = this->store_->GetExecutionMachine(n.execution.arn);
  ASSERT_TRUE(machine.ok() && machine->has_value());
  EXPECT_EQ(**machine, n.machine);
}

TYPED_TEST(ExecutionStoreTest, MissingExecutionIsNulloptAndItsHistoryNotFound) {
  auto got = this->store_->GetExecution("arn:aws:states:us-east-1:1:execution:m:none");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  auto machine = this->store_->GetExecutionMachine("arn:aws:states:us-east-1:1:execution:m:none");
  ASSERT_TRUE(machine.ok());
  EXPECT_FALSE(machine->has_value());
  auto history =
      this->store_->ReadHistory("arn:aws:states:us-east-1:1:execution:m:none", "", 10, false);
  ASSERT_FALSE(history.ok());
  EXPECT_EQ(history.error().error, kNotFound);
}

TYPED_TEST(ExecutionStoreTest, ExecutionsShareOneMachinePerIdAndKeepTheirOwn) {
  NewExecution a = MakeExecution("a", "digest-1");
  NewExecution b = MakeExecution("b", "digest-1");
  NewExecution c = MakeExecution("c", "digest-2");
  c.machine.config.definition = R"({"Comment":"v2"})";
  c.machine.revision_id = "r2";
  this->CommitOk(ExecutionBatch{{a, b}, {}});
  this->CommitOk(ExecutionBatch{{c}, {}});
  auto mb = this->store_->GetExecutionMachine(b.execution.arn);
  auto mc = this->store_->GetExecutionMachine(c.execution.arn);
  ASSERT_TRUE(mb.ok() && mb->has_value() && mc.ok() && mc->has_value());
  EXPECT_EQ(**mb, a.machine);
  EXPECT_EQ(**mc, c.machine);
}

TYPED_TEST(ExecutionStoreTest, StepsAppendHistoryAndTheOutcomeClosesTheExecution) {
  NewExecution n = MakeExecution("a");
  json::Value details = json::Value::MakeObject(
      {{"name", json::Value::String("S")}, {"input", json::Value::String("{\"x\":1.5}")}});
  this->CommitOk(ExecutionBatch{
      {n}, {Step(n, {Event(1, "ExecutionStarted"), Event(2, "PassStateEntered", details)})}});
  auto running = this->store_->GetExecution(n.execution.arn);
  ASSERT_TRUE(running.ok() && running->has_value());
  EXPECT_EQ((*running)->status, ExecutionStatus::kRunning);

  ExecutionOutcome done{ExecutionStatus::kFailed, std::nullopt, "E", "a cause", 2000};
  this->CommitOk(ExecutionBatch{{}, {Step(n, {Event(3, "ExecutionFailed")}, done)}});
  auto closed = this->store_->GetExecution(n.execution.arn);
  ASSERT_TRUE(closed.ok() && closed->has_value());
  EXPECT_EQ((*closed)->status, ExecutionStatus::kFailed);
  EXPECT_EQ((*closed)->error, std::optional<std::string>("E"));
  EXPECT_EQ((*closed)->cause, std::optional<std::string>("a cause"));
  EXPECT_FALSE((*closed)->output.has_value());
  EXPECT_EQ((*closed)->stop_date_ms, 2000);

  auto history = this->store_->ReadHistory(n.execution.arn, "", 100, false);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->items.size(), 3u);
  EXPECT_TRUE(history->next.empty());
  EXPECT_EQ(history->items[1], Event(2, "PassStateEntered", details));
  EXPECT_EQ(history->items[2].type, "ExecutionFailed");
  EXPECT_TRUE(history->items[2].details_key.empty());
  EXPECT_TRUE(history->items[2].details.is_null());
}

TYPED_TEST(ExecutionStoreTest, ReopenMakesAnUnsuccessfulExecutionRunAgainOnItsHistory) {
  NewExecution failed = MakeExecution("failed");
  NewExecution ok = MakeExecution("ok");
  this->CommitOk(ExecutionBatch{
      {failed, ok},
      {Step(failed, {Event(1, "ExecutionStarted")}), Step(ok, {Event(1, "ExecutionStarted")})}});
  // Running: nothing to reopen.
  auto reopened = this->store_->ReopenExecution(failed.execution.arn, "", 0);
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(*reopened);
  this->CommitOk(ExecutionBatch{
      {},
      {Step(failed, {Event(2, "ExecutionFailed")},
            ExecutionOutcome{ExecutionStatus::kFailed, std::nullopt, "E", "C", 2000}),
       Step(ok, {Event(2, "ExecutionSucceeded")},
            ExecutionOutcome{ExecutionStatus::kSucceeded, "{}", std::nullopt, std::nullopt,
                             2000})}});
  reopened = this->store_->ReopenExecution(ok.execution.arn, "", 0);
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(*reopened);  // SUCCEEDED stays as it is
  reopened = this->store_->ReopenExecution("arn:aws:states:us-east-1:1:execution:m:none", "", 0);
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(*reopened);

  reopened = this->store_->ReopenExecution(failed.execution.arn, "", 0);
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(*reopened);
  auto e = this->store_->GetExecution(failed.execution.arn);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->status, ExecutionStatus::kRunning);
  EXPECT_FALSE((*e)->error.has_value());
  EXPECT_FALSE((*e)->cause.has_value());
  EXPECT_EQ((*e)->stop_date_ms, 0);
  reopened = this->store_->ReopenExecution(failed.execution.arn, "", 0);  // a second redrive
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(*reopened);
  auto running = this->store_->ListRunningExecutions();
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(NamesOf(*running), std::vector<std::string>{"failed"});
  // The redriven run continues the history and closes the execution again.
  this->CommitOk(ExecutionBatch{
      {},
      {Step(
          failed, {Event(3, "ExecutionRedriven"), Event(4, "ExecutionSucceeded")},
          ExecutionOutcome{ExecutionStatus::kSucceeded, "1", std::nullopt, std::nullopt, 3000})}});
  e = this->store_->GetExecution(failed.execution.arn);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ((*e)->output, std::optional<std::string>("1"));
  EXPECT_EQ((*e)->stop_date_ms, 3000);
  auto history = this->store_->ReadHistory(failed.execution.arn, "", 100, false);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(Ids(history->items), (std::vector<int64_t>{1, 2, 3, 4}));
}

TYPED_TEST(ExecutionStoreTest, ReopenWithAnOwnerLeasesTheExecutionToIt) {
  NewExecution n = MakeExecution("leased");
  ExecutionBatch create{{n}, {Step(n, {Event(1, "ExecutionStarted")})}};
  create.lease_owner = "node-a";
  create.lease_ttl_ms = 3600000;
  this->CommitOk(create);
  ExecutionBatch end{{},
                     {Step(n, {Event(2, "ExecutionFailed")},
                           ExecutionOutcome{ExecutionStatus::kAborted, std::nullopt, std::nullopt,
                                            std::nullopt, 2000})}};
  end.lease_owner = "node-a";
  end.steps[0].lease_epoch = 1;
  this->CommitOk(end);
  auto lease = this->store_->GetLease(n.execution.arn);
  ASSERT_TRUE(lease.ok());
  EXPECT_FALSE(lease->has_value());
  auto reopened = this->store_->ReopenExecution(n.execution.arn, "node-b", 3600000);
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(*reopened);
  lease = this->store_->GetLease(n.execution.arn);
  ASSERT_TRUE(lease.ok() && lease->has_value());
  EXPECT_EQ((*lease)->owner, "node-b");
  EXPECT_EQ((*lease)->epoch, 1);
  // The old owner is fenced off; the new one writes.
  ExecutionBatch stale{{}, {Step(n, {Event(3, "ExecutionRedriven")})}};
  stale.lease_owner = "node-a";
  stale.steps[0].lease_epoch = 1;
  CommitReport report;
  ASSERT_TRUE(this->store_->Commit(stale, &report).ok());
  EXPECT_EQ(report.fenced, std::vector<std::string>{n.execution.arn});
  ExecutionBatch next{{}, {Step(n, {Event(3, "ExecutionRedriven")})}};
  next.lease_owner = "node-b";
  next.steps[0].lease_epoch = 1;
  ASSERT_TRUE(this->store_->Commit(next, &report).ok());
  EXPECT_TRUE(report.fenced.empty());
}

TYPED_TEST(ExecutionStoreTest, SucceededOutcomeKeepsTheOutputText) {
  NewExecution n = MakeExecution("a");
  ExecutionOutcome done{ExecutionStatus::kSucceeded, std::string("{\"r\":[1,2.0]}"), {}, {}, 5};
  this->CommitOk(ExecutionBatch{{n}, {Step(n, {}, done)}});
  auto got = this->store_->GetExecution(n.execution.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ((*got)->output, std::optional<std::string>("{\"r\":[1,2.0]}"));
  EXPECT_FALSE((*got)->error.has_value());
}

TYPED_TEST(ExecutionStoreTest, HistoryPagesForwardAndBackward) {
  NewExecution n = MakeExecution("a");
  std::vector<HistoryEvent> events;
  for (int i = 1; i <= 7; ++i) events.push_back(Event(i, "E" + std::to_string(i)));
  this->CommitOk(ExecutionBatch{{n}, {Step(n, {events.begin(), events.begin() + 4})}});
  this->CommitOk(ExecutionBatch{{}, {Step(n, {events.begin() + 4, events.end()})}});
  for (bool reverse : {false, true}) {
    std::vector<int64_t> seen;
    std::string after;
    int pages = 0;
    while (true) {
      auto page = this->store_->ReadHistory(n.execution.arn, after, 3, reverse);
      ASSERT_TRUE(page.ok());
      ++pages;
      for (int64_t id : Ids(page->items)) seen.push_back(id);
      if (page->next.empty()) break;
      after = page->next;
    }
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(seen, reverse ? std::vector<int64_t>({7, 6, 5, 4, 3, 2, 1})
                            : std::vector<int64_t>({1, 2, 3, 4, 5, 6, 7}));
  }
  // A page that ends exactly at the last event has no next key.
  auto whole = this->store_->ReadHistory(n.execution.arn, "", 7, false);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->items.size(), 7u);
  EXPECT_TRUE(whole->next.empty());
}

TYPED_TEST(ExecutionStoreTest, ListIsNewestFirstPagedAndFiltered) {
  this->CreateMany(7);
  ExecutionFilter all{kMachineArn, "", std::nullopt};
  EXPECT_EQ(this->ListAll(all, 3),
            (std::vector<std::string>{"e6", "e5", "e4", "e3", "e2", "e1", "e0"}));
  EXPECT_EQ(this->ListAll(all, 7).size(), 7u);
  ExecutionFilter succeeded{kMachineArn, "", ExecutionStatus::kSucceeded};
  EXPECT_EQ(this->ListAll(succeeded, 2), (std::vector<std::string>{"e6", "e4", "e2", "e0"}));
  ExecutionFilter running{kMachineArn, "", ExecutionStatus::kRunning};
  EXPECT_EQ(this->ListAll(running, 100), (std::vector<std::string>{"e5", "e3", "e1"}));
  ExecutionFilter aborted{kMachineArn, "", ExecutionStatus::kAborted};
  EXPECT_TRUE(this->ListAll(aborted, 100).empty());
  ExecutionFilter other{"arn:aws:states:us-east-1:123456789012:stateMachine:other", "", {}};
  EXPECT_TRUE(this->ListAll(other, 100).empty());
}

TYPED_TEST(ExecutionStoreTest, RunningExecutionsOfEveryMachineOldestFirst) {
  this->CreateMany(5);  // e1 and e3 stay running
  ExecutionBatch batch;
  NewExecution other = MakeExecution("o1");
  other.execution.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:other";
  other.execution.arn = "arn:aws:states:us-east-1:123456789012:execution:other:o1";
  batch.created.push_back(other);
  this->CommitOk(std::move(batch));
  auto running = this->store_->ListRunningExecutions();
  ASSERT_TRUE(running.ok());
  std::vector<std::string> names;
  for (const Execution& e : *running) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"e1", "e3", "o1"}));
}

TYPED_TEST(ExecutionStoreTest, ListByVersion) {
  NewExecution plain = MakeExecution("plain");
  NewExecution v1 = MakeExecution("v1");
  v1.execution.version_arn = std::string(kMachineArn) + ":1";
  NewExecution v2 = MakeExecution("v2");
  v2.execution.version_arn = std::string(kMachineArn) + ":2";
  this->CommitOk(ExecutionBatch{{plain, v1, v2}, {}});
  ExecutionFilter version{kMachineArn, std::string(kMachineArn) + ":1", {}};
  EXPECT_EQ(this->ListAll(version, 1), (std::vector<std::string>{"v1"}));
}

TYPED_TEST(ExecutionStoreTest, ListByAlias) {
  NewExecution plain = MakeExecution("plain");
  NewExecution a1 = MakeExecution("a1");
  a1.execution.version_arn = std::string(kMachineArn) + ":1";
  a1.execution.alias_arn = std::string(kMachineArn) + ":prod";
  NewExecution v1 = MakeExecution("v1");
  v1.execution.version_arn = std::string(kMachineArn) + ":1";
  NewExecution a2 = MakeExecution("a2");
  a2.execution.version_arn = std::string(kMachineArn) + ":2";
  a2.execution.alias_arn = std::string(kMachineArn) + ":prod";
  this->CommitOk(ExecutionBatch{{plain, a1, v1, a2}, {}});
  ExecutionFilter alias{kMachineArn, "", {}, std::string(kMachineArn) + ":prod"};
  EXPECT_EQ(this->ListAll(alias, 1), (std::vector<std::string>{"a2", "a1"}));
  alias.status = ExecutionStatus::kRunning;
  alias.version_arn = std::string(kMachineArn) + ":2";
  EXPECT_EQ(this->ListAll(alias, 5), (std::vector<std::string>{"a2"}));
}

TYPED_TEST(ExecutionStoreTest, ListKeysStayValidWhileExecutionsAreAdded) {
  this->CreateMany(4);
  ExecutionFilter all{kMachineArn, "", std::nullopt};
  auto first = this->store_->ListExecutions(all, "", 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(NamesOf(first->items), (std::vector<std::string>{"e3", "e2"}));
  this->CommitOk(ExecutionBatch{{MakeExecution("late")}, {}});
  auto second = this->store_->ListExecutions(all, first->next, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(NamesOf(second->items), (std::vector<std::string>{"e1", "e0"}));
  EXPECT_TRUE(second->next.empty());
}

TYPED_TEST(ExecutionStoreTest, BadBatchesChangeNothing) {
  NewExecution n = MakeExecution("a");
  this->CommitOk(ExecutionBatch{{n}, {}});
  // A step of an unknown execution fails the whole batch, creations included.
  NewExecution fresh = MakeExecution("fresh");
  NewExecution ghost = MakeExecution("ghost");
  CommitReport report;
  Status s = this->store_->Commit(
      ExecutionBatch{{fresh}, {Step(n, {Event(1, "X")}), Step(ghost, {})}}, &report);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().error, kStoreFailure);
  auto f = this->store_->GetExecution(fresh.execution.arn);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->has_value());
  auto history = this->store_->ReadHistory(n.execution.arn, "", 10, false);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->items.empty());
}

// Creating an execution whose ARN exists is not an error: that creation is skipped and
// reported, the stored execution (and its history) stays untouched, the rest is written. Steps
// of the skipped one in the same batch are skipped with it.
TYPED_TEST(ExecutionStoreTest, AnExistingNameIsSkippedAndReported) {
  NewExecution n = MakeExecution("a");
  this->CommitOk(ExecutionBatch{{n}, {Step(n, {Event(1, "ExecutionStarted")})}});
  NewExecution fresh = MakeExecution("fresh");
  NewExecution again = MakeExecution("a", "digest-2", 5000);
  again.execution.input = R"({"other": true})";
  CommitReport report;
  report.fenced.push_back("left over");  // cleared by Commit
  Status s = this->store_->Commit(
      ExecutionBatch{{fresh, again},
                     {Step(again, {Event(1, "ExecutionStarted")}), Step(fresh, {Event(1, "S")})}},
      &report);
  ASSERT_TRUE(s.ok()) << s.error().cause;
  EXPECT_EQ(report.existed, std::vector<std::string>{n.execution.arn});
  EXPECT_TRUE(report.fenced.empty());
  auto got = this->store_->GetExecution(n.execution.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, n.execution);
  auto machine = this->store_->GetExecutionMachine(n.execution.arn);
  ASSERT_TRUE(machine.ok() && machine->has_value());
  EXPECT_EQ(**machine, n.machine);
  auto history = this->store_->ReadHistory(n.execution.arn, "", 10, false);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(Ids(history->items), (std::vector<int64_t>{1}));
  auto f = this->store_->GetExecution(fresh.execution.arn);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->has_value());
  auto fresh_history = this->store_->ReadHistory(fresh.execution.arn, "", 10, false);
  ASSERT_TRUE(fresh_history.ok());
  EXPECT_EQ(Ids(fresh_history->items), (std::vector<int64_t>{1}));
  // A clean commit leaves the report empty.
  NewExecution other = MakeExecution("other");
  ASSERT_TRUE(this->store_->Commit(ExecutionBatch{{other}, {}}, &report).ok());
  EXPECT_TRUE(report.existed.empty());
  EXPECT_TRUE(report.fenced.empty());
}

// The same name twice in one batch: the first is created (with the batch's steps of that name),
// the second reported.
TYPED_TEST(ExecutionStoreTest, ANameCreatedTwiceInABatchIsCreatedOnce) {
  NewExecution first = MakeExecution("a");
  NewExecution second = MakeExecution("a", "digest-2", 5000);
  CommitReport report;
  Status s = this->store_->Commit(
      ExecutionBatch{{first, second}, {Step(first, {Event(1, "ExecutionStarted")})}}, &report);
  ASSERT_TRUE(s.ok()) << s.error().cause;
  EXPECT_EQ(report.existed, std::vector<std::string>{first.execution.arn});
  auto got = this->store_->GetExecution(first.execution.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->start_date_ms, first.execution.start_date_ms);
  auto history = this->store_->ReadHistory(first.execution.arn, "", 10, false);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(Ids(history->items), (std::vector<int64_t>{1}));
}

TYPED_TEST(ExecutionStoreTest, CreateAndStepInOneBatch) {
  NewExecution n = MakeExecution("a");
  ExecutionOutcome done{ExecutionStatus::kAborted, std::nullopt, std::nullopt, std::nullopt, 7};
  this->CommitOk(ExecutionBatch{{n}, {Step(n, {Event(1, "ExecutionStarted")}), Step(n, {}, done)}});
  auto got = this->store_->GetExecution(n.execution.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->status, ExecutionStatus::kAborted);
  EXPECT_FALSE((*got)->error.has_value());
  EXPECT_FALSE((*got)->cause.has_value());
}

TYPED_TEST(ExecutionStoreTest, ExecutionsOutliveTheirStateMachine) {
  StateMachine m;
  m.arn = kMachineArn;
  m.name = "m";
  ASSERT_TRUE(this->store_->CreateStateMachine(m, {}).ok());
  NewExecution n = MakeExecution("a");
  this->CommitOk(ExecutionBatch{{n}, {Step(n, {Event(1, "ExecutionStarted")})}});
  ASSERT_TRUE(this->store_->DeleteStateMachine(kMachineArn).ok());
  auto got = this->store_->GetExecution(n.execution.arn);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->has_value());
}

// A commit whose events do not continue an execution's history (a gap or a repeated id) is
// refused whole, with kOutOfSequence, and changes nothing.
TYPED_TEST(ExecutionStoreTest, EventIdsMustContinueTheHistory) {
  NewExecution n = MakeExecution("a");
  this->CommitOk(ExecutionBatch{{n}, {Step(n, {Event(1, "ExecutionStarted"), Event(2, "B")})}});
  NewExecution fresh = MakeExecution("fresh");
  const std::vector<std::vector<int64_t>> bad = {
      {4},     // a gap
      {2},     // a repeat of the last event
      {1},     // a repeat of the first
      {3, 3},  // a repeat within the step
      {3, 5},  // a gap within the step
      {0},
  };
  for (const std::vector<int64_t>& ids : bad) {
    std::vector<HistoryEvent> events;
    for (int64_t id : ids) events.push_back(Event(id, "X"));
    // With a valid creation in the same batch: the whole batch is refused.
    Status s = this->store_->Commit(ExecutionBatch{{fresh}, {Step(n, events)}});
    ASSERT_FALSE(s.ok()) << "ids " << ::testing::PrintToString(ids) << " were accepted";
    EXPECT_EQ(s.error().error, kOutOfSequence) << s.error().cause;
  }
  auto f = this->store_->GetExecution(fresh.execution.arn);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->has_value());
  auto history = this->store_->ReadHistory(n.execution.arn, "", 10, false);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(Ids(history->items), (std::vector<int64_t>{1, 2}));
  this->CommitOk(ExecutionBatch{{}, {Step(n, {Event(3, "C")})}});  // the right id is taken
}

TYPED_TEST(ExecutionStoreTest, EventIdsOfANewExecutionStartAtOne) {
  NewExecution n = MakeExecution("a");
  Status s = this->store_->Commit(ExecutionBatch{{n}, {Step(n, {Event(2, "ExecutionStarted")})}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().error, kOutOfSequence);
  auto got = this->store_->GetExecution(n.execution.arn);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

// Several steps of one execution in a batch continue each other; a step without events (an
// outcome alone) is fine anywhere.
TYPED_TEST(ExecutionStoreTest, StepsOfOneBatchContinueEachOther) {
  NewExecution n = MakeExecution("a");
  NewExecution m = MakeExecution("b");
  this->CommitOk(ExecutionBatch{
      {n, m},
      {Step(n, {Event(1, "A")}), Step(m, {Event(1, "A")}), Step(n, {Event(2, "B"), Event(3, "C")}),
       Step(n, {}), Step(m, {Event(2, "B")})}});
  Status repeat = this->store_->Commit(ExecutionBatch{
      {}, {Step(n, {Event(4, "D")}), Step(m, {Event(3, "C")}), Step(n, {Event(4, "D")})}});
  ASSERT_FALSE(repeat.ok());
  EXPECT_EQ(repeat.error().error, kOutOfSequence);
  for (const NewExecution* e : {&n, &m}) {
    auto history = this->store_->ReadHistory(e->execution.arn, "", 10, false);
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(Ids(history->items),
              e == &n ? std::vector<int64_t>({1, 2, 3}) : std::vector<int64_t>({1, 2}));
  }
}

TYPED_TEST(ExecutionStoreTest, CommitQueueGroupsConcurrentSubmissionsInOrder) {
  CommitQueue queue(this->store_.get());
  constexpr int kExecutions = 8;
  constexpr int kEvents = 50;
  std::vector<NewExecution> created;
  for (int i = 0; i < kExecutions; ++i) created.push_back(MakeExecution("q" + std::to_string(i)));
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  auto count = [&](const Status& s) {
    done.fetch_add(1);
    if (!s.ok()) failed.fetch_add(1);
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kExecutions; ++i) {
    threads.emplace_back([&, i] {
      queue.Submit(created[i], count);
      for (int id = 1; id <= kEvents; ++id) {
        queue.Submit(Step(created[i], {Event(id, "E")}), count);
      }
      queue.Submit(
          Step(created[i], {}, ExecutionOutcome{ExecutionStatus::kSucceeded, "{}", {}, {}, 1}),
          count);
    });
  }
  for (auto& t : threads) t.join();
  queue.Flush();
  EXPECT_EQ(done.load(), kExecutions * (kEvents + 2));
  EXPECT_EQ(failed.load(), 0);
  // Fewer transactions than submissions: submissions made during a commit share the next one.
  EXPECT_LT(queue.commits(), static_cast<uint64_t>(kExecutions * (kEvents + 2)));
  for (const NewExecution& n : created) {
    auto history = this->store_->ReadHistory(n.execution.arn, "", 1000, false);
    ASSERT_TRUE(history.ok());
    std::vector<int64_t> want;
    for (int id = 1; id <= kEvents; ++id) want.push_back(id);
    EXPECT_EQ(Ids(history->items), want);
    auto got = this->store_->GetExecution(n.execution.arn);
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->status, ExecutionStatus::kSucceeded);
  }
}

// A failed commit is sticky: the failing batch's submissions and every later one (AfterCommit
// included) get its error, and nothing more reaches the store, not even a valid batch.
TYPED_TEST(ExecutionStoreTest, CommitQueueFailureIsSticky) {
  CommitQueue queue(this->store_.get());
  NewExecution before = MakeExecution("before");
  std::optional<Status> before_status;
  queue.Submit(before, [&](const Status& s) { before_status = s; });
  queue.Flush();
  ASSERT_TRUE(before_status.has_value());
  ASSERT_TRUE(before_status->ok());
  EXPECT_TRUE(queue.error().ok());

  NewExecution ghost = MakeExecution("ghost");  // never created: its step fails the commit
  std::optional<Status> ghost_status;
  queue.Submit(Step(ghost, {Event(1, "E")}), [&](const Status& s) { ghost_status = s; });
  queue.Flush();
  ASSERT_TRUE(ghost_status.has_value());
  ASSERT_FALSE(ghost_status->ok());
  const uint64_t commits = queue.commits();

  NewExecution after = MakeExecution("after");
  std::optional<Status> after_status, step_status, marker_status;
  queue.Submit(after, [&](const Status& s) { after_status = s; });
  queue.Submit(Step(before, {Event(1, "ExecutionStarted")}),
               [&](const Status& s) { step_status = s; });
  queue.AfterCommit([&](const Status& s) { marker_status = s; });
  queue.Flush();
  for (const std::optional<Status>* s : {&after_status, &step_status, &marker_status}) {
    ASSERT_TRUE(s->has_value());
    ASSERT_FALSE((*s)->ok());
    EXPECT_EQ((*s)->error(), ghost_status->error());  // the first error, kept
  }
  ASSERT_FALSE(queue.error().ok());
  EXPECT_EQ(queue.error().error(), ghost_status->error());
  EXPECT_EQ(queue.commits(), commits);  // nothing more was committed
  auto got = this->store_->GetExecution(after.execution.arn);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  auto history = this->store_->ReadHistory(before.execution.arn, "", 10, false);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->items.empty());
}

TYPED_TEST(ExecutionStoreTest, CommitQueueAfterCommitRunsOnceEarlierSubmissionsAreDurable) {
  CommitQueue queue(this->store_.get());
  NewExecution n = MakeExecution("a");
  bool visible = false;
  std::optional<Status> status;
  queue.Submit(n);
  queue.AfterCommit([&](const Status& s) {
    status = s;
    auto got = this->store_->GetExecution(n.execution.arn);
    visible = got.ok() && got->has_value();
  });
  queue.Flush();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok());
  EXPECT_TRUE(visible);
  // With nothing queued it runs at once, without a transaction.
  uint64_t commits = queue.commits();
  bool ran = false;
  queue.AfterCommit([&](const Status& s) { ran = s.ok(); });
  queue.Flush();
  EXPECT_TRUE(ran);
  EXPECT_EQ(queue.commits(), commits);
}

TYPED_TEST(ExecutionStoreTest, CommitQueueDestructorCommitsWhatIsQueued) {
  NewExecution n = MakeExecution("a");
  {
    CommitQueue queue(this->store_.get());
    queue.Submit(n);
    queue.Submit(Step(n, {Event(1, "ExecutionStarted")}));
  }
  auto history = this->store_->ReadHistory(n.execution.arn, "", 10, false);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->items.size(), 1u);
}

// A commit's non-empty report reaches the listener on the writer thread before that batch's
// `done` callbacks run; clean commits are not reported.
TYPED_TEST(ExecutionStoreTest, CommitQueueReportsBeforeTheBatchIsAnswered) {
  NewExecution n = MakeExecution("a");
  this->CommitOk(ExecutionBatch{{n}, {}});
  std::vector<CommitReport> reports;  // written on the writer thread only
  CommitQueue queue(this->store_.get(), nullptr,
                    [&](const CommitReport& report) { reports.push_back(report); });
  NewExecution fresh = MakeExecution("fresh");
  queue.Submit(fresh);
  queue.Flush();
  EXPECT_TRUE(reports.empty());
  std::optional<Status> status;
  size_t seen = 0;
  std::vector<std::string> existed;
  queue.Submit(n, [&](const Status& s) {
    status = s;
    seen = reports.size();
    if (!reports.empty()) existed = reports.back().existed;
  });
  queue.Flush();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok());
  EXPECT_EQ(seen, 1u);
  EXPECT_EQ(existed, std::vector<std::string>{n.execution.arn});
  EXPECT_EQ(reports.size(), 1u);
}

// The queue's Leases ride on every batch: executions it creates are leased to its node, and
// its fenced steps are reported.
TYPED_TEST(ExecutionStoreTest, CommitQueueCommitsForItsLeaseOwner) {
  std::vector<CommitReport> reports;
  CommitQueue queue(
      this->store_.get(), nullptr, [&](const CommitReport& report) { reports.push_back(report); },
      CommitQueue::Leases{"node-a", 3600 * 1000});
  NewExecution n = MakeExecution("a");
  queue.Submit(n);
  ExecutionStep step = Step(n, {Event(1, "ExecutionStarted")});
  step.lease_epoch = 1;
  queue.Submit(step);
  queue.Flush();
  EXPECT_TRUE(reports.empty());
  auto lease = this->store_->GetLease(n.execution.arn);
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(*lease, (std::optional<Lease>(Lease{n.execution.arn, "node-a", 1})));
  auto stolen = this->store_->StealLease(n.execution.arn, "node-b", 3600 * 1000);
  ASSERT_TRUE(stolen.ok() && stolen->has_value());
  step = Step(n, {Event(2, "E")});
  step.lease_epoch = 1;
  std::optional<Status> status;
  queue.Submit(step, [&](const Status& s) { status = s; });
  queue.Flush();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].fenced, std::vector<std::string>{n.execution.arn});
  auto history = this->store_->ReadHistory(n.execution.arn, "", 10, false);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(Ids(history->items), (std::vector<int64_t>{1}));
}

// SqliteStore: executions and histories survive reopening the file.
TEST(SqliteExecutionStoreTest, SurvivesReopen) {
  SqliteFactory f;
  NewExecution n = MakeExecution("a");
  json::Value details = json::Value::MakeObject({{"output", json::Value::String("{\"k\":\"é\"}")}});
  {
    auto store = f.Open();
    ASSERT_TRUE(
        store
            ->Commit(ExecutionBatch{
                {n},
                {Step(
                    n, {Event(1, "ExecutionStarted"), Event(2, "ExecutionSucceeded", details)},
                    ExecutionOutcome{ExecutionStatus::kSucceeded, "{\"k\":\"é\"}", {}, {}, 3000})}})
            .ok());
  }
  auto store = f.Open();
  auto got = store->GetExecution(n.execution.arn);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ((*got)->output, std::optional<std::string>("{\"k\":\"é\"}"));
  auto history = store->ReadHistory(n.execution.arn, "", 10, false);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->items.size(), 2u);
  EXPECT_EQ(history->items[1].details, details);
  auto machine = store->GetExecutionMachine(n.execution.arn);
  ASSERT_TRUE(machine.ok() && machine->has_value());
  EXPECT_EQ(**machine, n.machine);
}

}  // namespace
}  // namespace stator::store
