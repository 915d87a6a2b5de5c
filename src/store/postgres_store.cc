// PostgresStore: opening, state machines, versions, tags and records. Executions, their
// history and leases are in postgres_store_executions.cc.
#include "store/postgres_store.h"

#include <utility>

#include "store/postgres_schema.h"

namespace stator::store {
namespace {

using postgres::Connection;
using postgres::Param;
using postgres::Rows;

constexpr const char* kMachineColumns =
    "arn, name, type, definition, role_arn, logging_configuration, tracing_configuration, "
    "encryption_configuration, creation_date_ms, revision_id, update_date_ms";

// A StateMachineConfig is five BYTEA columns wherever it is kept: definition, role_arn,
// logging_configuration, tracing_configuration, encryption_configuration, from column `first`.
StateMachineConfig ReadConfig(const Rows& r, int row, int first) {
  StateMachineConfig c;
  c.definition = r.Bytes(row, first);
  c.role_arn = r.Bytes(row, first + 1);
  c.logging_configuration = r.Bytes(row, first + 2);
  c.tracing_configuration = r.Bytes(row, first + 3);
  c.encryption_configuration = r.Bytes(row, first + 4);
  return c;
}

StateMachine ReadMachine(const Rows& r, int row) {
  StateMachine m;
  m.arn = r.Text(row, 0);
  m.name = r.Text(row, 1);
  m.type = ParseStateMachineType(r.Text(row, 2)).value_or(StateMachineType::kStandard);
  m.config = ReadConfig(r, row, 3);
  m.creation_date_ms = r.Int(row, 8);
  m.revision_id = r.Text(row, 9);
  m.update_date_ms = r.Int(row, 10);
  return m;
}

// The parameters $1..$11 of a machine, in kMachineColumns' order.
std::vector<Param> MachineParams(const StateMachine& m) {
  const StateMachineConfig& c = m.config;
  return {Param::Text(m.arn),
          Param::Text(m.name),
          Param::Text(StateMachineTypeName(m.type)),
          Param::Bytes(c.definition),
          Param::Bytes(c.role_arn),
          Param::Bytes(c.logging_configuration),
          Param::Bytes(c.tracing_configuration),
          Param::Bytes(c.encryption_configuration),
          Param::Int(m.creation_date_ms),
          Param::Text(m.revision_id),
          Param::Int(m.update_date_ms)};
}

constexpr const char* kVersionColumns =
    "state_machine_arn, version, definition, role_arn, logging_configuration, "
    "tracing_configuration, encryption_configuration, description, revision_id, "
    "creation_date_ms";

StateMachineVersion ReadVersion(const Rows& r, int row) {
  StateMachineVersion v;
  v.state_machine_arn = r.Text(row, 0);
  v.version = r.Int(row, 1);
  v.config = ReadConfig(r, row, 2);
  v.description = r.Bytes(row, 7);
  v.revision_id = r.Text(row, 8);
  v.creation_date_ms = r.Int(row, 9);
  return v;
}

std::string Select(const char* columns, const char* rest) {
  return std::string("SELECT ") + columns + " " + rest;
}

// Sets each tag of a resource whose row the caller has locked (FOR UPDATE), so that positions
// are handed out one writer at a time.
Status TagLocked(Connection* c, std::string_view resource_arn, const std::vector<Tag>& tags) {
  for (const Tag& t : tags) {
    STATOR_TRY(Rows r,
               c->Run("tag",
                      "INSERT INTO tags (resource_arn, key, value, position) VALUES ($1, $2, $3, "
                      "(SELECT COALESCE(MAX(position), 0) + 1 FROM tags WHERE resource_arn = $1)) "
                      "ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value",
                      {Param::Text(resource_arn), Param::Bytes(t.key), Param::Bytes(t.value)}));
  }
  return Status::Ok();
}

// Whether the resource exists (only state machines carry tags so far); with `lock`, its row
// stays locked until the transaction ends.
Result<bool> ResourceExists(Connection* c, std::string_view arn, bool lock) {
  STATOR_TRY(
      Rows r,
      lock ? c->Run("resource_lock", "SELECT 1 FROM state_machines WHERE arn = $1 FOR UPDATE",
                    {Param::Text(arn)})
           : c->Run("resource", "SELECT 1 FROM state_machines WHERE arn = $1", {Param::Text(arn)}));
  return !r.empty();
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& uri) {
  postgres::Options options;
  options.error_name = kStoreFailure;
  options.error_prefix = "PostgreSQL: ";
  STATOR_TRY(std::unique_ptr<Connection> conn, Connection::Open(uri, options));
  STATOR_TRY(int version, postgres::Migrate(conn.get(), PostgresMigrations(), kPostgresVersionTable,
                                            kPostgresMigrationLock));
  std::unique_ptr<PostgresStore> store(new PostgresStore(uri, version));
  return store;
}

PostgresStore::PostgresStore(std::string uri, int schema_version)
    : pool_(std::move(uri),
            postgres::Options{.error_name = kStoreFailure, .error_prefix = "PostgreSQL: "}),
      schema_version_(schema_version) {}

PostgresStore::~PostgresStore() = default;

Result<Rows> PostgresStore::Read(const char* name, std::string_view sql,
                                 std::initializer_list<Param> params) {
  STATOR_TRY(postgres::Pool::Lease conn, pool_.Acquire());
  return conn->Run(name, sql, params);
}

// --- State machines -----------------------------------------------------------------------------

Result<Store::CreateResult> PostgresStore::CreateStateMachine(const StateMachine& machine,
                                                              const std::vector<Tag>& tags) {
  const std::vector<Param> params = MachineParams(machine);
  return InTransaction([&](Connection* c) -> Result<CreateResult> {
    // Whoever inserts first wins; the others wait for its commit, then read its machine.
    while (true) {
      STATOR_TRY(Rows inserted,
                 c->Run("machine_create",
                        std::string("INSERT INTO state_machines (") + kMachineColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                            "ON CONFLICT (arn) DO NOTHING RETURNING 1",
                        params));
      if (!inserted.empty()) break;
      STATOR_TRY(
          Rows existing,
          c->Run("machine_get", Select(kMachineColumns, "FROM state_machines WHERE arn = $1"),
                 {Param::Text(machine.arn)}));
      if (!existing.empty()) return CreateResult{ReadMachine(existing, 0), false};
      // Deleted between the two statements: try again.
    }
    STATOR_TRY(Rows cleared, c->Run("tags_clear", "DELETE FROM tags WHERE resource_arn = $1",
                                    {Param::Text(machine.arn)}));  // a deleted namesake's
    STATOR_RETURN_IF_ERROR(TagLocked(c, machine.arn, tags));
    return CreateResult{machine, true};
  });
}

Result<std::optional<StateMachine>> PostgresStore::GetStateMachine(std::string_view arn) {
  STATOR_TRY(Rows r,
             Read("machine_get", Select(kMachineColumns, "FROM state_machines WHERE arn = $1"),
                  {Param::Text(arn)}));
  if (r.empty()) return std::optional<StateMachine>();
  return std::optional<StateMachine>(ReadMachine(r, 0));
}

Status PostgresStore::UpdateStateMachine(const StateMachine& machine) {
  STATOR_TRY(postgres::Pool::Lease conn, pool_.Acquire());
  STATOR_TRY(Rows r, conn->Run("machine_update",
                               "UPDATE state_machines SET name = $2, type = $3, definition = $4, "
                               "role_arn = $5, logging_configuration = $6, "
                               "tracing_configuration = $7, encryption_configuration = $8, "
                               "creation_date_ms = $9, revision_id = $10, update_date_ms = $11 "
                               "WHERE arn = $1",
                               MachineParams(machine)));
  if (r.affected() == 0) return Error{kNotFound, machine.arn};
  return Status::Ok();
}

Status PostgresStore::DeleteStateMachine(std::string_view arn) {
  return InTransaction([&](Connection* c) -> Status {
    // Tags of the machine and of its versions ("<arn>:<n>"); the versions cascade.
    STATOR_TRY(Rows tags,
               c->Run("machine_delete_tags",
                      "DELETE FROM tags WHERE resource_arn = $1 OR resource_arn IN "
                      "(SELECT state_machine_arn || ':' || version FROM state_machine_versions "
                      "WHERE state_machine_arn = $1)",
                      {Param::Text(arn)}));
    STATOR_TRY(Rows machine, c->Run("machine_delete", "DELETE FROM state_machines WHERE arn = $1",
                                    {Param::Text(arn)}));
    return Status::Ok();
  });
}

Result<Page<StateMachine>> PostgresStore::ListStateMachines(std::string_view after, int limit) {
  STATOR_TRY(Rows r, Read("machine_list",
                          Select(kMachineColumns,
                                 "FROM state_machines WHERE arn > $1 ORDER BY arn LIMIT $2"),
                          {Param::Text(after), Param::Int(int64_t{limit} + 1)}));
  Page<StateMachine> page;
  for (int i = 0; i < r.size(); ++i) {
    if (i == limit) {
      page.next = page.items.back().arn;
      break;
    }
    page.items.push_back(ReadMachine(r, i));
  }
  return page;
}

// --- Versions -----------------------------------------------------------------------------------

Result<StateMachineVersion> PostgresStore::PublishVersion(const StateMachineVersion& version) {
  return InTransaction([&](Connection* c) -> Result<StateMachineVersion> {
    // The machine's row lock makes publishers (of any node) take numbers one at a time.
    STATOR_TRY(Rows last, c->Run("version_last",
                                 "SELECT last_version FROM state_machines WHERE arn = $1 "
                                 "FOR UPDATE",
                                 {Param::Text(version.state_machine_arn)}));
    if (last.empty()) return Error{kNotFound, version.state_machine_arn};
    STATOR_TRY(Rows newest,
               c->Run("version_newest",
                      Select(kVersionColumns,
                             "FROM state_machine_versions WHERE state_machine_arn = $1 "
                             "ORDER BY version DESC LIMIT 1"),
                      {Param::Text(version.state_machine_arn)}));
    if (!newest.empty()) {
      StateMachineVersion v = ReadVersion(newest, 0);
      if (v.revision_id == version.revision_id) return v;
    }
    StateMachineVersion v = version;
    v.version = last.Int(0, 0) + 1;
    const StateMachineConfig& cfg = v.config;
    STATOR_TRY(
        Rows inserted,
        c->Run("version_insert",
               std::string("INSERT INTO state_machine_versions (") + kVersionColumns +
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
               {Param::Text(v.state_machine_arn), Param::Int(v.version),
                Param::Bytes(cfg.definition), Param::Bytes(cfg.role_arn),
                Param::Bytes(cfg.logging_configuration), Param::Bytes(cfg.tracing_configuration),
                Param::Bytes(cfg.encryption_configuration), Param::Bytes(v.description),
                Param::Text(v.revision_id), Param::Int(v.creation_date_ms)}));
    STATOR_TRY(Rows updated,
               c->Run("version_bump", "UPDATE state_machines SET last_version = $2 WHERE arn = $1",
                      {Param::Text(v.state_machine_arn), Param::Int(v.version)}));
    return v;
  });
}

Result<std::optional<StateMachineVersion>> PostgresStore::GetVersion(std::string_view machine_arn,
                                                                     int64_t version) {
  STATOR_TRY(Rows r, Read("version_get",
                          Select(kVersionColumns,
                                 "FROM state_machine_versions WHERE state_machine_arn = $1 "
                                 "AND version = $2"),
                          {Param::Text(machine_arn), Param::Int(version)}));
  if (r.empty()) return std::optional<StateMachineVersion>();
  return std::optional<StateMachineVersion>(ReadVersion(r, 0));
}

Result<std::vector<StateMachineVersion>> PostgresStore::ListVersions(std::string_view machine_arn) {
  STATOR_TRY(Rows r, Read("version_list",
                          Select(kVersionColumns,
                                 "FROM state_machine_versions WHERE state_machine_arn = $1 "
                                 "ORDER BY version DESC"),
                          {Param::Text(machine_arn)}));
  std::vector<StateMachineVersion> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadVersion(r, i));
  return out;
}

Status PostgresStore::DeleteVersion(std::string_view machine_arn, int64_t version) {
  const std::string version_arn = std::string(machine_arn) + ":" + std::to_string(version);
  return InTransaction([&](Connection* c) -> Status {
    STATOR_TRY(Rows tags, c->Run("tags_clear", "DELETE FROM tags WHERE resource_arn = $1",
                                 {Param::Text(version_arn)}));
    STATOR_TRY(Rows deleted, c->Run("version_delete",
                                    "DELETE FROM state_machine_versions "
                                    "WHERE state_machine_arn = $1 AND version = $2",
                                    {Param::Text(machine_arn), Param::Int(version)}));
    return Status::Ok();
  });
}

// --- Tags ---------------------------------------------------------------------------------------

Result<std::vector<Tag>> PostgresStore::ListTags(std::string_view resource_arn) {
  return InTransaction([&](Connection* c) -> Result<std::vector<Tag>> {
    STATOR_TRY(bool exists, ResourceExists(c, resource_arn, false));
    if (!exists) return Error{kNotFound, std::string(resource_arn)};
    STATOR_TRY(Rows r, c->Run("tags_list",
                              "SELECT key, value FROM tags WHERE resource_arn = $1 "
                              "ORDER BY position",
                              {Param::Text(resource_arn)}));
    std::vector<Tag> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(Tag{r.Bytes(i, 0), r.Bytes(i, 1)});
    return out;
  });
}

Status PostgresStore::TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) {
  return InTransaction([&](Connection* c) -> Status {
    STATOR_TRY(bool exists, ResourceExists(c, resource_arn, true));
    if (!exists) return Error{kNotFound, std::string(resource_arn)};
    return TagLocked(c, resource_arn, tags);
  });
}

