// SqliteStore opening a database written by an earlier build: for every earlier schema version k,
// a file at version k (migrations 1..k applied) holding representative rows of each table that
// version has is opened with the current code, which must migrate it to the current schema
// (the same schema a new file gets) and read every row back through the Store interface.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "common/sqlite.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_store.h"
#include "store/store_test_util.h"

namespace stator::store {
namespace {

using test_util::SqliteFactory;

constexpr const char* kMachine = "arn:aws:states:us-east-1:123456789012:stateMachine:old";
constexpr const char* kRunning = "arn:aws:states:us-east-1:123456789012:execution:old:running";
constexpr const char* kDone = "arn:aws:states:us-east-1:123456789012:execution:old:done";

std::unique_ptr<sqlite::Database> OpenRaw(const std::string& path) {
  sqlite::Options options;
  options.foreign_keys = true;
  auto db = sqlite::Database::Open(path, options);
  EXPECT_TRUE(db.ok()) << db.error().cause;
  return db.ok() ? std::move(db).value() : nullptr;
}

void Exec(sqlite::Database* db, const std::string& sql) {
  Status s = db->Exec(sql);
  ASSERT_TRUE(s.ok()) << s.error().cause;
}

// Rows of the tables version 1 added: a state machine with a version and tags.
void PutVersion1Data(sqlite::Database* db) {
  Exec(db, std::string("INSERT INTO state_machines VALUES ('") + kMachine +
               "', 'old', 'STANDARD', '{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\","
               "\"End\":true}}}', 'arn:aws:iam::123456789012:role/r', "
               "'{\"level\":\"OFF\",\"includeExecutionData\":false}', '{\"enabled\":false}', '', "
               "1000, 'rev-1', 2000, 1)");
  Exec(db, std::string("INSERT INTO state_machine_versions VALUES ('") + kMachine +
               "', 1, '{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}', "
               "'arn:aws:iam::123456789012:role/r', "
               "'{\"level\":\"OFF\",\"includeExecutionData\":false}', '{\"enabled\":false}', '', "
               "'first', 'rev-1', 2500)");
  Exec(db, std::string("INSERT INTO tags VALUES ('") + kMachine + "', 'team', 'a', 1), ('" +
               kMachine + "', 'env', 'prod', 2), ('" + kMachine + ":1', 'v', '1', 1)");
}

// Rows of the tables version 2 added: two executions (one running, one ended) of one machine
// snapshot, with history.
void PutVersion2Data(sqlite::Database* db) {
  Exec(db,
       "INSERT INTO execution_machines VALUES ('digest', '{\"StartAt\":\"A\",\"States\":{\"A\":"
       "{\"Type\":\"Wait\",\"Seconds\":60,\"End\":true}}}', 'arn:aws:iam::123456789012:role/r', "
       "'{}', '{}', '', 'rev-1', 2000)");
  Exec(db, std::string("INSERT INTO executions (seq, arn, state_machine_arn, name, version_arn, "
                       "alias_arn, machine_id, status, input, output, error, cause, "
                       "start_date_ms, stop_date_ms) VALUES (1, '") +
               kRunning + "', '" + kMachine +
               "', 'running', '', '', 'digest', 'RUNNING', '{\"x\":1}', NULL, NULL, NULL, 3000, "
               "0), (2, '" +
               kDone + "', '" + kMachine + "', 'done', '" + kMachine +
               ":1', '', 'digest', 'SUCCEEDED', '{}', '{\"r\":2}', NULL, NULL, 3100, 3200)");
  Exec(db,
       "INSERT INTO history_events VALUES "
       "(1, 1, 0, 3000, 'ExecutionStarted', 'executionStartedEventDetails', "
       "'{\"input\":\"{\\\"x\\\":1}\"}'), "
       "(1, 2, 1, 3001, 'WaitStateEntered', 'stateEnteredEventDetails', '{\"name\":\"A\"}'), "
       "(2, 1, 0, 3100, 'ExecutionStarted', '', ''), "
       "(2, 2, 1, 3200, 'ExecutionSucceeded', 'executionSucceededEventDetails', "
       "'{\"output\":\"{\\\"r\\\":2}\"}')");
}

// Every table, index and trigger of a database file, with its SQL.
std::vector<std::tuple<std::string, std::string, std::string>> Schema(const std::string& path) {
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  auto db = OpenRaw(path);
  if (!db) return out;
  sqlite::Statement s(db.get(),
                      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                      "ORDER BY type, name");
  for (;;) {
    Result<bool> row = s.Step();
    EXPECT_TRUE(row.ok());
    if (!row.ok() || !*row) break;
    out.emplace_back(s.ColumnText(0), s.ColumnText(1), s.ColumnText(2));
  }
  return out;
}

std::vector<int64_t> Ids(const std::vector<HistoryEvent>& events) {
  std::vector<int64_t> ids;
  for (const HistoryEvent& e : events) ids.push_back(e.id);
  return ids;
}

void CheckVersion1Data(Store* store) {
  auto m = store->GetStateMachine(kMachine);
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->name, "old");
  EXPECT_EQ((*m)->type, StateMachineType::kStandard);
  EXPECT_EQ((*m)->config.role_arn, "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ((*m)->config.logging_configuration, R"({"level":"OFF","includeExecutionData":false})");
  EXPECT_EQ((*m)->creation_date_ms, 1000);
  EXPECT_EQ((*m)->revision_id, "rev-1");
  EXPECT_EQ((*m)->update_date_ms, 2000);
  auto versions = store->ListVersions(kMachine);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].description, "first");
  EXPECT_EQ((*versions)[0].creation_date_ms, 2500);
  auto tags = store->ListTags(kMachine);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<Tag>{{"team", "a"}, {"env", "prod"}}));
  // The next version continues the numbering kept in last_version.
  StateMachineVersion v = (*versions)[0];
  v.revision_id = "rev-2";
  auto published = store->PublishVersion(v);
  ASSERT_TRUE(published.ok()) << published.error().cause;
  EXPECT_EQ(published->version, 2);
}

