#include "store/sqlite_store.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "store/sqlite_schema.h"

namespace stator::store {
namespace {

using sqlite::Statement;
using sqlite::Transaction;

constexpr const char* kMachineColumns =
    "arn, name, type, definition, role_arn, logging_configuration, tracing_configuration, "
    "encryption_configuration, creation_date_ms, revision_id, update_date_ms";

// A StateMachineConfig is five columns wherever it is kept (state machines, versions, the
// machines executions ran): definition, role_arn, logging_configuration,
// tracing_configuration, encryption_configuration, from column `first` (0-based) or parameter
// `first` (1-based) on.
StateMachineConfig ReadConfig(const Statement& s, int first) {
  StateMachineConfig c;
  c.definition = s.ColumnText(first);
  c.role_arn = s.ColumnText(first + 1);
  c.logging_configuration = s.ColumnText(first + 2);
  c.tracing_configuration = s.ColumnText(first + 3);
  c.encryption_configuration = s.ColumnText(first + 4);
  return c;
}

Statement& BindConfig(Statement& s, int first, const StateMachineConfig& c) {
  return s.Bind(first, c.definition)
      .Bind(first + 1, c.role_arn)
      .Bind(first + 2, c.logging_configuration)
      .Bind(first + 3, c.tracing_configuration)
      .Bind(first + 4, c.encryption_configuration);
}

StateMachine ReadMachine(const Statement& s) {
  StateMachine m;
  m.arn = s.ColumnText(0);
  m.name = s.ColumnText(1);
  m.type = ParseStateMachineType(s.ColumnText(2)).value_or(StateMachineType::kStandard);
  m.config = ReadConfig(s, 3);
  m.creation_date_ms = s.ColumnInt(8);
  m.revision_id = s.ColumnText(9);
  m.update_date_ms = s.ColumnInt(10);
  return m;
}

void BindMachine(Statement& s, const StateMachine& m) {
  s.Bind(1, m.arn).Bind(2, m.name).Bind(3, StateMachineTypeName(m.type));
  BindConfig(s, 4, m.config)
      .Bind(9, m.creation_date_ms)
      .Bind(10, m.revision_id)
      .Bind(11, m.update_date_ms);
}

constexpr const char* kVersionColumns =
    "state_machine_arn, version, definition, role_arn, logging_configuration, "
    "tracing_configuration, encryption_configuration, description, revision_id, "
    "creation_date_ms";

StateMachineVersion ReadVersion(const Statement& s) {
  StateMachineVersion v;
  v.state_machine_arn = s.ColumnText(0);
  v.version = s.ColumnInt(1);
  v.config = ReadConfig(s, 2);
  v.description = s.ColumnText(7);
  v.revision_id = s.ColumnText(8);
  v.creation_date_ms = s.ColumnInt(9);
  return v;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  if (path.empty() || path == ":memory:") {
    return Error{kStoreFailure, "SqliteStore needs a database file, not \"" + path + "\""};
  }
  sqlite::Options options;  // WAL, synchronous=FULL, 5 s busy timeout
  options.foreign_keys = true;
  options.error_name = kStoreFailure;
  STATOR_TRY(std::unique_ptr<sqlite::Database> db, sqlite::Database::Open(path, options));
  STATOR_TRY(int version, sqlite::Migrate(db.get(), SqliteMigrations()));
  // Reads go through a second connection: in WAL mode they see the last commit and never wait
  // for the writer, whose lock is held through a group commit's fsync.
  options.read_only = true;
  options.error_prefix = "reading: ";
  STATOR_TRY(std::unique_ptr<sqlite::Database> reader, sqlite::Database::Open(path, options));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), std::move(reader), version));
}

SqliteStore::SqliteStore(std::unique_ptr<sqlite::Database> db,
                         std::unique_ptr<sqlite::Database> reader, int schema_version)
    : db_(std::move(db)), reader_(std::move(reader)), schema_version_(schema_version) {}

SqliteStore::~SqliteStore() = default;

