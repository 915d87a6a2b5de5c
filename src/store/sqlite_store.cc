#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <charconv>
#include <limits>
#include <utility>

#include "store/sqlite_schema.h"

namespace stator::store {
namespace {

Error SqlError(sqlite3* db, std::string_view what) {
  return Error{kStoreFailure, std::string(what) + ": " + sqlite3_errmsg(db)};
}

// A prepared statement: bind with Bind*, step with Step (true while a row is available).
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      error_ = SqlError(db, "prepare");
      stmt_ = nullptr;
    }
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Text(int i, std::string_view s) {
    if (stmt_) sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Int(int i, int64_t v) {
    if (stmt_) sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // Binds NULL for nullopt.
  Stmt& OptText(int i, const std::optional<std::string>& s) {
    if (!s) {
      if (stmt_) sqlite3_bind_null(stmt_, i);
      return *this;
    }
    return Text(i, *s);
  }
  // Makes the statement ready to be bound and run again.
  void Reset() {
    if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  // A row (true), done (false), or an error.
  Result<bool> Step() {
    if (!stmt_) return *error_;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqlError(db_, "step");
  }
  // Runs a statement that returns no rows.
  Status Run() {
    Result<bool> r = Step();
    if (!r.ok()) return r.error();
    return Status::Ok();
  }

  std::string ColText(int i) const {
    const unsigned char* p = sqlite3_column_text(stmt_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, i))
             : std::string();
  }
  int64_t ColInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  std::optional<std::string> ColOptText(int i) const {
    if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
    return ColText(i);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::optional<Error> error_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() is called.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    ok_ = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~Transaction() {
    if (ok_ && !done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Status Begun() const { return ok_ ? Status::Ok() : Status(SqlError(db_, "begin")); }
  Status Commit() {
    done_ = true;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Error e = SqlError(db_, "commit");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return e;
    }
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool ok_ = false;
  bool done_ = false;
};

constexpr const char* kMachineColumns =
    "arn, name, type, definition, role_arn, logging_configuration, tracing_configuration, "
    "encryption_configuration, creation_date_ms, revision_id, update_date_ms";

StateMachine ReadMachine(const Stmt& s) {
  StateMachine m;
  m.arn = s.ColText(0);
  m.name = s.ColText(1);
  m.type = ParseStateMachineType(s.ColText(2)).value_or(StateMachineType::kStandard);
  m.config.definition = s.ColText(3);
  m.config.role_arn = s.ColText(4);
  m.config.logging_configuration = s.ColText(5);
  m.config.tracing_configuration = s.ColText(6);
  m.config.encryption_configuration = s.ColText(7);
  m.creation_date_ms = s.ColInt(8);
  m.revision_id = s.ColText(9);
  m.update_date_ms = s.ColInt(10);
  return m;
}

void BindMachine(Stmt& s, const StateMachine& m) {
  s.Text(1, m.arn)
      .Text(2, m.name)
      .Text(3, StateMachineTypeName(m.type))
      .Text(4, m.config.definition)
      .Text(5, m.config.role_arn)
      .Text(6, m.config.logging_configuration)
      .Text(7, m.config.tracing_configuration)
      .Text(8, m.config.encryption_configuration)
      .Int(9, m.creation_date_ms)
      .Text(10, m.revision_id)
      .Int(11, m.update_date_ms);
}

constexpr const char* kVersionColumns =
    "state_machine_arn, version, definition, role_arn, logging_configuration, "
    "tracing_configuration, encryption_configuration, description, revision_id, "
    "creation_date_ms";

StateMachineVersion ReadVersion(const Stmt& s) {
  StateMachineVersion v;
  v.state_machine_arn = s.ColText(0);
  v.version = s.ColInt(1);
  v.config.definition = s.ColText(2);
  v.config.role_arn = s.ColText(3);
  v.config.logging_configuration = s.ColText(4);
  v.config.tracing_configuration = s.ColText(5);
  v.config.encryption_configuration = s.ColText(6);
  v.description = s.ColText(7);
  v.revision_id = s.ColText(8);
  v.creation_date_ms = s.ColInt(9);
  return v;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  if (path.empty() || path == ":memory:") {
    return Error{kStoreFailure, "SqliteStore needs a database file, not \"" + path + "\""};
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e{kStoreFailure, "open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_busy_timeout(db, 5000);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    STATOR_RETURN_IF_ERROR(store->Exec(pragma));
  }
  STATOR_RETURN_IF_ERROR(store->Migrate());
  // Reads go through a second connection: in WAL mode they see the last commit and never wait
  // for the writer, whose lock is held through a group commit's fsync.
  rc = sqlite3_open_v2(path.c_str(), &store->reader_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                       nullptr);
  if (rc != SQLITE_OK) {
    return Error{kStoreFailure,
                 "open " + path + " for reading: " +
                     (store->reader_ ? sqlite3_errmsg(store->reader_) : "out of memory")};
  }
  sqlite3_busy_timeout(store->reader_, 5000);
  return store;
}

SqliteStore::~SqliteStore() {
  sqlite3_close(reader_);
  sqlite3_close(db_);
}

Status SqliteStore::Exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    Error e{kStoreFailure, std::string(msg ? msg : "sqlite error") + " in: " + sql};
    sqlite3_free(msg);
    return e;
  }
  return Status::Ok();
}

Status SqliteStore::Migrate() {
  std::lock_guard lock(mu_);
  STATOR_RETURN_IF_ERROR(
      Exec("CREATE TABLE IF NOT EXISTS schema_version ("
           "version INTEGER NOT NULL PRIMARY KEY, file TEXT NOT NULL, "
           "applied_at_ms INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 "
           "AS INTEGER)))"));
  int current = 0;
  {
    Stmt s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    STATOR_TRY(bool row, s.Step());
    if (row) current = static_cast<int>(s.ColInt(0));
  }
  const auto& migrations = SqliteMigrations();
  int known = migrations.empty() ? 0 : migrations.back().version;
  if (current > known) {
    return Error{kStoreFailure, "database schema version " + std::to_string(current) +
                                    " is newer than this build supports (" + std::to_string(known) +
                                    ")"};
  }
  for (const SchemaMigration& m : migrations) {
    if (m.version <= current) continue;
    Transaction tx(db_);
    STATOR_RETURN_IF_ERROR(tx.Begun());
    STATOR_RETURN_IF_ERROR(Exec(std::string(m.sql).c_str()));
    Stmt s(db_, "INSERT INTO schema_version (version, file) VALUES (?1, ?2)");
    STATOR_RETURN_IF_ERROR(s.Int(1, m.version).Text(2, m.file).Run());
    STATOR_RETURN_IF_ERROR(tx.Commit());
    current = m.version;
  }
  schema_version_ = current;
  return Status::Ok();
}

Result<Store::CreateResult> SqliteStore::CreateStateMachine(const StateMachine& machine,
                                                            const std::vector<Tag>& tags) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  STATOR_RETURN_IF_ERROR(tx.Begun());
  {
    Stmt s(
        db_,
        (std::string("SELECT ") + kMachineColumns + " FROM state_machines WHERE arn = ?1").c_str());
    STATOR_TRY(bool row, s.Text(1, machine.arn).Step());
    if (row) return CreateResult{ReadMachine(s), false};
  }
  {
    Stmt s(db_, (std::string("INSERT INTO state_machines (") + kMachineColumns +
                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
                    .c_str());
    BindMachine(s, machine);
    STATOR_RETURN_IF_ERROR(s.Run());
  }
  {
    Stmt s(db_, "DELETE FROM tags WHERE resource_arn = ?1");  // leftovers of a deleted namesake
    STATOR_RETURN_IF_ERROR(s.Text(1, machine.arn).Run());
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
    std::lock_guard lock(store_->cache_mu_);
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
    std::lock_guard lock(cache_mu_);
    auto it = machine_cache_.find(std::string(arn));
    if (it != machine_cache_.end()) return std::optional<StateMachine>(it->second);
    generation = cache_generation_;
  }
  std::lock_guard lock(read_mu_);
  Stmt s(
      reader_,
      (std::string("SELECT ") + kMachineColumns + " FROM state_machines WHERE arn = ?1").c_str());
  STATOR_TRY(bool row, s.Text(1, arn).Step());
  if (!row) return std::optional<StateMachine>();
  StateMachine machine = ReadMachine(s);
  {
    std::lock_guard cache_lock(cache_mu_);
    if (cache_generation_ == generation && machine_cache_.size() < 10000) {
      machine_cache_.emplace(machine.arn, machine);
    }
  }
  return std::optional<StateMachine>(std::move(machine));
}

Status SqliteStore::UpdateStateMachine(const StateMachine& machine) {
  std::lock_guard lock(mu_);
  MachineCacheInvalidation invalidate(this, machine.arn);
  Stmt s(db_,
         "UPDATE state_machines SET name = ?2, type = ?3, definition = ?4, role_arn = ?5, "
         "logging_configuration = ?6, tracing_configuration = ?7, encryption_configuration = ?8, "
         "creation_date_ms = ?9, revision_id = ?10, update_date_ms = ?11 WHERE arn = ?1");
  BindMachine(s, machine);
  STATOR_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(db_) == 0) return Error{kNotFound, machine.arn};
  return Status::Ok();
}

Status SqliteStore::DeleteStateMachine(std::string_view arn) {
  std::lock_guard lock(mu_);
  MachineCacheInvalidation invalidate(this, arn);
  Transaction tx(db_);
  STATOR_RETURN_IF_ERROR(tx.Begun());
  {
    // Tags of the machine and of its versions ("<arn>:<n>").
    Stmt s(db_,
           "DELETE FROM tags WHERE resource_arn = ?1 OR resource_arn IN "
           "(SELECT state_machine_arn || ':' || version FROM state_machine_versions "
           "WHERE state_machine_arn = ?1)");
    STATOR_RETURN_IF_ERROR(s.Text(1, arn).Run());
  }
  {
    Stmt s(db_, "DELETE FROM state_machines WHERE arn = ?1");  // versions cascade
    STATOR_RETURN_IF_ERROR(s.Text(1, arn).Run());
  }
  return tx.Commit();
}

Result<Page<StateMachine>> SqliteStore::ListStateMachines(std::string_view after, int limit) {
  std::lock_guard lock(read_mu_);
  Stmt s(reader_, (std::string("SELECT ") + kMachineColumns +
                   " FROM state_machines WHERE arn > ?1 ORDER BY arn LIMIT ?2")
                      .c_str());
  s.Text(1, after).Int(2, static_cast<int64_t>(limit) + 1);
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
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  STATOR_RETURN_IF_ERROR(tx.Begun());
  int64_t last = 0;
  {
    Stmt s(db_, "SELECT last_version FROM state_machines WHERE arn = ?1");
    STATOR_TRY(bool row, s.Text(1, version.state_machine_arn).Step());
    if (!row) return Error{kNotFound, version.state_machine_arn};
    last = s.ColInt(0);
  }
  {
    Stmt s(db_, (std::string("SELECT ") + kVersionColumns +
                 " FROM state_machine_versions WHERE state_machine_arn = ?1 "
                 "ORDER BY version DESC LIMIT 1")
                    .c_str());
    STATOR_TRY(bool row, s.Text(1, version.state_machine_arn).Step());
    if (row) {
      StateMachineVersion newest = ReadVersion(s);
      if (newest.revision_id == version.revision_id) return newest;
    }
  }
  StateMachineVersion v = version;
  v.version = last + 1;
  {
    Stmt s(db_, (std::string("INSERT INTO state_machine_versions (") + kVersionColumns +
                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                    .c_str());
    s.Text(1, v.state_machine_arn)
        .Int(2, v.version)
        .Text(3, v.config.definition)
        .Text(4, v.config.role_arn)
        .Text(5, v.config.logging_configuration)
        .Text(6, v.config.tracing_configuration)
        .Text(7, v.config.encryption_configuration)
        .Text(8, v.description)
        .Text(9, v.revision_id)
        .Int(10, v.creation_date_ms);
    STATOR_RETURN_IF_ERROR(s.Run());
  }
  {
    Stmt s(db_, "UPDATE state_machines SET last_version = ?2 WHERE arn = ?1");
    STATOR_RETURN_IF_ERROR(s.Text(1, v.state_machine_arn).Int(2, v.version).Run());
  }
  STATOR_RETURN_IF_ERROR(tx.Commit());
  return v;
}

Result<std::optional<StateMachineVersion>> SqliteStore::GetVersion(std::string_view machine_arn,
                                                                   int64_t version) {
  std::lock_guard lock(read_mu_);
  Stmt s(reader_, (std::string("SELECT ") + kVersionColumns +
                   " FROM state_machine_versions WHERE state_machine_arn = ?1 AND version = ?2")
                      .c_str());
  STATOR_TRY(bool row, s.Text(1, machine_arn).Int(2, version).Step());
  if (!row) return std::optional<StateMachineVersion>();
  return std::optional<StateMachineVersion>(ReadVersion(s));
}

Result<std::vector<StateMachineVersion>> SqliteStore::ListVersions(std::string_view machine_arn) {
  std::lock_guard lock(read_mu_);
  Stmt s(reader_,
         (std::string("SELECT ") + kVersionColumns +
          " FROM state_machine_versions WHERE state_machine_arn = ?1 ORDER BY version DESC")
             .c_str());
  s.Text(1, machine_arn);
  std::vector<StateMachineVersion> out;
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadVersion(s));
  }
  return out;
}

Status SqliteStore::DeleteVersion(std::string_view machine_arn, int64_t version) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  STATOR_RETURN_IF_ERROR(tx.Begun());
  {
    Stmt s(db_, "DELETE FROM tags WHERE resource_arn = ?1");
    STATOR_RETURN_IF_ERROR(
        s.Text(1, std::string(machine_arn) + ":" + std::to_string(version)).Run());
  }
  {
    Stmt s(db_, "DELETE FROM state_machine_versions WHERE state_machine_arn = ?1 AND version = ?2");
    STATOR_RETURN_IF_ERROR(s.Text(1, machine_arn).Int(2, version).Run());
  }
  return tx.Commit();
}

Result<bool> SqliteStore::ResourceExistsLocked(sqlite3* db, std::string_view arn) {
  // Only state machines (not their versions or aliases) carry tags so far.
  Stmt s(db, "SELECT 1 FROM state_machines WHERE arn = ?1");
  return s.Text(1, arn).Step();
}

Result<std::vector<Tag>> SqliteStore::ListTags(std::string_view resource_arn) {
  std::lock_guard lock(read_mu_);
  STATOR_TRY(bool exists, ResourceExistsLocked(reader_, resource_arn));
  if (!exists) return Error{kNotFound, std::string(resource_arn)};
  Stmt s(reader_, "SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY position");
  s.Text(1, resource_arn);
  std::vector<Tag> out;
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    out.push_back(Tag{s.ColText(0), s.ColText(1)});
  }
  return out;
}