Status PostgresStore::UntagResource(std::string_view resource_arn,
                                    const std::vector<std::string>& keys) {
  return InTransaction([&](Connection* c) -> Status {
    STATOR_TRY(bool exists, ResourceExists(c, resource_arn, true));
    if (!exists) return Error{kNotFound, std::string(resource_arn)};
    for (const std::string& key : keys) {
      STATOR_TRY(Rows r, c->Run("untag", "DELETE FROM tags WHERE resource_arn = $1 AND key = $2",
                                {Param::Text(resource_arn), Param::Bytes(key)}));
    }
    return Status::Ok();
  });
}

// --- Records ------------------------------------------------------------------------------------

Status PostgresStore::WriteRecords(const std::vector<RecordWrite>& writes) {
  return InTransaction([&](Connection* c) -> Status {
    // In order, each seeing the ones before. A condition on an existing record is checked with
    // its row locked (FOR UPDATE: a concurrent writer of any node waits, and this one then reads
    // its value), and a create-only put is an INSERT that does nothing when the key exists:
    // compare-and-set from several nodes has one winner.
    for (const RecordWrite& w : writes) {
      const Param kind = Param::Text(w.kind), key = Param::Bytes(w.key);
      if (w.condition == RecordWrite::Condition::kAbsent && w.value) {
        STATOR_TRY(Rows r, c->Run("record_create",
                                  "INSERT INTO records (kind, key, value) VALUES ($1, $2, $3) "
                                  "ON CONFLICT (kind, key) DO NOTHING",
                                  {kind, key, Param::Bytes(*w.value)}));
        if (r.affected() == 0) return CheckRecordCondition(w, std::string());
        continue;
      }
      if (w.condition != RecordWrite::Condition::kNone) {
        STATOR_TRY(Rows r, c->Run("record_lock",
                                  "SELECT value FROM records WHERE kind = $1 AND key = $2 "
                                  "FOR UPDATE",
                                  {kind, key}));
        std::optional<std::string> current;
        if (!r.empty()) current = r.Bytes(0, 0);
        STATOR_RETURN_IF_ERROR(CheckRecordCondition(w, current));
      }
      if (w.value) {
        STATOR_TRY(Rows r, c->Run("record_put",
                                  "INSERT INTO records (kind, key, value) VALUES ($1, $2, $3) "
                                  "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
                                  {kind, key, Param::Bytes(*w.value)}));
      } else {
        STATOR_TRY(Rows r, c->Run("record_delete",
                                  "DELETE FROM records WHERE kind = $1 AND key = $2", {kind, key}));
      }
    }
    return Status::Ok();
  });
}

