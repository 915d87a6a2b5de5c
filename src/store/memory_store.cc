#include "store/memory_store.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace stator::store {

Result<Store::CreateResult> MemoryStore::CreateStateMachine(const StateMachine& machine,
                                                            const std::vector<Tag>& tags) {
  MutexLock lock(&mu_);
  auto it = machines_.find(machine.arn);
  if (it != machines_.end()) return CreateResult{it->second.machine, false};
  machines_.emplace(machine.arn, Machine{machine, 0, {}});
  std::vector<Tag>& stored = tags_[machine.arn];
  stored.clear();
  for (const Tag& t : tags) {
    auto same =
        std::find_if(stored.begin(), stored.end(), [&](const Tag& s) { return s.key == t.key; });
    if (same != stored.end()) {
      same->value = t.value;
    } else {
      stored.push_back(t);
    }
  }
  return CreateResult{machine, true};
}

Result<std::optional<StateMachine>> MemoryStore::GetStateMachine(std::string_view arn) {
  MutexLock lock(&mu_);
  auto it = machines_.find(arn);
  if (it == machines_.end()) return std::optional<StateMachine>();
  return std::optional<StateMachine>(it->second.machine);
}

Status MemoryStore::UpdateStateMachine(const StateMachine& machine) {
  MutexLock lock(&mu_);
  auto it = machines_.find(machine.arn);
  if (it == machines_.end()) return Error{kNotFound, machine.arn};
  it->second.machine = machine;
  return Status::Ok();
}

Status MemoryStore::DeleteStateMachine(std::string_view arn) {
  MutexLock lock(&mu_);
  auto it = machines_.find(arn);
  if (it == machines_.end()) return Status::Ok();
  for (const auto& [n, v] : it->second.versions) {
    auto t = tags_.find(v.arn());
    if (t != tags_.end()) tags_.erase(t);
  }
  machines_.erase(it);
  auto t = tags_.find(arn);
  if (t != tags_.end()) tags_.erase(t);
  return Status::Ok();
}

Result<Page<StateMachine>> MemoryStore::ListStateMachines(std::string_view after, int limit) {
  MutexLock lock(&mu_);
  Page<StateMachine> page;
  auto it = after.empty() ? machines_.begin() : machines_.upper_bound(after);
  for (; it != machines_.end() && static_cast<int>(page.items.size()) < limit; ++it) {
    page.items.push_back(it->second.machine);
  }
  if (it != machines_.end() && !page.items.empty()) page.next = page.items.back().arn;
  return page;
}

Result<StateMachineVersion> MemoryStore::PublishVersion(const StateMachineVersion& version) {
  MutexLock lock(&mu_);
  auto it = machines_.find(version.state_machine_arn);
  if (it == machines_.end()) return Error{kNotFound, version.state_machine_arn};
  Machine& m = it->second;
  if (!m.versions.empty() && m.versions.rbegin()->second.revision_id == version.revision_id) {
    return m.versions.rbegin()->second;
  }
  StateMachineVersion v = version;
  v.version = ++m.last_version;
  m.versions.emplace(v.version, v);
  return v;
}

Result<std::optional<StateMachineVersion>> MemoryStore::GetVersion(std::string_view machine_arn,
                                                                   int64_t version) {
  MutexLock lock(&mu_);
  auto it = machines_.find(machine_arn);
  if (it == machines_.end()) return std::optional<StateMachineVersion>();
  auto v = it->second.versions.find(version);
  if (v == it->second.versions.end()) return std::optional<StateMachineVersion>();
  return std::optional<StateMachineVersion>(v->second);
}

Result<std::vector<StateMachineVersion>> MemoryStore::ListVersions(std::string_view machine_arn) {
  MutexLock lock(&mu_);
  std::vector<StateMachineVersion> out;
  auto it = machines_.find(machine_arn);
  if (it == machines_.end()) return out;
  for (auto v = it->second.versions.rbegin(); v != it->second.versions.rend(); ++v) {
    out.push_back(v->second);
  }
  return out;
}