Status SqliteStore::TagLocked(std::string_view resource_arn, const std::vector<Tag>& tags) {
  for (const Tag& t : tags) {
    Stmt s(db_,
           "INSERT INTO tags (resource_arn, key, value, position) VALUES (?1, ?2, ?3, "
           "(SELECT COALESCE(MAX(position), 0) + 1 FROM tags WHERE resource_arn = ?1)) "
           "ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value");
    STATOR_RETURN_IF_ERROR(s.Text(1, resource_arn).Text(2, t.key).Text(3, t.value).Run());
  }
  return Status::Ok();
}

Status SqliteStore::TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  STATOR_RETURN_IF_ERROR(tx.Begun());
  STATOR_TRY(bool exists, ResourceExistsLocked(db_, resource_arn));
  if (!exists) return Error{kNotFound, std::string(resource_arn)};
  STATOR_RETURN_IF_ERROR(TagLocked(resource_arn, tags));
  return tx.Commit();
}

Status SqliteStore::UntagResource(std::string_view resource_arn,
                                  const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  STATOR_RETURN_IF_ERROR(tx.Begun());
  STATOR_TRY(bool exists, ResourceExistsLocked(db_, resource_arn));
  if (!exists) return Error{kNotFound, std::string(resource_arn)};
  for (const std::string& key : keys) {
    Stmt s(db_, "DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2");
    STATOR_RETURN_IF_ERROR(s.Text(1, resource_arn).Text(2, key).Run());
  }
  return tx.Commit();
}