Result<std::optional<std::string>> PostgresStore::GetRecord(std::string_view kind,
                                                            std::string_view key) {
  STATOR_TRY(Rows r, Read("record_get", "SELECT value FROM records WHERE kind = $1 AND key = $2",
                          {Param::Text(kind), Param::Bytes(key)}));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.Bytes(0, 0));
}

Result<Page<Record>> PostgresStore::ListRecords(std::string_view kind, std::string_view prefix,
                                                std::string_view after, int limit) {
  // Keys from max(prefix, after) on, in bytewise order (BYTEA's), while they start with the
  // prefix (checked here: LIKE would need escaping).
  const bool from_after = after > prefix;
  STATOR_TRY(Rows r,
             Read(from_after ? "record_list_after" : "record_list_prefix",
                  from_after ? "SELECT key, value FROM records WHERE kind = $1 AND key > $2 "
                               "ORDER BY key LIMIT $3"
                             : "SELECT key, value FROM records WHERE kind = $1 AND key >= "
                               "$2 ORDER BY key LIMIT $3",
                  {Param::Text(kind), Param::Bytes(from_after ? after : prefix),
                   Param::Int(int64_t{limit} + 1)}));
  Page<Record> page;
  for (int i = 0; i < r.size(); ++i) {
    std::string key = r.Bytes(i, 0);
    if (!key.starts_with(prefix)) break;
    if (i == limit) {
      page.next = page.items.back().key;
      break;
    }
    page.items.push_back(Record{std::string(kind), std::move(key), r.Bytes(i, 1)});
  }
  return page;
}

}  // namespace stator::store