Status MemoryStore::DeleteVersion(std::string_view machine_arn, int64_t version) {
  MutexLock lock(&mu_);
  auto it = machines_.find(machine_arn);
  if (it == machines_.end()) return Status::Ok();
  auto v = it->second.versions.find(version);
  if (v == it->second.versions.end()) return Status::Ok();
  auto t = tags_.find(v->second.arn());
  if (t != tags_.end()) tags_.erase(t);
  it->second.versions.erase(v);
  return Status::Ok();
}

bool MemoryStore::ResourceExistsLocked(std::string_view arn) const {
  // Only state machines (not their versions or aliases) carry tags so far.
  return machines_.find(arn) != machines_.end();
}

Result<std::vector<Tag>> MemoryStore::ListTags(std::string_view resource_arn) {
  MutexLock lock(&mu_);
  if (!ResourceExistsLocked(resource_arn)) return Error{kNotFound, std::string(resource_arn)};
  auto t = tags_.find(resource_arn);
  if (t == tags_.end()) return std::vector<Tag>();
  return t->second;
}

Status MemoryStore::TagResource(std::string_view resource_arn, const std::vector<Tag>& tags) {
  MutexLock lock(&mu_);
  if (!ResourceExistsLocked(resource_arn)) return Error{kNotFound, std::string(resource_arn)};
  auto t = tags_.find(resource_arn);
  if (t == tags_.end()) t = tags_.emplace(std::string(resource_arn), std::vector<Tag>()).first;
  std::vector<Tag>& stored = t->second;
  for (const Tag& tag : tags) {
    auto same =
        std::find_if(stored.begin(), stored.end(), [&](const Tag& s) { return s.key == tag.key; });
    if (same != stored.end()) {
      same->value = tag.value;
    } else {
      stored.push_back(tag);
    }
  }
  return Status::Ok();
}

Status MemoryStore::UntagResource(std::string_view resource_arn,
                                  const std::vector<std::string>& keys) {
  MutexLock lock(&mu_);
  if (!ResourceExistsLocked(resource_arn)) return Error{kNotFound, std::string(resource_arn)};
  auto t = tags_.find(resource_arn);
  if (t == tags_.end()) return Status::Ok();
  std::erase_if(t->second, [&](const Tag& tag) {
    return std::find(keys.begin(), keys.end(), tag.key) != keys.end();
  });
  return Status::Ok();
}

