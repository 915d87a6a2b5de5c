// Store: the persistence interface of stator's control plane (the domain, not tables).
//
// The store keeps state machines, the versions published from them, the tags of any resource,
// and Standard executions with their histories. It knows nothing about HTTP or AWS error wording:
// lookups of missing things return std::nullopt (or a Status whose error is kNotFound), and only
// I/O failures are other Errors. ARNs are the keys; the API layer builds and parses them.
//
// Implementations: MemoryStore (memory_store.h; tests and --data-dir-less servers),
// SqliteStore (sqlite_store.h; durable, WAL) and PostgresStore (postgres_store.h; a cluster's
// shared database). The typed suites of store_test_util.h are the ones every implementation
// must pass.
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

#include "common/execution_status.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::store {

// Error names a store reports (Error::error). The cause carries the details.
inline constexpr const char* kNotFound = "store.NotFound";
inline constexpr const char* kStoreFailure = "store.Failure";  // I/O, corruption, SQL error
// A commit whose events do not continue an execution's history (a gap or a repeated id).
inline constexpr const char* kOutOfSequence = "store.OutOfSequence";

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

// --- Executions -------------------------------------------------------------------------------

using ::stator::ExecutionStatus;  // common/execution_status.h
using ::stator::ExecutionStatusName;
using ::stator::ParseExecutionStatus;

// An execution as DescribeExecution shows it.
struct Execution {
  std::string arn;
  std::string state_machine_arn;  // unqualified
  std::string name;
  std::string version_arn;  // the version it runs when started through a version or alias, or ""
  std::string alias_arn;    // the alias it was started through, or ""
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::string input;                  // JSON text as the client sent it
  std::optional<std::string> output;  // JSON text; SUCCEEDED only
  std::optional<std::string> error;   // FAILED, TIMED_OUT, ABORTED (when there is one)
  std::optional<std::string> cause;
  int64_t start_date_ms = 0;
  int64_t stop_date_ms = 0;  // 0 while RUNNING
  bool operator==(const Execution&) const = default;
};

// The state machine an execution runs, as it was when the execution started (what
// DescribeStateMachineForExecution shows even after the machine changed). Many executions run
// the same one: the store keeps each distinct one once, under `id`, a key the caller derives
// from the content (equal content, equal id; the server uses a SHA-256 digest).
struct ExecutionMachine {
  std::string id;
  StateMachineConfig config;
  std::string revision_id;
  int64_t update_date_ms = 0;  // the machine's last update, or its creation when never updated
  bool operator==(const ExecutionMachine&) const = default;
};

// One history event, as GetExecutionHistory returns it.
struct HistoryEvent {
  int64_t id = 0;
  int64_t previous_event_id = 0;
  int64_t timestamp_ms = 0;
  std::string type;         // "PassStateEntered", ...
  std::string details_key;  // "stateEnteredEventDetails", or "" when the event has no details
  json::Value details;      // the details object (payload fields hold JSON text), or null
  bool operator==(const HistoryEvent&) const = default;
};

// How an execution ended.
struct ExecutionOutcome {
  ExecutionStatus status = ExecutionStatus::kSucceeded;
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  int64_t stop_date_ms = 0;
};

// What one execution adds in a commit: events appended to its history and, when it ended, its
// outcome. The events' ids continue the history: last id + 1, + 2, ... (the first event of an
// execution is 1).
struct ExecutionStep {
  std::string execution_arn;
  std::vector<HistoryEvent> events;
  std::optional<ExecutionOutcome> outcome;
  // > 0: written only if the batch's lease_owner holds the execution's lease at this epoch
  // (else skipped and reported in CommitReport::fenced). 0: not fenced.
  int64_t lease_epoch = 0;
};

// Ok when the ids of `events` are last_event_id + 1, + 2, ...; else kOutOfSequence, naming the
// execution and the first id that does not follow. Every Store checks each step with it.
Status CheckEventIds(std::string_view execution_arn, int64_t last_event_id,
                     const std::vector<HistoryEvent>& events);

// A new execution (status RUNNING) and the state machine it runs.
struct NewExecution {
  Execution execution;
  ExecutionMachine machine;
};

// One group commit (Store::Commit).
//
// In a cluster (several servers on one database, docs/cluster.md) every RUNNING execution is
// leased to one node: `lease_owner` names the node committing the batch. Each execution of
// `created` then starts with a lease held by that node (epoch 1, expiring lease_ttl_ms from the
// store's clock), and a step with lease_epoch > 0 is written only while that node still holds
// the execution's lease at that epoch (fencing: a node whose lease moved on cannot write).
// A single server leaves lease_owner empty: no leases, no fencing.
struct ExecutionBatch {
  std::vector<NewExecution> created;
  std::vector<ExecutionStep> steps;
  std::string lease_owner{};  // the committing node, or "" (no leases)
  int64_t lease_ttl_ms = 0;
  bool empty() const { return created.empty() && steps.empty(); }
  void clear() {
    created.clear();
    steps.clear();
  }
};