Result<Store::CreateResult> SqliteStore::CreateStateMachine(const StateMachine& machine,
                                                            const std::vector<Tag>& tags) {
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  {
    Statement s(
        db(),
        (std::string("SELECT ") + kMachineColumns + " FROM state_machines WHERE arn = ?1").c_str());
    STATOR_TRY(bool row, s.Bind(1, machine.arn).Step());
    if (row) return CreateResult{ReadMachine(s), false};
  }
  {
    Statement s(db(), (std::string("INSERT INTO state_machines (") + kMachineColumns +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
                          .c_str());
    BindMachine(s, machine);
    STATOR_RETURN_IF_ERROR(s.Run());
  }
  {
    Statement s(db(),
                "DELETE FROM tags WHERE resource_arn = ?1");  // leftovers of a deleted namesake
    STATOR_RETURN_IF_ERROR(s.Bind(1, machine.arn).Run());
  }
  STATOR_RETURN_IF_ERROR(TagLocked(machine.arn, tags));
  STATOR_RETURN_IF_ERROR(tx.Commit());
  return CreateResult{machine, true};
}

// Every execution start reads its state machine: GetStateMachine answers from a cache of the
// machines read before. A write to a machine drops its entry once committed and bumps the
// generation; a read that began before that does not fill the cache, so it never holds a
// stale machine.
class SqliteStore::MachineCacheInvalidation {
 public:
  MachineCacheInvalidation(SqliteStore* store, std::string_view arn) : store_(store), arn_(arn) {}
  ~MachineCacheInvalidation() {
    MutexLock lock(&store_->cache_mu_);
    store_->machine_cache_.erase(arn_);
    ++store_->cache_generation_;
  }

 private:
  SqliteStore* store_;
  std::string arn_;
};

Result<std::optional<StateMachine>> SqliteStore::GetStateMachine(std::string_view arn) {
  uint64_t generation;
  {
    MutexLock lock(&cache_mu_);
    auto it = machine_cache_.find(std::string(arn));
    if (it != machine_cache_.end()) return std::optional<StateMachine>(it->second);
    generation = cache_generation_;
  }
  MutexLock lock(&read_mu_);
  Statement s(
      reader(),
      (std::string("SELECT ") + kMachineColumns + " FROM state_machines WHERE arn = ?1").c_str());
  STATOR_TRY(bool row, s.Bind(1, arn).Step());
  if (!row) return std::optional<StateMachine>();
  StateMachine machine = ReadMachine(s);
  {
    MutexLock cache_lock(&cache_mu_);
    if (cache_generation_ == generation && machine_cache_.size() < 10000) {
      machine_cache_.emplace(machine.arn, machine);
    }
  }
  return std::optional<StateMachine>(std::move(machine));
}

Status SqliteStore::UpdateStateMachine(const StateMachine& machine) {
  MutexLock lock(&mu_);
  MachineCacheInvalidation invalidate(this, machine.arn);
  Statement s(
      db(),
      "UPDATE state_machines SET name = ?2, type = ?3, definition = ?4, role_arn = ?5, "
      "logging_configuration = ?6, tracing_configuration = ?7, encryption_configuration = ?8, "
      "creation_date_ms = ?9, revision_id = ?10, update_date_ms = ?11 WHERE arn = ?1");
  BindMachine(s, machine);
  STATOR_RETURN_IF_ERROR(s.Run());
  if (db()->changes() == 0) return Error{kNotFound, machine.arn};
  return Status::Ok();
}

Status SqliteStore::DeleteStateMachine(std::string_view arn) {
  MutexLock lock(&mu_);
  MachineCacheInvalidation invalidate(this, arn);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  {
    // Tags of the machine and of its versions ("<arn>:<n>").
    Statement s(db(),
                "DELETE FROM tags WHERE resource_arn = ?1 OR resource_arn IN "
                "(SELECT state_machine_arn || ':' || version FROM state_machine_versions "
                "WHERE state_machine_arn = ?1)");
    STATOR_RETURN_IF_ERROR(s.Bind(1, arn).Run());
  }
  {
    Statement s(db(), "DELETE FROM state_machines WHERE arn = ?1");  // versions cascade
    STATOR_RETURN_IF_ERROR(s.Bind(1, arn).Run());
  }
  return tx.Commit();
}

Result<Page<StateMachine>> SqliteStore::ListStateMachines(std::string_view after, int limit) {
  MutexLock lock(&read_mu_);
  Statement s(reader(), (std::string("SELECT ") + kMachineColumns +
                         " FROM state_machines WHERE arn > ?1 ORDER BY arn LIMIT ?2")
                            .c_str());
  s.Bind(1, after).Bind(2, static_cast<int64_t>(limit) + 1);
  Page<StateMachine> page;
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = page.items.back().arn;
      break;
    }
    page.items.push_back(ReadMachine(s));
  }
  return page;
}