namespace {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status MemoryStore::Commit(const ExecutionBatch& batch, CommitReport* report) {
  if (report != nullptr) *report = CommitReport();
  MutexLock lock(&mu_);
  // Check first, so that a bad batch changes nothing; what is skipped is decided here too. Each
  // execution's last event id and lease are moved along the batch, as writing it would.
  struct Tail {
    int64_t last_event_id = 0;
    std::optional<std::string> lease_owner;  // reset by an outcome
    int64_t lease_epoch = 0;
    bool existed = false;  // its creation was skipped: the stored one stays untouched
    bool fenced = false;
  };
  std::unordered_map<std::string_view, Tail> tails;
  CommitReport skipped;
  std::vector<bool> create(batch.created.size(), false);
  for (size_t i = 0; i < batch.created.size(); ++i) {
    const std::string& arn = batch.created[i].execution.arn;
    const bool stored = executions_.count(arn) != 0;
    auto [it, fresh] = tails.try_emplace(arn);
    if (stored || !fresh) {  // stored, or created earlier in this batch
      skipped.existed.push_back(arn);
      if (stored) it->second.existed = true;
      continue;
    }
    create[i] = true;
    if (!batch.lease_owner.empty()) {
      it->second.lease_owner = batch.lease_owner;
      it->second.lease_epoch = 1;
    }
  }
  std::vector<bool> apply(batch.steps.size(), false);
  for (size_t i = 0; i < batch.steps.size(); ++i) {
    const ExecutionStep& step = batch.steps[i];
    auto it = tails.find(step.execution_arn);
    if (it == tails.end()) {
      auto stored = executions_.find(step.execution_arn);
      if (stored == executions_.end()) {
        return Error{kStoreFailure, "no such execution: " + step.execution_arn};
      }
      const StoredExecution& e = stored->second;
      Tail tail;
      tail.last_event_id = e.history.empty() ? 0 : e.history.back().id;
      if (e.lease) {
        tail.lease_owner = e.lease->owner;
        tail.lease_epoch = e.lease->epoch;
      }
      it = tails.emplace(step.execution_arn, tail).first;
    }
    Tail& tail = it->second;
    if (tail.existed || tail.fenced) continue;
    if (IsFenced(batch, step, tail.lease_owner, tail.lease_epoch)) {
      tail.fenced = true;
      skipped.fenced.push_back(step.execution_arn);
      continue;
    }
    STATOR_RETURN_IF_ERROR(CheckEventIds(step.execution_arn, tail.last_event_id, step.events));
    if (!step.events.empty()) tail.last_event_id = step.events.back().id;
    if (step.outcome) tail.lease_owner.reset();
    apply[i] = true;
  }
  const int64_t expires_ms = batch.lease_owner.empty() ? 0 : NowMillis() + batch.lease_ttl_ms;
  for (size_t i = 0; i < batch.created.size(); ++i) {
    if (!create[i]) continue;
    const NewExecution& n = batch.created[i];
    auto m = execution_machines_.find(n.machine.id);
    if (m == execution_machines_.end()) {
      m = execution_machines_
              .emplace(n.machine.id, std::make_shared<const ExecutionMachine>(n.machine))
              .first;
    }
    StoredExecution& stored = executions_[n.execution.arn];
    stored.execution = n.execution;
    stored.seq = next_seq_++;
    stored.machine = m->second;
    by_machine_[n.execution.state_machine_arn][stored.seq] = &stored;
    if (!batch.lease_owner.empty()) {
      stored.lease = HeldLease{batch.lease_owner, 1, expires_ms};
      leased_[stored.seq] = &stored;
    }
  }
  for (size_t i = 0; i < batch.steps.size(); ++i) {
    if (!apply[i]) continue;
    const ExecutionStep& step = batch.steps[i];
    StoredExecution& stored = executions_.find(step.execution_arn)->second;
    stored.history.insert(stored.history.end(), step.events.begin(), step.events.end());
    if (step.outcome) {
      Execution& e = stored.execution;
      e.status = step.outcome->status;
      e.output = step.outcome->output;
      e.error = step.outcome->error;
      e.cause = step.outcome->cause;
      e.stop_date_ms = step.outcome->stop_date_ms;
      if (stored.lease) {
        stored.lease.reset();
        leased_.erase(stored.seq);
      }
    }
  }
  if (report != nullptr) *report = std::move(skipped);
  return Status::Ok();
}

Result<std::optional<Execution>> MemoryStore::GetExecution(std::string_view execution_arn) {
  MutexLock lock(&mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end()) return std::optional<Execution>();
  return std::optional<Execution>(it->second.execution);
}

Result<std::optional<ExecutionMachine>> MemoryStore::GetExecutionMachine(
    std::string_view execution_arn) {
  MutexLock lock(&mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end()) return std::optional<ExecutionMachine>();
  return std::optional<ExecutionMachine>(*it->second.machine);
}

Result<Page<Execution>> MemoryStore::ListExecutions(const ExecutionFilter& filter,
                                                    std::string_view after, int limit) {
  MutexLock lock(&mu_);
  Page<Execution> page;
  auto machine = by_machine_.find(filter.state_machine_arn);
  if (machine == by_machine_.end()) return page;
  const auto& index = machine->second;
  auto it = index.rbegin();  // newest first
  if (!after.empty()) {
    std::optional<int64_t> key = ParsePageKey(after);
    if (!key) return page;
    it = std::make_reverse_iterator(index.lower_bound(*key));  // seq < key
  }
  int64_t last_seq = 0;
  for (; it != index.rend(); ++it) {
    const Execution& e = it->second->execution;
    if (filter.status && e.status != *filter.status) continue;
    if (!filter.version_arn.empty() && e.version_arn != filter.version_arn) continue;
    if (!filter.alias_arn.empty() && e.alias_arn != filter.alias_arn) continue;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = std::to_string(last_seq);
      break;
    }
    page.items.push_back(e);
    last_seq = it->first;
  }
  return page;
}

