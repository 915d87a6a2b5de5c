// SqliteStore: the durable Store, an embedded SQLite database file.
//
// The database lives at <data_dir>/stator.db in WAL mode with synchronous=FULL (a committed
// call survives a crash or power loss), reached through common/sqlite.h. Open() applies the
// pending schema migrations (sqlite_schema.h) and refuses a database whose schema is newer than
// this build knows.
//
// Ownership: the store owns its two connections and closes them in the destructor.
// Thread-safety: all methods are thread-safe. Calls that write go through one connection, one
// at a time, each in one transaction; reads (Get*, List*, ReadHistory) go through a second,
// read-only connection, so they see the last commit without waiting for a commit in flight.
// (ReadHistory's two statements may straddle a commit: it can only see more events, never
// fewer.) Leases (store.h) are rows of execution_leases (schema v005; sqlite_store_leases.cc);
// the store's clock for their expiry is this process's std::chrono::system_clock, in ms.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/sqlite.h"
#include "common/thread_annotations.h"
#include "store/store.h"

namespace stator::store {

class SqliteStore : public Store {
 public:
  // Opens (creating if needed) the database file at `path`. A file it must be: reads use a
  // second connection to it (":memory:" is refused; MemoryStore is the in-memory store).
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override EXCLUDES(read_mu_);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // The highest migration applied to the open database.
  int schema_version() const { return schema_version_; }

  Result<CreateResult> CreateStateMachine(const StateMachine& machine,
                                          const std::vector<Tag>& tags) override EXCLUDES(mu_);
  Result<std::optional<StateMachine>> GetStateMachine(std::string_view arn) override
      EXCLUDES(read_mu_, cache_mu_);
  Status UpdateStateMachine(const StateMachine& machine) override EXCLUDES(mu_);
  Status DeleteStateMachine(std::string_view arn) override EXCLUDES(mu_);
  Result<Page<StateMachine>> ListStateMachines(std::string_view after, int limit) override
      EXCLUDES(read_mu_);

  Result<StateMachineVersion> PublishVersion(const StateMachineVersion& version) override
      EXCLUDES(mu_);
  Result<std::optional<StateMachineVersion>> GetVersion(std::string_view machine_arn,
                                                        int64_t version) override
      EXCLUDES(read_mu_);
  Result<std::vector<StateMachineVersion>> ListVersions(std::string_view machine_arn) override
      EXCLUDES(read_mu_);
  Status DeleteVersion(std::string_view machine_arn, int64_t version) override EXCLUDES(mu_);

  Result<std::vector<Tag>> ListTags(std::string_view resource_arn) override EXCLUDES(read_mu_);
  Status TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) override
      EXCLUDES(mu_);
  Status UntagResource(std::string_view resource_arn, const std::vector<std::string>& keys) override
      EXCLUDES(mu_);

  using Store::Commit;
  Status Commit(const ExecutionBatch& batch, CommitReport* report) override EXCLUDES(mu_);
  Result<std::optional<Execution>> GetExecution(std::string_view execution_arn) override
      EXCLUDES(read_mu_);
  Result<bool> ReopenExecution(std::string_view execution_arn, std::string_view lease_owner,
                               int64_t lease_ttl_ms) override EXCLUDES(mu_);
  Result<std::vector<Execution>> ListRunningExecutions() override EXCLUDES(read_mu_);
  Result<std::optional<ExecutionMachine>> GetExecutionMachine(
      std::string_view execution_arn) override EXCLUDES(read_mu_);
  Result<Page<Execution>> ListExecutions(const ExecutionFilter& filter, std::string_view after,
                                         int limit) override EXCLUDES(read_mu_);
  Result<Page<HistoryEvent>> ReadHistory(std::string_view execution_arn, std::string_view after,
                                         int limit, bool reverse) override EXCLUDES(read_mu_);

  Result<std::vector<Lease>> RenewLeases(std::string_view owner, int64_t ttl_ms) override
      EXCLUDES(mu_);
  Result<std::vector<Lease>> ClaimExpiredLeases(std::string_view owner, int64_t ttl_ms, int limit,
                                                bool own) override EXCLUDES(mu_);
  Result<std::optional<Lease>> StealLease(std::string_view execution_arn, std::string_view owner,
                                          int64_t ttl_ms) override EXCLUDES(mu_);
  Status ReleaseLeases(std::string_view owner) override EXCLUDES(mu_);
  Result<std::optional<Lease>> GetLease(std::string_view execution_arn) override EXCLUDES(read_mu_);

  Status WriteRecords(const std::vector<RecordWrite>& writes) override EXCLUDES(mu_);
  Result<std::optional<std::string>> GetRecord(std::string_view kind, std::string_view key) override
      EXCLUDES(read_mu_);
  Result<Page<Record>> ListRecords(std::string_view kind, std::string_view prefix,
                                   std::string_view after, int limit) override EXCLUDES(read_mu_);

 private:
  SqliteStore(std::unique_ptr<sqlite::Database> db, std::unique_ptr<sqlite::Database> reader,
              int schema_version);
  Status TagLocked(std::string_view resource_arn, const std::vector<Tag>& tags) REQUIRES(mu_);
  // With the connection's lock held: db, or the reader (the functions below take either).
  static Result<bool> ResourceExistsLocked(sqlite::Database* db, std::string_view arn);
  // The store's clock (leases' expiry): system_clock, in epoch milliseconds.
  static int64_t NowMillis();
  // The leases (execution seq, epoch) held by `owner`, with their executions' ARNs.
  Result<std::vector<Lease>> LeasesLocked(std::string_view owner,
                                          const std::vector<std::pair<int64_t, int64_t>>& leases)
      REQUIRES(mu_);
  static Result<std::optional<int64_t>> ExecutionSeqLocked(sqlite::Database* db,
                                                           std::string_view arn);
  // The connections, each reached only with its lock held.
  sqlite::Database* db() REQUIRES(mu_) { return db_.get(); }
  sqlite::Database* reader() REQUIRES(read_mu_) { return reader_.get(); }

  Mutex mu_;  // the writer: every call that writes, one transaction at a time
  const std::unique_ptr<sqlite::Database> db_ PT_GUARDED_BY(mu_);
  class MachineCacheInvalidation;
  Mutex cache_mu_;  // GetStateMachine's cache (see sqlite_store.cc)
  std::unordered_map<std::string, StateMachine> machine_cache_ GUARDED_BY(cache_mu_);
  uint64_t cache_generation_ GUARDED_BY(cache_mu_) = 0;
  Mutex read_mu_;  // the reader: Get*/List*/ReadHistory
  // Read-only, sees the last commit (WAL).
  const std::unique_ptr<sqlite::Database> reader_ PT_GUARDED_BY(read_mu_);
  const int schema_version_;
};

}  // namespace stator::store