Result<StateMachineVersion> SqliteStore::PublishVersion(const StateMachineVersion& version) {
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  int64_t last = 0;
  {
    Statement s(db(), "SELECT last_version FROM state_machines WHERE arn = ?1");
    STATOR_TRY(bool row, s.Bind(1, version.state_machine_arn).Step());
    if (!row) return Error{kNotFound, version.state_machine_arn};
    last = s.ColumnInt(0);
  }
  {
    Statement s(db(), (std::string("SELECT ") + kVersionColumns +
                       " FROM state_machine_versions WHERE state_machine_arn = ?1 "
                       "ORDER BY version DESC LIMIT 1")
                          .c_str());
    STATOR_TRY(bool row, s.Bind(1, version.state_machine_arn).Step());
    if (row) {
      StateMachineVersion newest = ReadVersion(s);
      if (newest.revision_id == version.revision_id) return newest;
    }
  }
  StateMachineVersion v = version;
  v.version = last + 1;
  {
    Statement s(db(), (std::string("INSERT INTO state_machine_versions (") + kVersionColumns +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                          .c_str());
    s.Bind(1, v.state_machine_arn).Bind(2, v.version);
    BindConfig(s, 3, v.config)
        .Bind(8, v.description)
        .Bind(9, v.revision_id)
        .Bind(10, v.creation_date_ms);
    STATOR_RETURN_IF_ERROR(s.Run());
  }
  {
    Statement s(db(), "UPDATE state_machines SET last_version = ?2 WHERE arn = ?1");
    STATOR_RETURN_IF_ERROR(s.Bind(1, v.state_machine_arn).Bind(2, v.version).Run());
  }
  STATOR_RETURN_IF_ERROR(tx.Commit());
  return v;
}

Result<std::optional<StateMachineVersion>> SqliteStore::GetVersion(std::string_view machine_arn,
                                                                   int64_t version) {
  MutexLock lock(&read_mu_);
  Statement s(reader(),
              (std::string("SELECT ") + kVersionColumns +
               " FROM state_machine_versions WHERE state_machine_arn = ?1 AND version = ?2")
                  .c_str());
  STATOR_TRY(bool row, s.Bind(1, machine_arn).Bind(2, version).Step());
  if (!row) return std::optional<StateMachineVersion>();
  return std::optional<StateMachineVersion>(ReadVersion(s));
}

Result<std::vector<StateMachineVersion>> SqliteStore::ListVersions(std::string_view machine_arn) {
  MutexLock lock(&read_mu_);
  Statement s(reader(),
              (std::string("SELECT ") + kVersionColumns +
               " FROM state_machine_versions WHERE state_machine_arn = ?1 ORDER BY version DESC")
                  .c_str());
  s.Bind(1, machine_arn);
  std::vector<StateMachineVersion> out;
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadVersion(s));
  }
  return out;
}

Status SqliteStore::DeleteVersion(std::string_view machine_arn, int64_t version) {
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  {
    Statement s(db(), "DELETE FROM tags WHERE resource_arn = ?1");
    STATOR_RETURN_IF_ERROR(
        s.Bind(1, std::string(machine_arn) + ":" + std::to_string(version)).Run());
  }
  {
    Statement s(db(),
                "DELETE FROM state_machine_versions WHERE state_machine_arn = ?1 AND version = ?2");
    STATOR_RETURN_IF_ERROR(s.Bind(1, machine_arn).Bind(2, version).Run());
  }
  return tx.Commit();
}

Result<bool> SqliteStore::ResourceExistsLocked(sqlite::Database* db, std::string_view arn) {
  // Only state machines (not their versions or aliases) carry tags so far.
  Statement s(db, "SELECT 1 FROM state_machines WHERE arn = ?1");
  return s.Bind(1, arn).Step();
}

Result<std::vector<Tag>> SqliteStore::ListTags(std::string_view resource_arn) {
  MutexLock lock(&read_mu_);
  STATOR_TRY(bool exists, ResourceExistsLocked(reader(), resource_arn));
  if (!exists) return Error{kNotFound, std::string(resource_arn)};
  Statement s(reader(), "SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY position");
  s.Bind(1, resource_arn);
  std::vector<Tag> out;
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    out.push_back(Tag{s.ColumnText(0), s.ColumnText(1)});
  }
  return out;
}

