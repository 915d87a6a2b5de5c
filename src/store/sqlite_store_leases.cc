// SqliteStore's leases (store.h; the table execution_leases of schema v005). Commit's side of
// them (leases given at creation, fenced steps) is in sqlite_store.cc.
#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite_store.h"

namespace stator::store {

using sqlite::Statement;
using sqlite::Transaction;

int64_t SqliteStore::NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::vector<Lease>> SqliteStore::RenewLeases(std::string_view owner, int64_t ttl_ms) {
  const int64_t expires_ms = NowMillis() + ttl_ms;
  MutexLock lock(&mu_);
  Statement s(db(),
              "UPDATE execution_leases SET expires_ms = ?2 WHERE owner = ?1 "
              "RETURNING execution_seq, epoch");
  s.Bind(1, owner).Bind(2, expires_ms);
  std::vector<std::pair<int64_t, int64_t>> renewed;  // seq, epoch
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    renewed.emplace_back(s.ColumnInt(0), s.ColumnInt(1));
  }
  s.Reset();
  std::sort(renewed.begin(), renewed.end());
  return LeasesLocked(owner, renewed);
}

Result<std::vector<Lease>> SqliteStore::LeasesLocked(
    std::string_view owner, const std::vector<std::pair<int64_t, int64_t>>& leases) {
  std::vector<Lease> out;
  out.reserve(leases.size());
  Statement arn(db(), "SELECT arn FROM executions WHERE seq = ?1");
  for (const auto& [seq, epoch] : leases) {
    STATOR_TRY(bool row, arn.Bind(1, seq).Step());
    if (!row) return Error{kStoreFailure, "lease of a missing execution: " + std::to_string(seq)};
    out.push_back(Lease{arn.ColumnText(0), std::string(owner), epoch});
    arn.Reset();
  }
  return out;
}

Result<std::vector<Lease>> SqliteStore::ClaimExpiredLeases(std::string_view owner, int64_t ttl_ms,
                                                           int limit, bool own) {
  const int64_t now = NowMillis();
  MutexLock lock(&mu_);
  Transaction tx(db());
  STATOR_RETURN_IF_ERROR(tx.Begun());
  Statement s(db(),
              own ? "UPDATE execution_leases SET owner = ?1, epoch = epoch + 1, expires_ms = ?2 "
                    "WHERE execution_seq IN (SELECT execution_seq FROM execution_leases "
                    "WHERE expires_ms <= ?3 OR owner = ?1 ORDER BY execution_seq LIMIT ?4) "
                    "RETURNING execution_seq, epoch"
                  : "UPDATE execution_leases SET owner = ?1, epoch = epoch + 1, expires_ms = ?2 "
                    "WHERE execution_seq IN (SELECT execution_seq FROM execution_leases "
                    "WHERE expires_ms <= ?3 ORDER BY execution_seq LIMIT ?4) "
                    "RETURNING execution_seq, epoch");
  s.Bind(1, owner).Bind(2, now + ttl_ms).Bind(3, now).Bind(4, static_cast<int64_t>(limit));
  std::vector<std::pair<int64_t, int64_t>> claimed;  // seq, epoch
  while (true) {
    STATOR_TRY(bool row, s.Step());
    if (!row) break;
    claimed.emplace_back(s.ColumnInt(0), s.ColumnInt(1));
  }
  s.Reset();
  std::sort(claimed.begin(), claimed.end());  // RETURNING's order is unspecified
  STATOR_TRY(std::vector<Lease> out, LeasesLocked(owner, claimed));
  STATOR_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<std::optional<Lease>> SqliteStore::StealLease(std::string_view execution_arn,
                                                     std::string_view owner, int64_t ttl_ms) {
  const int64_t expires_ms = NowMillis() + ttl_ms;
  MutexLock lock(&mu_);
  Statement s(db(),
              "UPDATE execution_leases SET owner = ?2, epoch = epoch + 1, expires_ms = ?3 "
              "WHERE execution_seq = (SELECT seq FROM executions WHERE arn = ?1) RETURNING epoch");
  STATOR_TRY(bool row, s.Bind(1, execution_arn).Bind(2, owner).Bind(3, expires_ms).Step());
  if (!row) return std::optional<Lease>();
  Lease lease{std::string(execution_arn), std::string(owner), s.ColumnInt(0)};
  STATOR_RETURN_IF_ERROR(s.Run());  // to its end: the update is done
  return std::optional<Lease>(std::move(lease));
}

Status SqliteStore::ReleaseLeases(std::string_view owner) {
  MutexLock lock(&mu_);
  Statement s(db(), "UPDATE execution_leases SET expires_ms = 0 WHERE owner = ?1");  // long past
  return s.Bind(1, owner).Run();
}

Result<std::optional<Lease>> SqliteStore::GetLease(std::string_view execution_arn) {
  MutexLock lock(&read_mu_);
  Statement s(reader(),
              "SELECT l.owner, l.epoch FROM executions e JOIN execution_leases l "
              "ON l.execution_seq = e.seq WHERE e.arn = ?1");
  STATOR_TRY(bool row, s.Bind(1, execution_arn).Step());
  if (!row) return std::optional<Lease>();
  return std::optional<Lease>(Lease{std::string(execution_arn), s.ColumnText(0), s.ColumnInt(1)});
}

}  // namespace stator::store
