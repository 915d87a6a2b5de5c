// MemoryStore: a Store that keeps everything in process memory (lost at exit).
//
// Used by `stator serve` without --data-dir and by tests. One mutex guards all state; every
// call is short (map operations), so contention is not a concern at control-plane rates.
// Leases (store.h) live beside their executions; the store's clock for their expiry is
// std::chrono::system_clock, in milliseconds.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "store/store.h"

namespace stator::store {

class MemoryStore : public Store {
 public:
  MemoryStore() = default;

  Result<CreateResult> CreateStateMachine(const StateMachine& machine,
                                          const std::vector<Tag>& tags) override EXCLUDES(mu_);
  Result<std::optional<StateMachine>> GetStateMachine(std::string_view arn) override EXCLUDES(mu_);
  Status UpdateStateMachine(const StateMachine& machine) override EXCLUDES(mu_);
  Status DeleteStateMachine(std::string_view arn) override EXCLUDES(mu_);
  Result<Page<StateMachine>> ListStateMachines(std::string_view after, int limit) override
      EXCLUDES(mu_);

  Result<StateMachineVersion> PublishVersion(const StateMachineVersion& version) override
      EXCLUDES(mu_);
  Result<std::optional<StateMachineVersion>> GetVersion(std::string_view machine_arn,
                                                        int64_t version) override EXCLUDES(mu_);
  Result<std::vector<StateMachineVersion>> ListVersions(std::string_view machine_arn) override
      EXCLUDES(mu_);
  Status DeleteVersion(std::string_view machine_arn, int64_t version) override EXCLUDES(mu_);

  Result<std::vector<Tag>> ListTags(std::string_view resource_arn) override EXCLUDES(mu_);
  Status TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) override
      EXCLUDES(mu_);
  Status UntagResource(std::string_view resource_arn, const std::vector<std::string>& keys) override
      EXCLUDES(mu_);

  using Store::Commit;
  Status Commit(const ExecutionBatch& batch, CommitReport* report) override EXCLUDES(mu_);
  Result<std::optional<Execution>> GetExecution(std::string_view execution_arn) override
      EXCLUDES(mu_);
  Result<bool> ReopenExecution(std::string_view execution_arn, std::string_view lease_owner,
                               int64_t lease_ttl_ms) override EXCLUDES(mu_);
  Result<std::vector<Execution>> ListRunningExecutions() override EXCLUDES(mu_);
  Result<std::optional<ExecutionMachine>> GetExecutionMachine(
      std::string_view execution_arn) override EXCLUDES(mu_);
  Result<Page<Execution>> ListExecutions(const ExecutionFilter& filter, std::string_view after,
                                         int limit) override EXCLUDES(mu_);
  Result<Page<HistoryEvent>> ReadHistory(std::string_view execution_arn, std::string_view after,
                                         int limit, bool reverse) override EXCLUDES(mu_);

  Result<std::vector<Lease>> RenewLeases(std::string_view owner, int64_t ttl_ms) override
      EXCLUDES(mu_);
  Result<std::vector<Lease>> ClaimExpiredLeases(std::string_view owner, int64_t ttl_ms, int limit,
                                                bool own) override EXCLUDES(mu_);
  Result<std::optional<Lease>> StealLease(std::string_view execution_arn, std::string_view owner,
                                          int64_t ttl_ms) override EXCLUDES(mu_);
  Status ReleaseLeases(std::string_view owner) override EXCLUDES(mu_);
  Result<std::optional<Lease>> GetLease(std::string_view execution_arn) override EXCLUDES(mu_);

  Status WriteRecords(const std::vector<RecordWrite>& writes) override EXCLUDES(mu_);
  Result<std::optional<std::string>> GetRecord(std::string_view kind, std::string_view key) override
      EXCLUDES(mu_);
  Result<Page<Record>> ListRecords(std::string_view kind, std::string_view prefix,
                                   std::string_view after, int limit) override EXCLUDES(mu_);

 private:
  struct Machine {
    StateMachine machine;
    int64_t last_version = 0;                         // highest number ever published
    std::map<int64_t, StateMachineVersion> versions;  // by number
  };

  struct HeldLease {
    std::string owner;
    int64_t epoch = 0;
    int64_t expires_ms = 0;  // expired once the clock reaches it
  };

  struct StoredExecution {
    Execution execution;
    int64_t seq = 0;  // creation order
    std::shared_ptr<const ExecutionMachine> machine;
    std::vector<HistoryEvent> history;
    std::optional<HeldLease> lease;  // while RUNNING, when created with a lease owner
  };

  bool ResourceExistsLocked(std::string_view arn) const REQUIRES(mu_);
  // Gives `stored` (RUNNING, leased) to `owner` at the next epoch; returns the lease.
  static Lease TakeLease(StoredExecution& stored, std::string_view owner, int64_t expires_ms);
  std::optional<std::string> RecordLocked(std::string_view kind, std::string_view key) const
      REQUIRES(mu_);

  Mutex mu_;
  std::map<std::string, Machine, std::less<>> machines_ GUARDED_BY(mu_);
  std::map<std::string, std::vector<Tag>, std::less<>> tags_ GUARDED_BY(mu_);
  // Executions by ARN; per state machine ARN, its executions by creation order.
  std::map<std::string, StoredExecution, std::less<>> executions_ GUARDED_BY(mu_);
  std::map<std::string, std::map<int64_t, StoredExecution*>, std::less<>> by_machine_
      GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<const ExecutionMachine>, std::less<>> execution_machines_
      GUARDED_BY(mu_);  // by id
  // The executions that hold a lease (lease set), by creation order.
  std::map<int64_t, StoredExecution*> leased_ GUARDED_BY(mu_);
  int64_t next_seq_ GUARDED_BY(mu_) = 1;
  // Records by kind, then key.
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> records_
      GUARDED_BY(mu_);
};

}  // namespace stator::store