Result<bool> MemoryStore::ReopenExecution(std::string_view execution_arn,
                                          std::string_view lease_owner, int64_t lease_ttl_ms) {
  const int64_t expires_ms = NowMillis() + lease_ttl_ms;
  MutexLock lock(&mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end()) return false;
  StoredExecution& stored = it->second;
  Execution& e = stored.execution;
  if (e.status == ExecutionStatus::kRunning || e.status == ExecutionStatus::kSucceeded) {
    return false;
  }
  e.status = ExecutionStatus::kRunning;
  e.output.reset();
  e.error.reset();
  e.cause.reset();
  e.stop_date_ms = 0;
  if (!lease_owner.empty()) {
    stored.lease = HeldLease{std::string(lease_owner), 1, expires_ms};
    leased_[stored.seq] = &stored;
  }
  return true;
}

Result<std::vector<Execution>> MemoryStore::ListRunningExecutions() {
  MutexLock lock(&mu_);
  std::map<int64_t, const Execution*> running;  // by creation order
  for (const auto& [machine, index] : by_machine_) {
    for (const auto& [seq, stored] : index) {
      if (stored->execution.status == ExecutionStatus::kRunning) {
        running.emplace(seq, &stored->execution);
      }
    }
  }
  std::vector<Execution> out;
  out.reserve(running.size());
  for (const auto& [seq, e] : running) out.push_back(*e);
  return out;
}

Result<Page<HistoryEvent>> MemoryStore::ReadHistory(std::string_view execution_arn,
                                                    std::string_view after, int limit,
                                                    bool reverse) {
  MutexLock lock(&mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end()) return Error{kNotFound, std::string(execution_arn)};
  const std::vector<HistoryEvent>& h = it->second.history;
  Page<HistoryEvent> page;
  // Event ids are 1, 2, ...: event id k sits at index k - 1.
  const int64_t n = static_cast<int64_t>(h.size());
  int64_t begin;  // index of the first event of the page
  if (after.empty()) {
    begin = reverse ? n - 1 : 0;
  } else {
    std::optional<int64_t> key = ParsePageKey(after);
    if (!key) return page;
    begin = reverse ? *key - 2 : *key;
  }
  const int64_t step = reverse ? -1 : 1;
  for (int64_t i = begin; i >= 0 && i < n; i += step) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = std::to_string(page.items.back().id);
      break;
    }
    page.items.push_back(h[i]);
  }
  return page;
}

// --- Leases ---------------------------------------------------------------------------------

Lease MemoryStore::TakeLease(StoredExecution& stored, std::string_view owner, int64_t expires_ms) {
  HeldLease& held = *stored.lease;
  held.owner = std::string(owner);
  ++held.epoch;
  held.expires_ms = expires_ms;
  return Lease{stored.execution.arn, held.owner, held.epoch};
}

Result<std::vector<Lease>> MemoryStore::RenewLeases(std::string_view owner, int64_t ttl_ms) {
  const int64_t expires_ms = NowMillis() + ttl_ms;
  MutexLock lock(&mu_);
  std::vector<Lease> out;
  for (auto& [seq, stored] : leased_) {
    HeldLease& held = *stored->lease;
    if (held.owner != owner) continue;
    held.expires_ms = expires_ms;
    out.push_back(Lease{stored->execution.arn, held.owner, held.epoch});
  }
  return out;
}

