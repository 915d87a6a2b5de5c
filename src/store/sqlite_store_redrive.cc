// SqliteStore::ReopenExecution (store.h): an ended execution made RUNNING again for
// RedriveExecution, leased to the redriving node in a cluster.
#include <string>

#include "store/sqlite_store.h"

namespace stator::store {

using sqlite::Statement;
using sqlite::Transaction;

Result<bool> SqliteStore::ReopenExecution(std::string_view execution_arn,
                                          std::string_view lease_owner, int64_t lease_ttl_ms) {
  const int64_t expires_ms = NowMillis() + lease_ttl_ms;
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  Statement reopen(db(),
                   "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, "
                   "cause = NULL, stop_date_ms = 0 "
                   "WHERE arn = ?1 AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED')");
  STATOR_RETURN_IF_ERROR(reopen.Bind(1, execution_arn).Run());
  if (db()->changes() == 0) return false;
  if (!lease_owner.empty()) {
    Statement lease(db(),
                    "INSERT OR REPLACE INTO execution_leases (execution_seq, owner, epoch, "
                    "expires_ms) SELECT seq, ?2, 1, ?3 FROM executions WHERE arn = ?1");
    STATOR_RETURN_IF_ERROR(
        lease.Bind(1, execution_arn).Bind(2, lease_owner).Bind(3, expires_ms).Run());
  }
  STATOR_RETURN_IF_ERROR(tx.Commit());
  return true;
}

}  // namespace stator::store