Status SqliteStore::TagLocked(std::string_view resource_arn, const std::vector<Tag>& tags) {
  for (const Tag& t : tags) {
    Statement s(db(),
                "INSERT INTO tags (resource_arn, key, value, position) VALUES (?1, ?2, ?3, "
                "(SELECT COALESCE(MAX(position), 0) + 1 FROM tags WHERE resource_arn = ?1)) "
                "ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value");
    STATOR_RETURN_IF_ERROR(s.Bind(1, resource_arn).Bind(2, t.key).Bind(3, t.value).Run());
  }
  return Status::Ok();
}

Status SqliteStore::TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) {
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  STATOR_TRY(bool exists, ResourceExistsLocked(db(), resource_arn));
  if (!exists) return Error{kNotFound, std::string(resource_arn)};
  STATOR_RETURN_IF_ERROR(TagLocked(resource_arn, tags));
  return tx.Commit();
}

Status SqliteStore::UntagResource(std::string_view resource_arn,
                                  const std::vector<std::string>& keys) {
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  STATOR_TRY(bool exists, ResourceExistsLocked(db(), resource_arn));
  if (!exists) return Error{kNotFound, std::string(resource_arn)};
  for (const std::string& key : keys) {
    Statement s(db(), "DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2");
    STATOR_RETURN_IF_ERROR(s.Bind(1, resource_arn).Bind(2, key).Run());
  }
  return tx.Commit();
}

// --- Executions -----------------------------------------------------------------------------

namespace {

constexpr const char* kExecutionColumns =
    "arn, state_machine_arn, name, version_arn, alias_arn, status, input, output, error, cause, "
    "start_date_ms, stop_date_ms, seq";

Execution ReadExecution(const Statement& s) {
  Execution e;
  e.arn = s.ColumnText(0);
  e.state_machine_arn = s.ColumnText(1);
  e.name = s.ColumnText(2);
  e.version_arn = s.ColumnText(3);
  e.alias_arn = s.ColumnText(4);
  e.status = ParseExecutionStatus(s.ColumnText(5)).value_or(ExecutionStatus::kRunning);
  e.input = s.ColumnText(6);
  e.output = s.ColumnOptText(7);
  e.error = s.ColumnOptText(8);
  e.cause = s.ColumnOptText(9);
  e.start_date_ms = s.ColumnInt(10);
  e.stop_date_ms = s.ColumnInt(11);
  return e;
}

}  // namespace

