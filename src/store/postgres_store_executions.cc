// PostgresStore: executions, their history (the group commit) and leases.
#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "store/postgres_store.h"

namespace stator::store {
namespace {

using postgres::Array;
using postgres::Connection;
using postgres::Param;
using postgres::Rows;

constexpr const char* kExecutionColumns =
    "arn, state_machine_arn, name, version_arn, alias_arn, status, input, output, error, cause, "
    "start_date_ms, stop_date_ms, seq";

Execution ReadExecution(const Rows& r, int row) {
  Execution e;
  e.arn = r.Text(row, 0);
  e.state_machine_arn = r.Text(row, 1);
  e.name = r.Text(row, 2);
  e.version_arn = r.Text(row, 3);
  e.alias_arn = r.Text(row, 4);
  e.status = ParseExecutionStatus(r.Text(row, 5)).value_or(ExecutionStatus::kRunning);
  e.input = r.Bytes(row, 6);
  e.output = r.OptionalBytes(row, 7);
  e.error = r.OptionalBytes(row, 8);
  e.cause = r.OptionalBytes(row, 9);
  e.start_date_ms = r.Int(row, 10);
  e.stop_date_ms = r.Int(row, 11);
  return e;
}

std::string Select(const char* columns, const char* rest) {
  return std::string("SELECT ") + columns + " " + rest;
}

// The leases a statement returned as (arn, epoch, seq) rows, oldest execution first.
std::vector<Lease> ReadLeases(const Rows& r, std::string_view owner) {
  std::vector<std::pair<int64_t, Lease>> by_seq;
  by_seq.reserve(r.size());
  for (int i = 0; i < r.size(); ++i) {
    by_seq.emplace_back(r.Int(i, 2),
                        Lease{std::string(r.Text(i, 0)), std::string(owner), r.Int(i, 1)});
  }
  std::sort(by_seq.begin(), by_seq.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Lease> out;
  out.reserve(by_seq.size());
  for (auto& [seq, lease] : by_seq) out.push_back(std::move(lease));
  return out;
}

// Inserts batch.created in their order (and their machines, and leases when the batch has a lease
// owner) in one statement; returns the ARNs it inserted with their seq.
Result<std::unordered_map<std::string, int64_t>> InsertCreated(Connection* c,
                                                               const ExecutionBatch& batch) {
  Array m_id(Array::Of::kText), m_definition(Array::Of::kBytea), m_role(Array::Of::kBytea),
      m_logging(Array::Of::kBytea), m_tracing(Array::Of::kBytea), m_encryption(Array::Of::kBytea),
      m_revision(Array::Of::kText), m_update(Array::Of::kInt8);
  Array arn(Array::Of::kText), machine_arn(Array::Of::kText), name(Array::Of::kText),
      version_arn(Array::Of::kText), alias_arn(Array::Of::kText), machine_id(Array::Of::kText),
      status(Array::Of::kText), input(Array::Of::kBytea), output(Array::Of::kBytea),
      error(Array::Of::kBytea), cause(Array::Of::kBytea), start(Array::Of::kInt8),
      stop(Array::Of::kInt8);
  std::unordered_set<std::string_view> machines;  // each distinct machine sent once
  for (const NewExecution& n : batch.created) {
    const ExecutionMachine& m = n.machine;
    if (machines.insert(m.id).second) {
      m_id.Add(m.id);
      m_definition.Add(m.config.definition);
      m_role.Add(m.config.role_arn);
      m_logging.Add(m.config.logging_configuration);
      m_tracing.Add(m.config.tracing_configuration);
      m_encryption.Add(m.config.encryption_configuration);
      m_revision.Add(m.revision_id);
      m_update.Add(m.update_date_ms);
    }
    const Execution& e = n.execution;
    arn.Add(e.arn);
    machine_arn.Add(e.state_machine_arn);
    name.Add(e.name);
    version_arn.Add(e.version_arn);
    alias_arn.Add(e.alias_arn);
    machine_id.Add(m.id);
    status.Add(std::string_view(ExecutionStatusName(e.status)));
    input.Add(e.input);
    output.AddOptional(e.output);
    error.AddOptional(e.error);
    cause.AddOptional(e.cause);
    start.Add(e.start_date_ms);
    stop.Add(e.stop_date_ms);
  }
  // An ARN that exists is skipped (ON CONFLICT DO NOTHING), as is a repeat within the batch.
  STATOR_TRY(
      Rows r,
      c->Run("executions_create",
             "WITH m AS (INSERT INTO execution_machines (id, definition, role_arn, "
             "logging_configuration, tracing_configuration, encryption_configuration, "
             "revision_id, update_date_ms) SELECT * FROM unnest($1::text[], $2::bytea[], "
             "$3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[], $7::text[], $8::int8[]) "
             "ON CONFLICT (id) DO NOTHING), "
             "e AS (INSERT INTO executions (arn, state_machine_arn, name, version_arn, alias_arn, "
             "machine_id, status, input, output, error, cause, start_date_ms, stop_date_ms) "
             "SELECT a, sm, n, v, al, m, st, i, o, er, ca, sd, xd FROM unnest($9::text[], "
             "$10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], "
             "$16::bytea[], $17::bytea[], $18::bytea[], $19::bytea[], $20::int8[], $21::int8[]) "
             "WITH ORDINALITY AS u(a, sm, n, v, al, m, st, i, o, er, ca, sd, xd, k) ORDER BY k "
             "ON CONFLICT (arn) DO NOTHING RETURNING arn, seq), "
             "l AS (INSERT INTO execution_leases (execution_seq, owner, epoch, expires_at) "
             "SELECT seq, $22::text, 1, statement_timestamp() + $23::int8 * interval '1 ms' "
             "FROM e WHERE $22::text <> '') "
             "SELECT arn, seq FROM e",
             {m_id.param(),
              m_definition.param(),
              m_role.param(),
              m_logging.param(),
              m_tracing.param(),
              m_encryption.param(),
              m_revision.param(),
              m_update.param(),
              arn.param(),
              machine_arn.param(),
              name.param(),
              version_arn.param(),
              alias_arn.param(),
              machine_id.param(),
              status.param(),
              input.param(),
              output.param(),
              error.param(),
              cause.param(),
              start.param(),
              stop.param(),
              Param::Text(batch.lease_owner),
              Param::Int(batch.lease_ttl_ms)}));
  std::unordered_map<std::string, int64_t> inserted;
  for (int i = 0; i < r.size(); ++i) inserted.emplace(r.Text(i, 0), r.Int(i, 1));
  return inserted;
}

}  // namespace

Status PostgresStore::Commit(const ExecutionBatch& batch, CommitReport* report) {
  if (report != nullptr) *report = CommitReport();
  if (batch.empty()) return Status::Ok();
  CommitReport skipped;
  Status status = InTransaction([&](Connection* c) -> Status {
    skipped = CommitReport();
    // Executions of `created` stored before this batch: their steps are skipped too.
    std::unordered_set<std::string_view> existed;
    if (!batch.created.empty()) {
      STATOR_TRY(auto inserted, InsertCreated(c, batch));
      std::unordered_set<std::string_view> seen;
      for (const NewExecution& n : batch.created) {
        const std::string& arn = n.execution.arn;
        if (seen.insert(arn).second && inserted.count(arn) != 0) continue;
        skipped.existed.push_back(arn);
        if (inserted.count(arn) == 0) existed.insert(arn);
      }
    }
    if (batch.steps.empty()) return Status::Ok();

    // Each execution's seq, last event id and lease, read once and moved along its steps.
    struct Tail {
      int64_t seq = 0;
      int64_t last_event_id = 0;
      std::optional<std::string> lease_owner;  // reset by an outcome
      int64_t lease_epoch = 0;
      bool skip = false;  // fenced
    };
    std::unordered_map<std::string_view, Tail> tails;
    Array arns(Array::Of::kText);
    for (const ExecutionStep& step : batch.steps) {
      if (existed.count(step.execution_arn) != 0) continue;
      if (tails.try_emplace(step.execution_arn).second) arns.Add(step.execution_arn);
    }
    if (tails.empty()) return Status::Ok();
    STATOR_TRY(Rows found,
               c->Run("steps_find",
                      "SELECT e.arn, e.seq, COALESCE((SELECT MAX(h.id) FROM history_events h "
                      "WHERE h.execution_seq = e.seq), 0) FROM executions e "
                      "WHERE e.arn = ANY($1::text[])",
                      {arns.param()}));
    Array seqs(Array::Of::kInt8);
    std::unordered_map<int64_t, Tail*> by_seq;
    for (int i = 0; i < found.size(); ++i) {
      Tail& tail = tails.find(found.Text(i, 0))->second;
      tail.seq = found.Int(i, 1);
      tail.last_event_id = found.Int(i, 2);
      seqs.Add(tail.seq);
      by_seq.emplace(tail.seq, &tail);
    }
    if (found.size() != static_cast<int>(tails.size())) {
      for (const auto& [arn, tail] : tails) {
        if (tail.seq == 0) return Error{kStoreFailure, "no such execution: " + std::string(arn)};
      }
    }
    const bool fencing = std::any_of(batch.steps.begin(), batch.steps.end(),
                                     [](const ExecutionStep& s) { return s.lease_epoch > 0; });
    if (fencing) {
      // Locked until the commit: a node taking a lease over waits for (or skips) this batch,
      // so no step is written after its lease moved on.
      STATOR_TRY(Rows leases, c->Run("steps_leases",
                                     "SELECT execution_seq, owner, epoch FROM execution_leases "
                                     "WHERE execution_seq = ANY($1::int8[]) "
                                     "ORDER BY execution_seq FOR UPDATE",
                                     {seqs.param()}));
      for (int i = 0; i < leases.size(); ++i) {
        Tail* tail = by_seq.at(leases.Int(i, 0));
        tail->lease_owner = std::string(leases.Text(i, 1));
        tail->lease_epoch = leases.Int(i, 2);
      }
    }

    Array ev_seq(Array::Of::kInt8), ev_id(Array::Of::kInt8), ev_previous(Array::Of::kInt8),
        ev_timestamp(Array::Of::kInt8), ev_type(Array::Of::kText), ev_key(Array::Of::kText),
        ev_details(Array::Of::kBytea);
    std::unordered_map<int64_t, const ExecutionOutcome*> outcomes;  // the last one of each
    std::string details;
    for (const ExecutionStep& step : batch.steps) {
      auto it = tails.find(step.execution_arn);
      if (it == tails.end()) continue;  // existed
      Tail& tail = it->second;
      if (tail.skip) continue;
      if (IsFenced(batch, step, tail.lease_owner, tail.lease_epoch)) {
        tail.skip = true;
        skipped.fenced.push_back(step.execution_arn);
        continue;
      }
      STATOR_RETURN_IF_ERROR(CheckEventIds(step.execution_arn, tail.last_event_id, step.events));
      for (const HistoryEvent& e : step.events) {
        details.clear();
        if (!e.details.is_null()) e.details.DumpTo(&details);
        ev_seq.Add(tail.seq);
        ev_id.Add(e.id);
        ev_previous.Add(e.previous_event_id);
        ev_timestamp.Add(e.timestamp_ms);
        ev_type.Add(e.type);
        ev_key.Add(e.details_key);
        ev_details.Add(details);
      }
      if (!step.events.empty()) tail.last_event_id = step.events.back().id;
      if (step.outcome) {
        outcomes[tail.seq] = &*step.outcome;
        tail.lease_owner.reset();
      }
    }
    if (ev_seq.size() > 0) {
      STATOR_TRY(Rows r,
                 c->Run("steps_events",
                        "INSERT INTO history_events (execution_seq, id, previous_event_id, "
                        "timestamp_ms, type, details_key, details) SELECT * FROM "
                        "unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], "
                        "$5::text[], $6::text[], $7::bytea[])",
                        {ev_seq.param(), ev_id.param(), ev_previous.param(), ev_timestamp.param(),
                         ev_type.param(), ev_key.param(), ev_details.param()}));
    }
    if (!outcomes.empty()) {
      Array o_seq(Array::Of::kInt8), o_status(Array::Of::kText), o_output(Array::Of::kBytea),
          o_error(Array::Of::kBytea), o_cause(Array::Of::kBytea), o_stop(Array::Of::kInt8);
      for (const auto& [seq, o] : outcomes) {
        o_seq.Add(seq);
        o_status.Add(std::string_view(ExecutionStatusName(o->status)));
        o_output.AddOptional(o->output);
        o_error.AddOptional(o->error);
        o_cause.AddOptional(o->cause);
        o_stop.Add(o->stop_date_ms);
      }
      // An outcome ends the lease, whoever commits it.
      STATOR_TRY(Rows r,
                 c->Run("steps_close",
                        "WITH d AS (DELETE FROM execution_leases "
                        "WHERE execution_seq = ANY($1::int8[])) "
                        "UPDATE executions e SET status = u.status, output = u.output, "
                        "error = u.error, cause = u.cause, stop_date_ms = u.stop "
                        "FROM unnest($1::int8[], $2::text[], $3::bytea[], $4::bytea[], "
                        "$5::bytea[], $6::int8[]) AS u(seq, status, output, error, cause, stop) "
                        "WHERE e.seq = u.seq",
                        {o_seq.param(), o_status.param(), o_output.param(), o_error.param(),
                         o_cause.param(), o_stop.param()}));
    }
    return Status::Ok();
  });
  STATOR_RETURN_IF_ERROR(status);
  if (report != nullptr) *report = std::move(skipped);
  return Status::Ok();
}

Result<std::optional<Execution>> PostgresStore::GetExecution(std::string_view execution_arn) {
  STATOR_TRY(Rows r,
             Read("execution_get", Select(kExecutionColumns, "FROM executions WHERE arn = $1"),
                  {Param::Text(execution_arn)}));
  if (r.empty()) return std::optional<Execution>();
  return std::optional<Execution>(ReadExecution(r, 0));
}

Result<std::optional<ExecutionMachine>> PostgresStore::GetExecutionMachine(
    std::string_view execution_arn) {
  STATOR_TRY(Rows r, Read("execution_machine",
                          "SELECT m.id, m.definition, m.role_arn, m.logging_configuration, "
                          "m.tracing_configuration, m.encryption_configuration, m.revision_id, "
                          "m.update_date_ms FROM executions e JOIN execution_machines m "
                          "ON m.id = e.machine_id WHERE e.arn = $1",
                          {Param::Text(execution_arn)}));
  if (r.empty()) return std::optional<ExecutionMachine>();
  ExecutionMachine m;
  m.id = r.Text(0, 0);
  m.config.definition = r.Bytes(0, 1);
  m.config.role_arn = r.Bytes(0, 2);
  m.config.logging_configuration = r.Bytes(0, 3);
  m.config.tracing_configuration = r.Bytes(0, 4);
  m.config.encryption_configuration = r.Bytes(0, 5);
  m.revision_id = r.Text(0, 6);
  m.update_date_ms = r.Int(0, 7);
  return std::optional<ExecutionMachine>(std::move(m));
}

Result<Page<Execution>> PostgresStore::ListExecutions(const ExecutionFilter& filter,
                                                      std::string_view after, int limit) {
  int64_t before = std::numeric_limits<int64_t>::max();
  Page<Execution> page;
  if (!after.empty()) {
    std::optional<int64_t> key = ParsePageKey(after);
    if (!key) return page;
    before = *key;
  }
  // One prepared statement per combination of filters (each planned for its index).
  static constexpr const char* kNames[] = {
      "execution_list",   "execution_list_s",  "execution_list_v",  "execution_list_sv",
      "execution_list_a", "execution_list_sa", "execution_list_va", "execution_list_sva"};
  const int which = (filter.status ? 1 : 0) + (filter.version_arn.empty() ? 0 : 2) +
                    (filter.alias_arn.empty() ? 0 : 4);
  std::string sql =
      Select(kExecutionColumns, "FROM executions WHERE state_machine_arn = $1 AND seq < $2");
  std::vector<Param> params = {Param::Text(filter.state_machine_arn), Param::Int(before)};
  if (filter.status) {
    params.push_back(Param::Text(ExecutionStatusName(*filter.status)));
    sql += " AND status = $" + std::to_string(params.size());
  }
  if (!filter.version_arn.empty()) {
    params.push_back(Param::Text(filter.version_arn));
    sql += " AND version_arn = $" + std::to_string(params.size());
  }
  if (!filter.alias_arn.empty()) {
    params.push_back(Param::Text(filter.alias_arn));
    sql += " AND alias_arn = $" + std::to_string(params.size());
  }
  params.push_back(Param::Int(int64_t{limit} + 1));
  sql += " ORDER BY seq DESC LIMIT $" + std::to_string(params.size());
  STATOR_TRY(postgres::Pool::Lease conn, pool_.Acquire());
  STATOR_TRY(Rows r, conn->Run(kNames[which], sql, params));
  for (int i = 0; i < r.size(); ++i) {
    if (i == limit) {
      page.next = std::to_string(r.Int(i - 1, 12));
      break;
    }
    page.items.push_back(ReadExecution(r, i));
  }
  return page;
}

Result<std::vector<Execution>> PostgresStore::ListRunningExecutions() {
  STATOR_TRY(
      Rows r,
      Read("execution_running",
           Select(kExecutionColumns, "FROM executions WHERE status = 'RUNNING' ORDER BY seq"), {}));
  std::vector<Execution> out;
  out.reserve(r.size());
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadExecution(r, i));
  return out;
}

Result<Page<HistoryEvent>> PostgresStore::ReadHistory(std::string_view execution_arn,
                                                      std::string_view after, int limit,
                                                      bool reverse) {
  Page<HistoryEvent> page;
  int64_t from = reverse ? std::numeric_limits<int64_t>::max() : 0;
  bool bad_key = false;
  if (!after.empty()) {
    std::optional<int64_t> key = ParsePageKey(after);
    if (key) from = *key;
    bad_key = !key;
  }
  // One statement: the execution (NULL event columns when it has no events past `from`), then
  // its events.
  STATOR_TRY(Rows r,
             Read(reverse ? "history_reverse" : "history",
                  reverse ? "SELECT h.id, h.previous_event_id, h.timestamp_ms, h.type, "
                            "h.details_key, h.details FROM executions e LEFT JOIN LATERAL "
                            "(SELECT * FROM history_events WHERE execution_seq = e.seq "
                            "AND id < $2 ORDER BY id DESC LIMIT $3) h ON true "
                            "WHERE e.arn = $1 ORDER BY h.id DESC"
                          : "SELECT h.id, h.previous_event_id, h.timestamp_ms, h.type, "
                            "h.details_key, h.details FROM executions e LEFT JOIN LATERAL "
                            "(SELECT * FROM history_events WHERE execution_seq = e.seq "
                            "AND id > $2 ORDER BY id LIMIT $3) h ON true "
                            "WHERE e.arn = $1 ORDER BY h.id",
                  {Param::Text(execution_arn), Param::Int(from), Param::Int(int64_t{limit} + 1)}));
  if (r.empty()) return Error{kNotFound, std::string(execution_arn)};
  if (bad_key) return page;
  for (int i = 0; i < r.size(); ++i) {
    if (r.IsNull(i, 0)) break;  // no events
    if (i == limit) {
      page.next = std::to_string(page.items.back().id);
      break;
    }
    HistoryEvent& e = page.items.emplace_back();
    e.id = r.Int(i, 0);
    e.previous_event_id = r.Int(i, 1);
    e.timestamp_ms = r.Int(i, 2);
    e.type = r.Text(i, 3);
    e.details_key = r.Text(i, 4);
    std::string details = r.Bytes(i, 5);
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

// --- Leases -------------------------------------------------------------------------------------
//
// Expiries are times of the database server's clock (statement_timestamp()), never a node's.

Result<std::vector<Lease>> PostgresStore::RenewLeases(std::string_view owner, int64_t ttl_ms) {
  return InTransaction([&](Connection* c) -> Result<std::vector<Lease>> {
    // Rows locked in seq order, as Commit locks them: the two never deadlock.
    STATOR_TRY(Rows r, c->Run("lease_renew",
                              "WITH r AS (SELECT execution_seq FROM execution_leases "
                              "WHERE owner = $1 ORDER BY execution_seq FOR UPDATE) "
                              "UPDATE execution_leases l SET expires_at = statement_timestamp() "
                              "+ $2::int8 * interval '1 ms' FROM r, executions e "
                              "WHERE l.execution_seq = r.execution_seq AND l.owner = $1 "
                              "AND e.seq = l.execution_seq "
                              "RETURNING e.arn, l.epoch, l.execution_seq",
                              {Param::Text(owner), Param::Int(ttl_ms)}));
    return ReadLeases(r, owner);
  });
}

Result<std::vector<Lease>> PostgresStore::ClaimExpiredLeases(std::string_view owner, int64_t ttl_ms,
                                                             int limit, bool own) {
  // SKIP LOCKED: leases another node is claiming (or committing steps under) right now are left
  // to it, so two nodes never take the same lease.
  return InTransaction([&](Connection* c) -> Result<std::vector<Lease>> {
    STATOR_TRY(Rows r, c->Run(own ? "lease_claim_own" : "lease_claim",
                              std::string("WITH c AS (SELECT execution_seq FROM execution_leases "
                                          "WHERE expires_at <= statement_timestamp()") +
                                  (own ? " OR owner = $1" : "") +
                                  " ORDER BY execution_seq LIMIT $3 FOR UPDATE SKIP LOCKED) "
                                  "UPDATE execution_leases l SET owner = $1, epoch = l.epoch + 1, "
                                  "expires_at = statement_timestamp() + $2::int8 * interval '1 ms' "
                                  "FROM c, executions e WHERE l.execution_seq = c.execution_seq "
                                  "AND e.seq = l.execution_seq "
                                  "RETURNING e.arn, l.epoch, l.execution_seq",
                              {Param::Text(owner), Param::Int(ttl_ms), Param::Int(limit)}));
    return ReadLeases(r, owner);
  });
}

Result<bool> PostgresStore::ReopenExecution(std::string_view execution_arn,
                                            std::string_view lease_owner, int64_t lease_ttl_ms) {
  return InTransaction([&](Connection* c) -> Result<bool> {
    STATOR_TRY(Rows r, c->Run("execution_reopen",
                              "UPDATE executions SET status = 'RUNNING', output = NULL, "
                              "error = NULL, cause = NULL, stop_date_ms = 0 WHERE arn = $1 AND "
                              "status IN ('FAILED', 'TIMED_OUT', 'ABORTED') RETURNING seq",
                              {Param::Text(execution_arn)}));
    if (r.empty()) return false;
    if (!lease_owner.empty()) {
      STATOR_TRY(Rows l, c->Run("execution_reopen_lease",
                                "INSERT INTO execution_leases (execution_seq, owner, epoch, "
                                "expires_at) VALUES ($1, $2, 1, statement_timestamp() + "
                                "$3::int8 * interval '1 ms') ON CONFLICT (execution_seq) DO "
                                "UPDATE SET owner = EXCLUDED.owner, epoch = 1, "
                                "expires_at = EXCLUDED.expires_at",
                                {Param::Int(r.Int(0, 0)), Param::Text(lease_owner),
                                 Param::Int(lease_ttl_ms)}));
    }
    return true;
  });
}

Result<std::optional<Lease>> PostgresStore::StealLease(std::string_view execution_arn,
                                                       std::string_view owner, int64_t ttl_ms) {
  return InTransaction([&](Connection* c) -> Result<std::optional<Lease>> {
    STATOR_TRY(Rows r,
               c->Run("lease_steal",
                      "UPDATE execution_leases l SET owner = $2, epoch = l.epoch + 1, "
                      "expires_at = statement_timestamp() + $3::int8 * interval '1 ms' "
                      "FROM executions e WHERE e.arn = $1 AND l.execution_seq = e.seq "
                      "RETURNING l.epoch",
                      {Param::Text(execution_arn), Param::Text(owner), Param::Int(ttl_ms)}));
    if (r.empty()) return std::optional<Lease>();
    return std::optional<Lease>(Lease{std::string(execution_arn), std::string(owner), r.Int(0, 0)});
  });
}

Status PostgresStore::ReleaseLeases(std::string_view owner) {
  return InTransaction([&](Connection* c) -> Status {
    STATOR_TRY(Rows r, c->Run("lease_release",
                              "UPDATE execution_leases SET expires_at = '-infinity' "
                              "WHERE owner = $1",
                              {Param::Text(owner)}));
    return Status::Ok();
  });
}

Result<std::optional<Lease>> PostgresStore::GetLease(std::string_view execution_arn) {
  STATOR_TRY(Rows r, Read("lease_get",
                          "SELECT l.owner, l.epoch FROM executions e JOIN execution_leases l "
                          "ON l.execution_seq = e.seq WHERE e.arn = $1",
                          {Param::Text(execution_arn)}));
  if (r.empty()) return std::optional<Lease>();
  return std::optional<Lease>(
      Lease{std::string(execution_arn), std::string(r.Text(0, 0)), r.Int(0, 1)});
}

}  // namespace stator::store