// Whether a step of `batch` is fenced off (skipped, CommitReport::fenced): it carries a lease
// epoch, and the execution's lease — `lease_owner` (nullopt: none) at `lease_epoch` — is not
// batch.lease_owner's at that epoch. Expiry is not checked: an expired lease nobody took is
// still safe to write. Every Store checks each step with it.
bool IsFenced(const ExecutionBatch& batch, const ExecutionStep& step,
              const std::optional<std::string>& lease_owner, int64_t lease_epoch);

// What a Commit skipped (and wrote nothing of), as opposed to failing the whole batch: races
// between nodes of a cluster that the store settles and the callers must hear about.
struct CommitReport {
  // Executions of `created` whose ARN already existed (another node started the same name
  // first): not inserted, the existing one untouched.
  std::vector<std::string> existed;
  // Executions whose steps were refused because the committing node no longer holds their
  // lease at the step's epoch (each ARN once; every later step of it in the batch is skipped).
  std::vector<std::string> fenced;
};

// A node's hold on one RUNNING execution (see ExecutionBatch).
struct Lease {
  std::string execution_arn;
  std::string owner;
  int64_t epoch = 0;
  bool operator==(const Lease&) const = default;
};

// Which executions ListExecutions returns.
struct ExecutionFilter {
  std::string state_machine_arn;          // unqualified; required
  std::string version_arn;                // only those running this version ("" = any)
  std::optional<ExecutionStatus> status;  // only those with this status
  std::string alias_arn{};                // only those started through this alias ("" = any)
};

// One page of a listing. `next` is the key to pass as `after` for the following page, or
// empty when this is the last page.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next;
};

// --- Records --------------------------------------------------------------------------------

// A record: a document (any bytes, opaque to the store: JSON text for catalogues, a zip for a
// function's package) under (kind, key). The front
// doors keep their catalogues as records: KNIX users, functions, workflows and stored data
// (kind "knix.*"), IAM roles ("iam.*"). A kind is a namespace; keys order bytewise within it.
struct Record {
  std::string kind;
  std::string key;
  std::string value;
  bool operator==(const Record&) const = default;
};

// One write of Store::WriteRecords: puts `value` (or deletes the record when value is
// nullopt), provided `condition` holds for the record as it is before the call.
struct RecordWrite {
  enum class Condition : uint8_t {
    kNone,     // always
    kAbsent,   // the record does not exist (create only)
    kPresent,  // the record exists
    kEquals,   // the record exists and its value is `expected` (compare-and-set)
  };
  std::string kind;
  std::string key;
  std::optional<std::string> value;  // nullopt: delete
  Condition condition = Condition::kNone;
  std::string expected;  // kEquals only

  static RecordWrite Put(std::string kind, std::string key, std::string value,
                         Condition condition = Condition::kNone) {
    return {std::move(kind), std::move(key), std::move(value), condition, {}};
  }
  static RecordWrite Delete(std::string kind, std::string key,
                            Condition condition = Condition::kNone) {
    return {std::move(kind), std::move(key), std::nullopt, condition, {}};
  }
  // Puts `value` (or deletes, with nullopt) only if the record's value is `expected`.
  static RecordWrite IfEquals(std::string kind, std::string key, std::optional<std::string> value,
                              std::string expected) {
    return {std::move(kind), std::move(key), std::move(value), Condition::kEquals,
            std::move(expected)};
  }
};

// The error of a WriteRecords whose condition did not hold; the cause is "KIND/KEY".
inline constexpr const char* kConditionFailed = "store.ConditionFailed";

// Ok when w's condition holds for a record whose value is `current` (nullopt: absent), else
// kConditionFailed. Every Store checks each write with it.
Status CheckRecordCondition(const RecordWrite& w, const std::optional<std::string>& current);