Result<std::optional<int64_t>> SqliteStore::ExecutionSeqLocked(sqlite::Database* db,
                                                               std::string_view arn) {
  Statement s(db, "SELECT seq FROM executions WHERE arn = ?1");
  STATOR_TRY(bool row, s.Bind(1, arn).Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(s.ColumnInt(0));
}

Status SqliteStore::Commit(const ExecutionBatch& batch, CommitReport* report) {
  if (report != nullptr) *report = CommitReport();
  if (batch.empty()) return Status::Ok();
  CommitReport skipped;
  // Executions whose creation was skipped because they were stored before this batch: their
  // steps in this batch are skipped too (the stored one stays untouched). Usually empty.
  std::unordered_set<std::string_view> existed;
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  if (!batch.created.empty()) {
    Statement machine(db(),
                      "INSERT OR IGNORE INTO execution_machines (id, definition, role_arn, "
                      "logging_configuration, tracing_configuration, encryption_configuration, "
                      "revision_id, update_date_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    Statement exec(db(),
                   "INSERT INTO executions (arn, state_machine_arn, name, version_arn, alias_arn, "
                   "machine_id, status, input, output, error, cause, start_date_ms, stop_date_ms) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                   "ON CONFLICT (arn) DO NOTHING");
    // Prepared only when the batch's executions start leased.
    std::optional<Statement> lease;
    int64_t expires_ms = 0;
    if (!batch.lease_owner.empty()) {
      expires_ms = NowMillis() + batch.lease_ttl_ms;
      lease.emplace(db(),
                    "INSERT INTO execution_leases (execution_seq, owner, epoch, expires_ms) "
                    "VALUES (last_insert_rowid(), ?1, 1, ?2)");
    }
    for (size_t i = 0; i < batch.created.size(); ++i) {
      const NewExecution& n = batch.created[i];
      const ExecutionMachine& m = n.machine;
      machine.Bind(1, m.id);
      STATOR_RETURN_IF_ERROR(
          BindConfig(machine, 2, m.config).Bind(7, m.revision_id).Bind(8, m.update_date_ms).Run());
      const Execution& e = n.execution;
      STATOR_RETURN_IF_ERROR(exec.Bind(1, e.arn)
                                 .Bind(2, e.state_machine_arn)
                                 .Bind(3, e.name)
                                 .Bind(4, e.version_arn)
                                 .Bind(5, e.alias_arn)
                                 .Bind(6, m.id)
                                 .Bind(7, ExecutionStatusName(e.status))
                                 .Bind(8, e.input)
                                 .BindOptional(9, e.output)
                                 .BindOptional(10, e.error)
                                 .BindOptional(11, e.cause)
                                 .Bind(12, e.start_date_ms)
                                 .Bind(13, e.stop_date_ms)
                                 .Run());
      if (db()->changes() == 0) {  // the ARN exists
        skipped.existed.push_back(e.arn);
        const bool earlier_in_batch =
            std::any_of(batch.created.begin(), batch.created.begin() + i,
                        [&](const NewExecution& o) { return o.execution.arn == e.arn; });
        if (!earlier_in_batch) existed.insert(e.arn);
        continue;
      }
      if (lease) {
        STATOR_RETURN_IF_ERROR(lease->Bind(1, batch.lease_owner).Bind(2, expires_ms).Run());
      }
    }
  }
  if (!batch.steps.empty()) {
    // Each execution's seq and last event id (and, when the batch is fenced, its lease), read
    // once per batch and moved along its steps.
    const bool fencing =
        !batch.lease_owner.empty() ||
        std::any_of(batch.steps.begin(), batch.steps.end(),
                    [](const ExecutionStep& step) { return step.lease_epoch > 0; });
    Statement find(db(), fencing ? "SELECT seq, (SELECT COALESCE(MAX(id), 0) FROM history_events "
                                   "WHERE execution_seq = executions.seq), l.owner, l.epoch "
                                   "FROM executions LEFT JOIN execution_leases l "
                                   "ON l.execution_seq = executions.seq WHERE arn = ?1"
                                 : "SELECT seq, (SELECT COALESCE(MAX(id), 0) FROM history_events "
                                   "WHERE execution_seq = executions.seq) "
                                   "FROM executions WHERE arn = ?1");
    Statement event(
        db(),
        "INSERT INTO history_events (execution_seq, id, previous_event_id, "
        "timestamp_ms, type, details_key, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    // A trigger of v005 ends the lease with the outcome.
    Statement close(db(),
                    "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, "
                    "stop_date_ms = ?6 WHERE seq = ?1");
    struct Tail {
      int64_t seq = 0;
      int64_t last_event_id = 0;
      std::optional<std::string> lease_owner;  // read when fencing; reset by the outcome
      int64_t lease_epoch = 0;
      bool skip = false;  // existed, or fenced
    };
    std::unordered_map<std::string_view, Tail> tails;
    std::string details;
    for (const ExecutionStep& step : batch.steps) {
      auto it = tails.find(step.execution_arn);
      if (it == tails.end()) {
        STATOR_TRY(bool row, find.Bind(1, step.execution_arn).Step());
        if (!row) return Error{kStoreFailure, "no such execution: " + step.execution_arn};
        Tail tail;
        tail.seq = find.ColumnInt(0);
        tail.last_event_id = find.ColumnInt(1);
        if (fencing) {
          tail.lease_owner = find.ColumnOptText(2);
          tail.lease_epoch = find.ColumnInt(3);
        }
        tail.skip = !existed.empty() && existed.count(step.execution_arn) != 0;
        it = tails.emplace(step.execution_arn, std::move(tail)).first;
        find.Reset();
      }
      Tail& tail = it->second;
      if (tail.skip) continue;
      if (IsFenced(batch, step, tail.lease_owner, tail.lease_epoch)) {
        tail.skip = true;
        skipped.fenced.push_back(step.execution_arn);
        continue;
      }
      STATOR_RETURN_IF_ERROR(CheckEventIds(step.execution_arn, tail.last_event_id, step.events));
      for (const HistoryEvent& e : step.events) {
        details.clear();
        if (!e.details.is_null()) e.details.DumpTo(&details);
        STATOR_RETURN_IF_ERROR(event.Bind(1, tail.seq)
                                   .Bind(2, e.id)
                                   .Bind(3, e.previous_event_id)
                                   .Bind(4, e.timestamp_ms)
                                   .Bind(5, e.type)
                                   .Bind(6, e.details_key)
                                   .Bind(7, details)
                                   .Run());
      }
      if (!step.events.empty()) tail.last_event_id = step.events.back().id;
      if (const std::optional<ExecutionOutcome>& o = step.outcome) {
        STATOR_RETURN_IF_ERROR(close.Bind(1, tail.seq)
                                   .Bind(2, ExecutionStatusName(o->status))
                                   .BindOptional(3, o->output)
                                   .BindOptional(4, o->error)
                                   .BindOptional(5, o->cause)
                                   .Bind(6, o->stop_date_ms)
                                   .Run());
        tail.lease_owner.reset();
      }
    }
  }
  STATOR_RETURN_IF_ERROR(tx.Commit());
  if (report != nullptr) *report = std::move(skipped);
  return Status::Ok();
}

Result<std::optional<Execution>> SqliteStore::GetExecution(std::string_view execution_arn) {
  MutexLock lock(&read_mu_);
  Statement s(
      reader(),
      (std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE arn = ?1").c_str());
  STATOR_TRY(bool row, s.Bind(1, execution_arn).Step());
  if (!row) return std::optional<Execution>();
  return std::optional<Execution>(ReadExecution(s));
}

Result<std::optional<ExecutionMachine>> SqliteStore::GetExecutionMachine(
    std::string_view execution_arn) {
  MutexLock lock(&read_mu_);
  Statement s(
      reader(),
      "SELECT m.id, m.definition, m.role_arn, m.logging_configuration, "
      "m.tracing_configuration, m.encryption_configuration, m.revision_id, m.update_date_ms "
      "FROM executions e JOIN execution_machines m ON m.id = e.machine_id WHERE e.arn = ?1");
  STATOR_TRY(bool row, s.Bind(1, execution_arn).Step());
  if (!row) return std::optional<ExecutionMachine>();
  ExecutionMachine m;
  m.id = s.ColumnText(0);
  m.config = ReadConfig(s, 1);
  m.revision_id = s.ColumnText(6);
  m.update_date_ms = s.ColumnInt(7);
  return std::optional<ExecutionMachine>(std::move(m));
}

Result<Page<Execution>> SqliteStore::ListExecutions(const ExecutionFilter& filter,
                                                    std::string_view after, int limit) {
  int64_t before = std::numeric_limits<int64_t>::max();
  Page<Execution> page;
  if (!after.empty()) {
    std::optional<int64_t> key = ParsePageKey(after);
    if (!key) return page;
    before = *key;
  }
  std::string sql = std::string("SELECT ") + kExecutionColumns +
                    " FROM executions WHERE state_machine_arn = ?1 AND seq < ?2";
  if (filter.status) sql += " AND status = ?3";
  if (!filter.version_arn.empty()) sql += " AND version_arn = ?4";
  if (!filter.alias_arn.empty()) sql += " AND alias_arn = ?6";
  sql += " ORDER BY seq DESC LIMIT ?5";
  MutexLock lock(&read_mu_);
  Statement s(reader(), sql.c_str());
  s.Bind(1, filter.state_machine_arn).Bind(2, before);
  if (filter.status) s.Bind(3, ExecutionStatusName(*filter.status));
  if (!filter.version_arn.empty()) s.Bind(4, filter.version_arn);
  if (!filter.alias_arn.empty()) s.Bind(6, filter.alias_arn);
  s.Bind(5, static_cast<int64_t>(limit) + 1);
  int64_t last_seq = 0;
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = std::to_string(last_seq);
      break;
    }
    page.items.push_back(ReadExecution(s));
    last_seq = s.ColumnInt(12);
  }
  return page;
}

Result<std::vector<Execution>> SqliteStore::ListRunningExecutions() {
  std::vector<Execution> out;
  MutexLock lock(&read_mu_);
  Statement s(reader(), (std::string("SELECT ") + kExecutionColumns +
                         " FROM executions WHERE status = 'RUNNING' ORDER BY seq")
                            .c_str());
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadExecution(s));
  }
  return out;
}

Result<Page<HistoryEvent>> SqliteStore::ReadHistory(std::string_view execution_arn,
                                                    std::string_view after, int limit,
                                                    bool reverse) {
  MutexLock lock(&read_mu_);
  STATOR_TRY(std::optional<int64_t> seq, ExecutionSeqLocked(reader(), execution_arn));
  if (!seq) return Error{kNotFound, std::string(execution_arn)};
  Page<HistoryEvent> page;
  int64_t from = reverse ? std::numeric_limits<int64_t>::max() : 0;
  if (!after.empty()) {
    std::optional<int64_t> key = ParsePageKey(after);
    if (!key) return page;
    from = *key;
  }
  Statement s(reader(),
              reverse ? "SELECT id, previous_event_id, timestamp_ms, type, details_key, details "
                        "FROM history_events WHERE execution_seq = ?1 AND id < ?2 "
                        "ORDER BY id DESC LIMIT ?3"
                      : "SELECT id, previous_event_id, timestamp_ms, type, details_key, details "
                        "FROM history_events WHERE execution_seq = ?1 AND id > ?2 "
                        "ORDER BY id LIMIT ?3");
  s.Bind(1, *seq).Bind(2, from).Bind(3, static_cast<int64_t>(limit) + 1);
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = std::to_string(page.items.back().id);
      break;
    }
    HistoryEvent& e = page.items.emplace_back();
    e.id = s.ColumnInt(0);
    e.previous_event_id = s.ColumnInt(1);
    e.timestamp_ms = s.ColumnInt(2);
    e.type = s.ColumnText(3);
    e.details_key = s.ColumnText(4);
    std::string details = s.ColumnText(5);
    if (!details.empty()) {
      auto parsed = json::Parse(details);
      if (!parsed.ok()) {
        return Error{kStoreFailure, "corrupt history event " + std::to_string(e.id) + " of " +
                                        std::string(execution_arn) + ": " + parsed.error().cause};
      }
      e.details = std::move(parsed).value();
    }
  }
  return page;
}