Result<std::vector<Lease>> MemoryStore::ClaimExpiredLeases(std::string_view owner, int64_t ttl_ms,
                                                           int limit, bool own) {
  const int64_t now = NowMillis();
  MutexLock lock(&mu_);
  std::vector<Lease> out;
  for (auto it = leased_.begin(); it != leased_.end() && static_cast<int>(out.size()) < limit;
       ++it) {
    const HeldLease& held = *it->second->lease;
    if (held.expires_ms <= now || (own && held.owner == owner)) {
      out.push_back(TakeLease(*it->second, owner, now + ttl_ms));
    }
  }
  return out;
}

Result<std::optional<Lease>> MemoryStore::StealLease(std::string_view execution_arn,
                                                     std::string_view owner, int64_t ttl_ms) {
  const int64_t expires_ms = NowMillis() + ttl_ms;
  MutexLock lock(&mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end() || !it->second.lease) return std::optional<Lease>();
  return std::optional<Lease>(TakeLease(it->second, owner, expires_ms));
}

Status MemoryStore::ReleaseLeases(std::string_view owner) {
  MutexLock lock(&mu_);
  for (auto& [seq, stored] : leased_) {
    if (stored->lease->owner == owner) stored->lease->expires_ms = 0;  // long past
  }
  return Status::Ok();
}

Result<std::optional<Lease>> MemoryStore::GetLease(std::string_view execution_arn) {
  MutexLock lock(&mu_);
  auto it = executions_.find(execution_arn);
  if (it == executions_.end() || !it->second.lease) return std::optional<Lease>();
  const HeldLease& held = *it->second.lease;
  return std::optional<Lease>(Lease{it->second.execution.arn, held.owner, held.epoch});
}

// --- Records --------------------------------------------------------------------------------

Status MemoryStore::WriteRecords(const std::vector<RecordWrite>& writes) {
  MutexLock lock(&mu_);
  // Each condition is checked against the records as the writes before it leave them (staged),
  // and nothing is applied unless all hold.
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> staged;
  for (const RecordWrite& w : writes) {
    auto it = staged.find({w.kind, w.key});
    std::optional<std::string> current =
        it != staged.end() ? it->second : RecordLocked(w.kind, w.key);
    STATOR_RETURN_IF_ERROR(CheckRecordCondition(w, current));
    staged[{w.kind, w.key}] = w.value;
  }
  for (auto& [id, value] : staged) {
    if (value) {
      records_[id.first][id.second] = std::move(*value);
    } else if (auto kind = records_.find(id.first); kind != records_.end()) {
      kind->second.erase(id.second);
    }
  }
  return Status::Ok();
}

std::optional<std::string> MemoryStore::RecordLocked(std::string_view kind,
                                                     std::string_view key) const {
  auto k = records_.find(kind);
  if (k == records_.end()) return std::nullopt;
  auto it = k->second.find(key);
  if (it == k->second.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<std::string>> MemoryStore::GetRecord(std::string_view kind,
                                                          std::string_view key) {
  MutexLock lock(&mu_);
  return RecordLocked(kind, key);
}

Result<Page<Record>> MemoryStore::ListRecords(std::string_view kind, std::string_view prefix,
                                              std::string_view after, int limit) {
  MutexLock lock(&mu_);
  Page<Record> page;
  auto k = records_.find(kind);
  if (k == records_.end()) return page;
  auto it = after.empty() || after < prefix ? k->second.lower_bound(prefix)
                                            : k->second.upper_bound(after);
  for (; it != k->second.end() && it->first.starts_with(prefix); ++it) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = page.items.back().key;
      break;
    }
    page.items.push_back(Record{std::string(kind), it->first, it->second});
  }
  return page;
}

}  // namespace stator::store