// --- Executions -----------------------------------------------------------------------------

namespace {

constexpr const char* kExecutionColumns =
    "arn, state_machine_arn, name, version_arn, alias_arn, status, input, output, error, cause, "
    "start_date_ms, stop_date_ms, seq";

Execution ReadExecution(const Stmt& s) {
  Execution e;
  e.arn = s.ColText(0);
  e.state_machine_arn = s.ColText(1);
  e.name = s.ColText(2);
  e.version_arn = s.ColText(3);
  e.alias_arn = s.ColText(4);
  e.status = ParseExecutionStatus(s.ColText(5)).value_or(ExecutionStatus::kRunning);
  e.input = s.ColText(6);
  e.output = s.ColOptText(7);
  e.error = s.ColOptText(8);
  e.cause = s.ColOptText(9);
  e.start_date_ms = s.ColInt(10);
  e.stop_date_ms = s.ColInt(11);
  return e;
}

// Page keys: a decimal number (an execution's seq, an event id).
std::optional<int64_t> ParseKey(std::string_view key) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
  if (ec != std::errc() || p != key.data() + key.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

Result<std::optional<int64_t>> SqliteStore::ExecutionSeqLocked(sqlite3* db, std::string_view arn) {
  Stmt s(db, "SELECT seq FROM executions WHERE arn = ?1");
  STATOR_TRY(bool row, s.Text(1, arn).Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(s.ColInt(0));
}

Status SqliteStore::Commit(const ExecutionBatch& batch) {
  if (batch.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  Transaction tx(db_);
  STATOR_RETURN_IF_ERROR(tx.Begun());
  if (!batch.created.empty()) {
    Stmt machine(db_,
                 "INSERT OR IGNORE INTO execution_machines (id, definition, role_arn, "
                 "logging_configuration, tracing_configuration, encryption_configuration, "
                 "revision_id, update_date_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    Stmt exec(db_,
              "INSERT INTO executions (arn, state_machine_arn, name, version_arn, alias_arn, "
              "machine_id, status, input, output, error, cause, start_date_ms, stop_date_ms) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    for (const NewExecution& n : batch.created) {
      const ExecutionMachine& m = n.machine;
      machine.Reset();
      STATOR_RETURN_IF_ERROR(machine.Text(1, m.id)
                                 .Text(2, m.config.definition)
                                 .Text(3, m.config.role_arn)
                                 .Text(4, m.config.logging_configuration)
                                 .Text(5, m.config.tracing_configuration)
                                 .Text(6, m.config.encryption_configuration)
                                 .Text(7, m.revision_id)
                                 .Int(8, m.update_date_ms)
                                 .Run());
      const Execution& e = n.execution;
      exec.Reset();
      STATOR_RETURN_IF_ERROR(exec.Text(1, e.arn)
                                 .Text(2, e.state_machine_arn)
                                 .Text(3, e.name)
                                 .Text(4, e.version_arn)
                                 .Text(5, e.alias_arn)
                                 .Text(6, m.id)
                                 .Text(7, ExecutionStatusName(e.status))
                                 .Text(8, e.input)
                                 .OptText(9, e.output)
                                 .OptText(10, e.error)
                                 .OptText(11, e.cause)
                                 .Int(12, e.start_date_ms)
                                 .Int(13, e.stop_date_ms)
                                 .Run());
    }
  }
  if (!batch.steps.empty()) {
    Stmt event(db_,
               "INSERT INTO history_events (execution_seq, id, previous_event_id, timestamp_ms, "
               "type, details_key, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    Stmt close(db_,
               "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, "
               "stop_date_ms = ?6 WHERE seq = ?1");
    std::string details;
    for (const ExecutionStep& step : batch.steps) {
      STATOR_TRY(std::optional<int64_t> seq, ExecutionSeqLocked(db_, step.execution_arn));
      if (!seq) return Error{kStoreFailure, "no such execution: " + step.execution_arn};
      for (const HistoryEvent& e : step.events) {
        details.clear();
        if (!e.details.is_null()) e.details.DumpTo(&details);
        event.Reset();
        STATOR_RETURN_IF_ERROR(event.Int(1, *seq)
                                   .Int(2, e.id)
                                   .Int(3, e.previous_event_id)
                                   .Int(4, e.timestamp_ms)
                                   .Text(5, e.type)
                                   .Text(6, e.details_key)
                                   .Text(7, details)
                                   .Run());
      }
      if (const std::optional<ExecutionOutcome>& o = step.outcome) {
        close.Reset();
        STATOR_RETURN_IF_ERROR(close.Int(1, *seq)
                                   .Text(2, ExecutionStatusName(o->status))
                                   .OptText(3, o->output)
                                   .OptText(4, o->error)
                                   .OptText(5, o->cause)
                                   .Int(6, o->stop_date_ms)
                                   .Run());
      }
    }
  }
  return tx.Commit();
}

Result<std::optional<Execution>> SqliteStore::GetExecution(std::string_view execution_arn) {
  std::lock_guard lock(read_mu_);
  Stmt s(reader_,
         (std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE arn = ?1").c_str());
  STATOR_TRY(bool row, s.Text(1, execution_arn).Step());
  if (!row) return std::optional<Execution>();
  return std::optional<Execution>(ReadExecution(s));
}

Result<std::optional<ExecutionMachine>> SqliteStore::GetExecutionMachine(
    std::string_view execution_arn) {
  std::lock_guard lock(read_mu_);
  Stmt s(reader_,
         "SELECT m.id, m.definition, m.role_arn, m.logging_configuration, "
         "m.tracing_configuration, m.encryption_configuration, m.revision_id, m.update_date_ms "
         "FROM executions e JOIN execution_machines m ON m.id = e.machine_id WHERE e.arn = ?1");
  STATOR_TRY(bool row, s.Text(1, execution_arn).Step());
  if (!row) return std::optional<ExecutionMachine>();
  ExecutionMachine m;
  m.id = s.ColText(0);
  m.config.definition = s.ColText(1);
  m.config.role_arn = s.ColText(2);
  m.config.logging_configuration = s.ColText(3);
  m.config.tracing_configuration = s.ColText(4);
  m.config.encryption_configuration = s.ColText(5);
  m.revision_id = s.ColText(6);
  m.update_date_ms = s.ColInt(7);
  return std::optional<ExecutionMachine>(std::move(m));
}

Result<Page<Execution>> SqliteStore::ListExecutions(const ExecutionFilter& filter,
                                                    std::string_view after, int limit) {
  int64_t before = std::numeric_limits<int64_t>::max();
  Page<Execution> page;
  if (!after.empty()) {
    std::optional<int64_t> key = ParseKey(after);
    if (!key) return page;
    before = *key;
  }
  std::string sql = std::string("SELECT ") + kExecutionColumns +
                    " FROM executions WHERE state_machine_arn = ?1 AND seq < ?2";
  if (filter.status) sql += " AND status = ?3";
  if (!filter.version_arn.empty()) sql += " AND version_arn = ?4";
  sql += " ORDER BY seq DESC LIMIT ?5";
  std::lock_guard lock(read_mu_);
  Stmt s(reader_, sql.c_str());
  s.Text(1, filter.state_machine_arn).Int(2, before);
  if (filter.status) s.Text(3, ExecutionStatusName(*filter.status));
  if (!filter.version_arn.empty()) s.Text(4, filter.version_arn);
  s.Int(5, static_cast<int64_t>(limit) + 1);
  int64_t last_seq = 0;
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = std::to_string(last_seq);
      break;
    }
    page.items.push_back(ReadExecution(s));
    last_seq = s.ColInt(12);
  }
  return page;
}

Result<std::vector<Execution>> SqliteStore::ListRunningExecutions() {
  std::vector<Execution> out;
  std::lock_guard lock(read_mu_);
  Stmt s(reader_, (std::string("SELECT ") + kExecutionColumns +
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
  std::lock_guard lock(read_mu_);
  STATOR_TRY(std::optional<int64_t> seq, ExecutionSeqLocked(reader_, execution_arn));
  if (!seq) return Error{kNotFound, std::string(execution_arn)};
  Page<HistoryEvent> page;
  int64_t from = reverse ? std::numeric_limits<int64_t>::max() : 0;
  if (!after.empty()) {
    std::optional<int64_t> key = ParseKey(after);
    if (!key) return page;
    from = *key;
  }
  Stmt s(reader_, reverse
                      ? "SELECT id, previous_event_id, timestamp_ms, type, details_key, details "
                        "FROM history_events WHERE execution_seq = ?1 AND id < ?2 "
                        "ORDER BY id DESC LIMIT ?3"
                      : "SELECT id, previous_event_id, timestamp_ms, type, details_key, details "
                        "FROM history_events WHERE execution_seq = ?1 AND id > ?2 "
                        "ORDER BY id LIMIT ?3");
  s.Int(1, *seq).Int(2, from).Int(3, static_cast<int64_t>(limit) + 1);
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = std::to_string(page.items.back().id);
      break;
    }
    HistoryEvent& e = page.items.emplace_back();
    e.id = s.ColInt(0);
    e.previous_event_id = s.ColInt(1);
    e.timestamp_ms = s.ColInt(2);
    e.type = s.ColText(3);
    e.details_key = s.ColText(4);
    std::string details = s.ColText(5);
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

}  // namespace stator::store