// The keys of the execution and history listings are decimal numbers (an execution's creation
// order, an event id) in every backend: the number a key holds, or nullopt when it is not one.
std::optional<int64_t> ParsePageKey(std::string_view key);

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

  // --- Executions and their history (Standard executions; Express ones are not stored) -------

  // Inserts the executions of batch.created (each with the state machine it runs, kept once per
  // ExecutionMachine::id), then applies batch.steps in order: appends each step's events to its
  // execution's history and, when the step carries an outcome, closes the execution. All or
  // nothing, in one transaction (SqliteStore: one fsync): this is the group commit through
  // which many executions' progress becomes durable at once (see commit_queue.h). Errors, each
  // failing the whole batch: a step of an execution that does not exist, kStoreFailure; events
  // whose ids do not continue their execution's history (a gap or a repeat, also within the
  // batch), kOutOfSequence. Callers guarantee none happens: such a batch means an earlier one
  // was lost or is being written twice.
  // Races between nodes are not errors: a created execution whose ARN exists (with the batch's
  // steps of it), and the steps of a node that lost the lease (ExecutionBatch), are skipped and
  // listed in *report (cleared first; may be null when the caller does not need to know).
  virtual Status Commit(const ExecutionBatch& batch, CommitReport* report) = 0;
  Status Commit(const ExecutionBatch& batch) { return Commit(batch, nullptr); }

  virtual Result<std::optional<Execution>> GetExecution(std::string_view execution_arn) = 0;

  // The state machine an execution runs, as it was when the execution started.
  virtual Result<std::optional<ExecutionMachine>> GetExecutionMachine(
      std::string_view execution_arn) = 0;

  // Executions that match `filter`, newest (most recently created) first, starting after the
  // key `after` ("" = from the newest; else a `next` of an earlier page), at most `limit`
  // (>= 1). Keys are opaque to callers and stay valid while executions are added.
  virtual Result<Page<Execution>> ListExecutions(const ExecutionFilter& filter,
                                                 std::string_view after, int limit) = 0;

  // Reopens an execution that ended without succeeding (FAILED, TIMED_OUT or ABORTED) for
  // RedriveExecution: RUNNING again, with output, error, cause and stop date cleared; its
  // history stays (the redriven run appends to it). With a lease_owner (a cluster), the
  // execution is leased to that node at epoch 1, expiring lease_ttl_ms from the store's clock.
  // Answers false, changing nothing, when it does not exist or is RUNNING or SUCCEEDED (another
  // redrive got there first).
  virtual Result<bool> ReopenExecution(std::string_view execution_arn, std::string_view lease_owner,
                                       int64_t lease_ttl_ms) = 0;

  // Every execution still RUNNING, of any state machine, oldest first: what a server resumes
  // when it starts (ExecutionService).
  virtual Result<std::vector<Execution>> ListRunningExecutions() = 0;

  // An execution's history events in id order (reverse: from the last), starting after the key
  // `after` ("" = from the first, or the last when reverse), at most `limit` (>= 1) of them.
  // kNotFound when the execution does not exist.
  virtual Result<Page<HistoryEvent>> ReadHistory(std::string_view execution_arn,
                                                 std::string_view after, int limit,
                                                 bool reverse) = 0;

  // --- Leases (clusters; see ExecutionBatch) ------------------------------------------------
  //
  // Times are the store's own clock (PostgreSQL: the database server's, one clock for the whole
  // cluster), so nodes' clocks need not agree. A lease row lives from its execution's creation
  // (with a lease_owner) until its outcome is committed.

  // Extends to now + ttl_ms every lease `owner` holds, in one statement; returns them (what
  // the node may still write: a live execution missing here was taken over by another node).
  virtual Result<std::vector<Lease>> RenewLeases(std::string_view owner, int64_t ttl_ms) = 0;

  // Takes over, for `owner`, at most `limit` leases of RUNNING executions that expired (and,
  // with `own`, those `owner` already holds, whatever their expiry: a restarted node with the
  // same id), each with its epoch raised by one and expiring now + ttl_ms; oldest executions
  // first. Two nodes never take the same lease at once.
  virtual Result<std::vector<Lease>> ClaimExpiredLeases(std::string_view owner, int64_t ttl_ms,
                                                        int limit, bool own) = 0;

  // Takes one RUNNING execution's lease for `owner` whoever holds it (epoch raised by one):
  // how a node that did not start an execution stops it. nullopt when the execution is not
  // RUNNING (or has no lease: not started by a cluster node).
  virtual Result<std::optional<Lease>> StealLease(std::string_view execution_arn,
                                                  std::string_view owner, int64_t ttl_ms) = 0;

  // Makes every lease of `owner` expired at once (epochs unchanged), so that other nodes take
  // them over without waiting: a clean shutdown's hand-over.
  virtual Status ReleaseLeases(std::string_view owner) = 0;

  // The lease of an execution, or nullopt (none, or the execution ended).
  virtual Result<std::optional<Lease>> GetLease(std::string_view execution_arn) = 0;

  // --- Records (see Record) -------------------------------------------------------------------

  // Applies every write, all or nothing, in one transaction: when any condition fails, nothing is
  // written and the error is kConditionFailed naming the first write whose condition failed.
  // Writes apply in order (a later write to the same record sees the earlier one).
  virtual Status WriteRecords(const std::vector<RecordWrite>& writes) = 0;

  // The value of (kind, key), or nullopt.
  virtual Result<std::optional<std::string>> GetRecord(std::string_view kind,
                                                       std::string_view key) = 0;

  // Records of `kind` whose keys start with `prefix`, in key order, starting after the key
  // `after` ("" = from the first), at most `limit` (>= 1). Page::next is the last key returned
  // when more may follow, else "".
  virtual Result<Page<Record>> ListRecords(std::string_view kind, std::string_view prefix,
                                           std::string_view after, int limit) = 0;
};

// Opens the store for a server: PostgreSQL at `store_uri` (a libpq connection URI) when it is
// not empty, SQLite under `data_dir` (created if needed) when that is not empty (not both),
// else a MemoryStore.
Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir, const std::string& store_uri);

}  // namespace stator::store