// --- Records --------------------------------------------------------------------------------

Status SqliteStore::WriteRecords(const std::vector<RecordWrite>& writes) {
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  Statement get(db(), "SELECT value FROM records WHERE kind = ?1 AND key = ?2");
  Statement put(db(), "INSERT OR REPLACE INTO records (kind, key, value) VALUES (?1, ?2, ?3)");
  Statement del(db(), "DELETE FROM records WHERE kind = ?1 AND key = ?2");
  for (const RecordWrite& w : writes) {
    if (w.condition != RecordWrite::Condition::kNone) {
      get.Bind(1, w.kind).Bind(2, w.key);
      STATOR_TRY(bool row, get.Step());
      std::optional<std::string> current;
      if (row) current = get.ColumnText(0);
      get.Reset();
      STATOR_RETURN_IF_ERROR(CheckRecordCondition(w, current));
    }
    if (w.value) {
      STATOR_RETURN_IF_ERROR(put.Bind(1, w.kind).Bind(2, w.key).Bind(3, *w.value).Run());
    } else {
      STATOR_RETURN_IF_ERROR(del.Bind(1, w.kind).Bind(2, w.key).Run());
    }
  }
  return tx.Commit();
}

Result<std::optional<std::string>> SqliteStore::GetRecord(std::string_view kind,
                                                          std::string_view key) {
  MutexLock lock(&read_mu_);
  Statement s(reader(), "SELECT value FROM records WHERE kind = ?1 AND key = ?2");
  STATOR_TRY(bool row, s.Bind(1, kind).Bind(2, key).Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.ColumnText(0));
}

Result<Page<Record>> SqliteStore::ListRecords(std::string_view kind, std::string_view prefix,
                                              std::string_view after, int limit) {
  MutexLock lock(&read_mu_);
  Page<Record> page;
  // Keys from max(prefix, after) on, in bytewise order (SQLite's BINARY collation), while they
  // start with the prefix (checked here: LIKE and GLOB would need escaping).
  std::string_view from = after > prefix ? after : prefix;
  Statement s(reader(), after > prefix
                            ? "SELECT key, value FROM records WHERE kind = ?1 AND key > ?2 "
                              "ORDER BY key LIMIT ?3"
                            : "SELECT key, value FROM records WHERE kind = ?1 AND key >= ?2 "
                              "ORDER BY key LIMIT ?3");
  s.Bind(1, kind).Bind(2, from).Bind(3, static_cast<int64_t>(limit) + 1);
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    std::string key = s.ColumnText(0);
    if (!key.starts_with(prefix)) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = page.items.back().key;
      break;
    }
    page.items.push_back(Record{std::string(kind), std::move(key), s.ColumnText(1)});
  }
  return page;
}

}  // namespace stator::store
