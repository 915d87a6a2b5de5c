// Store: the persistence interface of stator's control plane (the domain, not tables).
//
// The store keeps state machines, the versions published from them and the tags of any
// resource. It knows nothing about HTTP or AWS error wording: lookups of missing things return
// std::nullopt (or a Status whose error is kNotFound), and only I/O failures are other Errors.
// ARNs are the keys; the API layer builds and parses them.
//
// Implementations: MemoryStore (memory_store.h; tests and --data-dir-less servers) and
// SqliteStore (sqlite_store.h; durable, WAL). store_test.cc is the one suite every
// implementation must pass.
//
// Thread-safety: every method of every implementation may be called from any thread at once.
// Each call is atomic (it sees and leaves a consistent state).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace stator::store {

// Error names a store reports (Error::error). The cause carries the details.
inline constexpr const char* kNotFound = "store.NotFound";
inline constexpr const char* kStoreFailure = "store.Failure";  // I/O, corruption, SQL error

enum class StateMachineType : uint8_t { kStandard, kExpress };

// "STANDARD" / "EXPRESS"; and back (nullopt for anything else).
const char* StateMachineTypeName(StateMachineType t);
std::optional<StateMachineType> ParseStateMachineType(std::string_view name);

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

// The configuration of a state machine that UpdateStateMachine can change and that a version
// freezes. JSON-valued settings are kept as canonical JSON text (json::Value::Dump of the
// normalised member); the store does not interpret them.
struct StateMachineConfig {
  std::string definition;  // the definition text exactly as the client sent it
  std::string role_arn;
  std::string logging_configuration;     // JSON object text
  std::string tracing_configuration;     // JSON object text
  std::string encryption_configuration;  // JSON object text, empty when never given
  bool operator==(const StateMachineConfig&) const = default;
};

struct StateMachine {
  std::string arn;
  std::string name;
  StateMachineType type = StateMachineType::kStandard;
  StateMachineConfig config;
  int64_t creation_date_ms = 0;
  // Set by the first update that changes the configuration; empty before.
  std::string revision_id;
  int64_t update_date_ms = 0;  // 0: never updated
  bool operator==(const StateMachine&) const = default;
};

// A published, immutable version: the configuration at the time it was published.
struct StateMachineVersion {
  std::string state_machine_arn;
  int64_t version = 0;  // 1, 2, ...: never reused for a state machine
  StateMachineConfig config;
  std::string description;
  std::string revision_id;  // the state machine's revision when published ("" before any update)
  int64_t creation_date_ms = 0;
  bool operator==(const StateMachineVersion&) const = default;

  // "<state machine arn>:<version>"
  std::string arn() const { return state_machine_arn + ":" + std::to_string(version); }
};

// One page of a listing. `next` is the key to pass as `after` for the following page, or
// empty when this is the last page.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- State machines -------------------------------------------------------------------------

  // Inserts `machine` with `tags` unless a state machine with the same ARN exists. Returns the
  // stored machine and whether this call created it (created == false: the existing machine,
  // untouched; the caller decides whether that is an idempotent repeat or a conflict).
  struct CreateResult {
    StateMachine machine;
    bool created = false;
  };
  virtual Result<CreateResult> CreateStateMachine(const StateMachine& machine,
                                                  const std::vector<Tag>& tags) = 0;

  virtual Result<std::optional<StateMachine>> GetStateMachine(std::string_view arn) = 0;

  // Replaces the stored machine with the same ARN (all fields). kNotFound if it is gone.
  virtual Status UpdateStateMachine(const StateMachine& machine) = 0;

  // Deletes the machine, its versions and its tags (and theirs). Deleting a missing machine
  // succeeds: DeleteStateMachine is idempotent.
  virtual Status DeleteStateMachine(std::string_view arn) = 0;

  // State machines in ARN order, starting after the ARN `after` ("" = from the first), at most
  // `limit` of them (limit >= 1).
  virtual Result<Page<StateMachine>> ListStateMachines(std::string_view after, int limit) = 0;

  // --- Versions -------------------------------------------------------------------------------

  // Publishes `version` (its `version` field is ignored) for its state machine. If the newest
  // existing version has the same revision_id, nothing is written and that version is returned
  // (publishing an unchanged machine twice yields one version). Otherwise the new version gets
  // the next number (max ever published + 1). kNotFound when the machine does not exist.
  virtual Result<StateMachineVersion> PublishVersion(const StateMachineVersion& version) = 0;

  virtual Result<std::optional<StateMachineVersion>> GetVersion(std::string_view machine_arn,
                                                                int64_t version) = 0;

  // Versions of a machine, newest first (as ListStateMachineVersions returns them).
  virtual Result<std::vector<StateMachineVersion>> ListVersions(std::string_view machine_arn) = 0;

  // Deletes one version and its tags; deleting a missing version succeeds.
  virtual Status DeleteVersion(std::string_view machine_arn, int64_t version) = 0;

  // --- Tags (of any resource: state machines now, activities and others later) --------------

  // Tags of the resource in the order their keys were first set.
  virtual Result<std::vector<Tag>> ListTags(std::string_view resource_arn) = 0;

  // Sets each tag (a key already present keeps its position and takes the new value).
  // kNotFound unless the resource exists (only state machines can be tagged so far).
  virtual Status TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) = 0;

  // Removes the keys that are present; kNotFound unless the resource exists.
  virtual Status UntagResource(std::string_view resource_arn,
                               const std::vector<std::string>& keys) = 0;

  // --- Executions and history: NEXT (issue 3, durable Standard executions) -----------------
  // Room reserved here for: CreateExecution (idempotent on name + input), GetExecution,
  // ListExecutions(state machine, status filter, page), the execution-state checkpoint, and
  // AppendHistory(execution, events) / ReadHistory(execution, page, reverse), plus a batched
  // Commit(steps) that group-commits many executions' steps in one transaction. Schema v002
  // (schema/sqlite/v002_executions.sql) will add their tables.
};

// Opens the store for a server: SQLite under `data_dir` (created if needed) when data_dir is
// not empty, else a MemoryStore.
Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir);

}  // namespace stator::store
