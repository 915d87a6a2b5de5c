// FaultInjectingStore: a Store that forwards to another one and makes its commits fail on
// purpose, to test what is built on Store::Commit (the CommitQueue, the execution service, a
// server through `stator serve --store-faults`, see ParseStoreFaults).
//
// Only Commit (the group commit of executions) is faulted; every other call (the leases' too) is
// forwarded as is, and so is a forwarded commit's CommitReport.
// Commits are counted from 1 in the order they reach this store. The faults:
//   fail_commit N   commit N fails without writing anything (a transaction that could not be
//                   written: disk full, I/O error, a lock not obtained).
//   tear_commit N   commit N is torn, per `tear`:
//     kAfterWrite   the whole batch is written, then the call fails: a transaction committed
//                   whose acknowledgment was lost (an fsync that reported an error after the data
//                   reached the disk, a crash between COMMIT and the reply). For SQLite, whose
//                   transactions are atomic, this is the only way a batch can be "half" done.
//     kPrefix       the first half of the batch's items (new executions first, then steps, in
//                   order; floor(n/2) of n) is written as one commit, then the call fails: a
//                   store that writes a batch in pieces and stopped between two.
//   commit_delay    every commit first sleeps this long (a slow fsync), e.g. to let batches grow.
// What a caller may rely on either way: after a failed commit, the store holds at least everything
// acknowledged before it and at most what was submitted; the failed batch may be in it whole, in
// part (a prefix), or not at all.
//
// Ownership: owns the store it wraps.
// Thread-safety: as the wrapped store; the fault counters are atomic.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "store/store.h"

namespace stator::store {

struct StoreFaults {
  enum class Tear : uint8_t { kAfterWrite, kPrefix };
  int64_t fail_commit = 0;  // 0: none
  int64_t tear_commit = 0;  // 0: none
  Tear tear = Tear::kAfterWrite;
  std::chrono::milliseconds commit_delay{0};
  bool any() const { return fail_commit > 0 || tear_commit > 0 || commit_delay.count() > 0; }
};

// Parses a comma-separated list: "fail-commit=N", "tear-commit=N" (torn after the write),
// "tear-commit=N:prefix", "commit-delay-ms=D"; e.g. "fail-commit=3,commit-delay-ms=5".
// kStoreFailure naming the bad part otherwise.
Result<StoreFaults> ParseStoreFaults(std::string_view spec);

class FaultInjectingStore : public Store {
 public:
  FaultInjectingStore(std::unique_ptr<Store> inner, StoreFaults faults);

  // Commit calls so far (faulted ones included), and those that reached the wrapped store.
  int64_t commits() const { return commits_.load(); }
  int64_t forwarded_commits() const { return forwarded_.load(); }

  using Store::Commit;
  Status Commit(const ExecutionBatch& batch, CommitReport* report) override;

  Result<CreateResult> CreateStateMachine(const StateMachine& machine,
                                          const std::vector<Tag>& tags) override {
    return inner_->CreateStateMachine(machine, tags);
  }
  Result<std::optional<StateMachine>> GetStateMachine(std::string_view arn) override {
    return inner_->GetStateMachine(arn);
  }
  Status UpdateStateMachine(const StateMachine& machine) override {
    return inner_->UpdateStateMachine(machine);
  }
  Status DeleteStateMachine(std::string_view arn) override {
    return inner_->DeleteStateMachine(arn);
  }
  Result<Page<StateMachine>> ListStateMachines(std::string_view after, int limit) override {
    return inner_->ListStateMachines(after, limit);
  }
  Result<StateMachineVersion> PublishVersion(const StateMachineVersion& version) override {
    return inner_->PublishVersion(version);
  }
  Result<std::optional<StateMachineVersion>> GetVersion(std::string_view machine_arn,
                                                        int64_t version) override {
    return inner_->GetVersion(machine_arn, version);
  }
  Result<std::vector<StateMachineVersion>> ListVersions(std::string_view machine_arn) override {
    return inner_->ListVersions(machine_arn);
  }
  Status DeleteVersion(std::string_view machine_arn, int64_t version) override {
    return inner_->DeleteVersion(machine_arn, version);
  }
  Result<std::vector<Tag>> ListTags(std::string_view resource_arn) override {
    return inner_->ListTags(resource_arn);
  }
  Status TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) override {
    return inner_->TagResource(resource_arn, tags);
  }
  Status UntagResource(std::string_view resource_arn,
                       const std::vector<std::string>& keys) override {
    return inner_->UntagResource(resource_arn, keys);
  }
  Result<std::optional<Execution>> GetExecution(std::string_view execution_arn) override {
    return inner_->GetExecution(execution_arn);
  }
  Result<std::optional<ExecutionMachine>> GetExecutionMachine(
      std::string_view execution_arn) override {
    return inner_->GetExecutionMachine(execution_arn);
  }
  Result<Page<Execution>> ListExecutions(const ExecutionFilter& filter, std::string_view after,
                                         int limit) override {
    return inner_->ListExecutions(filter, after, limit);
  }
  Result<bool> ReopenExecution(std::string_view execution_arn, std::string_view lease_owner,
                               int64_t lease_ttl_ms) override {
    return inner_->ReopenExecution(execution_arn, lease_owner, lease_ttl_ms);
  }
  Result<std::vector<Execution>> ListRunningExecutions() override {
    return inner_->ListRunningExecutions();
  }
  Result<Page<HistoryEvent>> ReadHistory(std::string_view execution_arn, std::string_view after,
                                         int limit, bool reverse) override {
    return inner_->ReadHistory(execution_arn, after, limit, reverse);
  }
  Result<std::vector<Lease>> RenewLeases(std::string_view owner, int64_t ttl_ms) override {
    return inner_->RenewLeases(owner, ttl_ms);
  }
  Result<std::vector<Lease>> ClaimExpiredLeases(std::string_view owner, int64_t ttl_ms, int limit,
                                                bool own) override {
    return inner_->ClaimExpiredLeases(owner, ttl_ms, limit, own);
  }
  Result<std::optional<Lease>> StealLease(std::string_view execution_arn, std::string_view owner,
                                          int64_t ttl_ms) override {
    return inner_->StealLease(execution_arn, owner, ttl_ms);
  }
  Status ReleaseLeases(std::string_view owner) override { return inner_->ReleaseLeases(owner); }
  Result<std::optional<Lease>> GetLease(std::string_view execution_arn) override {
    return inner_->GetLease(execution_arn);
  }
  Status WriteRecords(const std::vector<RecordWrite>& writes) override {
    return inner_->WriteRecords(writes);
  }
  Result<std::optional<std::string>> GetRecord(std::string_view kind,
                                               std::string_view key) override {
    return inner_->GetRecord(kind, key);
  }
  Result<Page<Record>> ListRecords(std::string_view kind, std::string_view prefix,
                                   std::string_view after, int limit) override {
    return inner_->ListRecords(kind, prefix, after, limit);
  }

 private:
  const std::unique_ptr<Store> inner_;
  const StoreFaults faults_;
  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> forwarded_{0};
};

}  // namespace stator::store
