// PostgresStore: the Store of a cluster, kept in a PostgreSQL database (`stator serve --store
// postgresql://...`; docs/store.md, docs/cluster.md).
//
// Several servers (nodes) may share one database: everything a call does is one transaction
// whose checks hold under the database's row locks (names stay unique, version numbers are not
// reused, a record's compare-and-set has one winner, a lease is taken by one node), and nothing
// is cached, so every node's reads see every committed write. Times of leases come from the
// database server's clock. Open() applies the pending schema migrations (postgres_schema.h)
// under an advisory lock, so nodes may start at the same moment.
//
// Ownership: the store owns a pool of connections (common/postgres.h), closed in the destructor.
// Thread-safety: all methods are thread-safe; each call takes a connection of its own from the
// pool (opening one when none is idle), so calls run in parallel, each in its own transaction.
#pragma once

#include <memory>
#include <string>

#include "common/postgres.h"
#include "store/store.h"

namespace stator::store {

class PostgresStore : public Store {
 public:
  // Connects to the database at `uri` (a libpq connection URI or key=value string) and migrates
  // its schema (the tables go where the connection's search_path puts them).
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& uri);
  ~PostgresStore() override;

  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // The highest migration applied to the database when it was opened.
  int schema_version() const { return schema_version_; }

  Result<CreateResult> CreateStateMachine(const StateMachine& machine,
                                          const std::vector<Tag>& tags) override;
  Result<std::optional<StateMachine>> GetStateMachine(std::string_view arn) override;
  Status UpdateStateMachine(const StateMachine& machine) override;
  Status DeleteStateMachine(std::string_view arn) override;
  Result<Page<StateMachine>> ListStateMachines(std::string_view after, int limit) override;

  Result<StateMachineVersion> PublishVersion(const StateMachineVersion& version) override;
  Result<std::optional<StateMachineVersion>> GetVersion(std::string_view machine_arn,
                                                        int64_t version) override;
  Result<std::vector<StateMachineVersion>> ListVersions(std::string_view machine_arn) override;
  Status DeleteVersion(std::string_view machine_arn, int64_t version) override;

  Result<std::vector<Tag>> ListTags(std::string_view resource_arn) override;
  Status TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) override;
  Status UntagResource(std::string_view resource_arn,
                       const std::vector<std::string>& keys) override;

  using Store::Commit;
  Status Commit(const ExecutionBatch& batch, CommitReport* report) override;
  Result<std::optional<Execution>> GetExecution(std::string_view execution_arn) override;
  Result<std::optional<ExecutionMachine>> GetExecutionMachine(
      std::string_view execution_arn) override;
  Result<Page<Execution>> ListExecutions(const ExecutionFilter& filter, std::string_view after,
                                         int limit) override;
  Result<bool> ReopenExecution(std::string_view execution_arn, std::string_view lease_owner,
                               int64_t lease_ttl_ms) override;
  Result<std::vector<Execution>> ListRunningExecutions() override;
  Result<Page<HistoryEvent>> ReadHistory(std::string_view execution_arn, std::string_view after,
                                         int limit, bool reverse) override;

  Result<std::vector<Lease>> RenewLeases(std::string_view owner, int64_t ttl_ms) override;
  Result<std::vector<Lease>> ClaimExpiredLeases(std::string_view owner, int64_t ttl_ms, int limit,
                                                bool own) override;
  Result<std::optional<Lease>> StealLease(std::string_view execution_arn, std::string_view owner,
                                          int64_t ttl_ms) override;
  Status ReleaseLeases(std::string_view owner) override;
  Result<std::optional<Lease>> GetLease(std::string_view execution_arn) override;

  Status WriteRecords(const std::vector<RecordWrite>& writes) override;
  Result<std::optional<std::string>> GetRecord(std::string_view kind,
                                               std::string_view key) override;
  Result<Page<Record>> ListRecords(std::string_view kind, std::string_view prefix,
                                   std::string_view after, int limit) override;

 private:
  PostgresStore(std::string uri, int schema_version);

  // Runs `body` on a connection of the pool inside one transaction (committed when body
  // returns Ok), again (up to a few times) when the database aborted it as a deadlock or
  // serialization failure. body: Status(postgres::Connection*), or Result<T>(...).
  template <class Body>
  auto InTransaction(Body body) -> decltype(body(static_cast<postgres::Connection*>(nullptr)));
  // Runs one read-only statement on a connection of the pool.
  Result<postgres::Rows> Read(const char* name, std::string_view sql,
                              std::initializer_list<postgres::Param> params);

  postgres::Pool pool_;
  const int schema_version_;
};

template <class Body>
auto PostgresStore::InTransaction(Body body)
    -> decltype(body(static_cast<postgres::Connection*>(nullptr))) {
  using R = decltype(body(static_cast<postgres::Connection*>(nullptr)));
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    STATOR_TRY(postgres::Pool::Lease conn, pool_.Acquire());
    R result = [&]() -> R {
      postgres::Transaction tx(conn.get());
      STATOR_RETURN_IF_ERROR(tx.Begun());
      R r = body(conn.get());
      if (!r.ok()) return r;
      STATOR_RETURN_IF_ERROR(tx.Commit());
      return r;
    }();
    if (result.ok() || attempt == kAttempts || !postgres::IsRetryable(result.error())) {
      return result;
    }
  }
}

}  // namespace stator::store