void CheckVersion2Data(Store* store) {
  auto running = store->GetExecution(kRunning);
  ASSERT_TRUE(running.ok() && running->has_value());
  EXPECT_EQ((*running)->status, ExecutionStatus::kRunning);
  EXPECT_EQ((*running)->input, R"({"x":1})");
  EXPECT_EQ((*running)->start_date_ms, 3000);
  auto done = store->GetExecution(kDone);
  ASSERT_TRUE(done.ok() && done->has_value());
  EXPECT_EQ((*done)->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ((*done)->output, std::optional<std::string>(R"({"r":2})"));
  EXPECT_EQ((*done)->version_arn, std::string(kMachine) + ":1");
  EXPECT_EQ((*done)->stop_date_ms, 3200);
  auto machine = store->GetExecutionMachine(kRunning);
  ASSERT_TRUE(machine.ok() && machine->has_value());
  EXPECT_EQ((*machine)->id, "digest");
  EXPECT_EQ((*machine)->update_date_ms, 2000);

  auto history = store->ReadHistory(kRunning, "", 100, false);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(Ids(history->items), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(history->items[0].details,
            json::Value::MakeObject({{"input", json::Value::String(R"({"x":1})")}}));
  EXPECT_EQ(history->items[1].type, "WaitStateEntered");
  auto done_history = store->ReadHistory(kDone, "", 100, true);
  ASSERT_TRUE(done_history.ok());
  EXPECT_EQ(Ids(done_history->items), (std::vector<int64_t>{2, 1}));
  EXPECT_TRUE(done_history->items[1].details.is_null());

  // What a restarting server reads (v003's index), and listing by status.
  auto all_running = store->ListRunningExecutions();
  ASSERT_TRUE(all_running.ok());
  ASSERT_EQ(all_running->size(), 1u);
  EXPECT_EQ((*all_running)[0].arn, kRunning);
  auto succeeded =
      store->ListExecutions(ExecutionFilter{kMachine, "", ExecutionStatus::kSucceeded}, "", 10);
  ASSERT_TRUE(succeeded.ok());
  ASSERT_EQ(succeeded->items.size(), 1u);
  EXPECT_EQ(succeeded->items[0].arn, kDone);

  // The running execution carries on: its next event continues the old history...
  HistoryEvent next;
  next.id = 3;
  next.previous_event_id = 2;
  next.type = "WaitStateExited";
  Status s = store->Commit(ExecutionBatch{{}, {ExecutionStep{kRunning, {next}, std::nullopt}}});
  ASSERT_TRUE(s.ok()) << s.error().cause;
  auto after = store->ReadHistory(kRunning, "", 100, false);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(Ids(after->items), (std::vector<int64_t>{1, 2, 3}));
  // ...and a gap after the old history is refused.
  next.id = 5;
  Status gap = store->Commit(ExecutionBatch{{}, {ExecutionStep{kRunning, {next}, std::nullopt}}});
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.error().error, kOutOfSequence);
}

// Version 5's leases: executions stored before it have none (they belong to no node), and the
// table takes leases, which an outcome ends (its trigger).
void CheckVersion5Leases(Store* store, bool has_version2_data) {
  if (has_version2_data) {
    auto lease = store->GetLease(kRunning);
    ASSERT_TRUE(lease.ok());
    EXPECT_FALSE(lease->has_value());
    auto stolen = store->StealLease(kRunning, "node-a", 60000);
    ASSERT_TRUE(stolen.ok());
    EXPECT_FALSE(stolen->has_value());
  }
  auto none = store->ClaimExpiredLeases("node-a", 60000, 10, true);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  NewExecution n;
  n.execution.arn = std::string(kRunning) + "-leased";
  n.execution.state_machine_arn = kMachine;
  n.execution.name = "running-leased";
  n.execution.input = "{}";
  n.machine.id = "digest-leased";
  ExecutionBatch batch{{n}, {}};
  batch.lease_owner = "node-a";
  batch.lease_ttl_ms = 60000;
  ASSERT_TRUE(store->Commit(batch).ok());
  auto lease = store->GetLease(n.execution.arn);
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(*lease, (std::optional<Lease>(Lease{n.execution.arn, "node-a", 1})));
  ExecutionStep end{
      n.execution.arn, {}, ExecutionOutcome{ExecutionStatus::kAborted, {}, {}, {}, 1}};
  ASSERT_TRUE(store->Commit(ExecutionBatch{{}, {end}}).ok());
  lease = store->GetLease(n.execution.arn);
  ASSERT_TRUE(lease.ok());
  EXPECT_FALSE(lease->has_value());
}

TEST(SqliteMigrationTest, EveryEarlierVersionOpensWithItsData) {
  const std::vector<sqlite::Migration>& migrations = SqliteMigrations();
  // A new migration needs its representative rows here (PutVersionNData, CheckVersionNData).
  ASSERT_EQ(migrations.size(), 5u) << "add the new schema version's data to this test";
  SqliteFactory fresh;
  { ASSERT_NE(fresh.Open(), nullptr); }
  const auto current_schema = Schema(fresh.path());
  ASSERT_FALSE(current_schema.empty());

  for (size_t k = 0; k < migrations.size(); ++k) {
    SCOPED_TRACE("from version " + std::to_string(k));
    SqliteFactory f;
    {
      auto db = OpenRaw(f.path());
      ASSERT_NE(db, nullptr);
      auto version = sqlite::Migrate(db.get(), std::span(migrations).first(k));
      ASSERT_TRUE(version.ok()) << version.error().cause;
      ASSERT_EQ(*version, static_cast<int>(k));
      if (k >= 1) PutVersion1Data(db.get());
      if (k >= 2) PutVersion2Data(db.get());
    }
    {
      auto opened = SqliteStore::Open(f.path());
      ASSERT_TRUE(opened.ok()) << opened.error().cause;
      SqliteStore* store = opened->get();
      EXPECT_EQ(store->schema_version(), migrations.back().version);
      if (k >= 1) CheckVersion1Data(store);
      if (k >= 2) CheckVersion2Data(store);
      // Version 4's records table is there, empty, and takes writes.
      auto none = store->ListRecords("knix.users", "", "", 10);
      ASSERT_TRUE(none.ok());
      EXPECT_TRUE(none->items.empty());
      ASSERT_TRUE(store->WriteRecords({RecordWrite::Put("knix.users", "a", "{}")}).ok());
      CheckVersion5Leases(store, k >= 2);
    }
    EXPECT_EQ(Schema(f.path()), current_schema);
    auto db = OpenRaw(f.path());
    ASSERT_NE(db, nullptr);
    sqlite::Statement s(db.get(), "SELECT version, file FROM schema_version ORDER BY version");
    for (const sqlite::Migration& m : migrations) {
      auto row = s.Step();
      ASSERT_TRUE(row.ok() && *row);
      EXPECT_EQ(s.ColumnInt(0), m.version);
      EXPECT_EQ(s.ColumnText(1), m.file);
    }
    auto end = s.Step();
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
  }
}

}  // namespace
}  // namespace stator::store
