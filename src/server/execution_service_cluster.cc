// ExecutionService in a cluster (Options::node_id set): leases, take-overs, fencing reports.
// See execution_service.h and docs/cluster.md.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <limits>
#include <unordered_set>

#include "server/execution_service.h"

namespace stator::server {

void ExecutionService::StartLeaseThread() {
  lease_thread_ = std::thread([this] {
    // A round every second (at most a third of the lease): expired leases are claimed and
    // remote waiters polled; the leases are renewed every third of their life.
    const auto renew_every = std::chrono::milliseconds(options_.lease_ms / 3);
    const auto interval =
        std::chrono::milliseconds(std::clamp<int64_t>(options_.lease_ms / 3, 10, 1000));
    auto renewed = std::chrono::steady_clock::now();
    for (;;) {
      {
        MutexLock lock(&lease_mu_);
        if (!lease_stop_) lease_cv_.WaitFor(&lease_mu_, interval);
        if (lease_stop_) return;
      }
      const auto now = std::chrono::steady_clock::now();
      const bool renew = now - renewed >= renew_every - interval / 2;
      if (renew) renewed = now;
      LeaseRound(renew);
    }
  });
}

void ExecutionService::OnReport(const store::CommitReport& report) {
  if (!report.existed.empty()) {
    MutexLock lock(&live_mu_);
    existed_.insert(report.existed.begin(), report.existed.end());
  }
  if (!report.fenced.empty()) Halt(report.fenced, "a commit was fenced");
}

void ExecutionService::Halt(const std::vector<std::string>& arns, const char* why) {
  std::vector<Live> halted;
  std::vector<std::function<void(const Status&)>> started;
  {
    MutexLock lock(&live_mu_);
    for (const std::string& arn : arns) {
      auto it = live_.find(arn);
      if (it == live_.end()) continue;
      for (auto& waiter : it->second.stop_waiters) {
        // How it ends is now another node's to say: poll the store for it.
        remote_waiters_[arn].push_back([this, arn, waiter] {
          auto e = store_->GetExecution(arn);
          if (!e.ok()) return waiter(StoreFailure(e.error()));
          waiter(e->has_value() ? (*e)->stop_date_ms : clock_->NowMillis());
        });
      }
      it->second.stop_waiters.clear();
      // Its record is committed: it started, even if its first events were fenced.
      if (it->second.started_waiter) started.push_back(std::move(it->second.started_waiter));
      halted.push_back(std::move(it->second));
      live_.erase(it);
    }
  }
  for (Live& l : halted) {
    if (l.execution) l.execution->Detach();
  }
  for (auto& waiter : started) waiter(Status::Ok());
  if (!halted.empty()) {
    std::cerr << "stator: cluster: " << halted.size()
              << " executions moved to another node and stopped here (" << why << ")\n";
  }
}

Status ExecutionService::ClaimAndResume(bool own) {
  constexpr int kBatch = 100;
  for (;;) {
    // This node id's own leases (at start) are taken in one call: a second call with `own`
    // would take the first one's again. Expired ones come in batches.
    const int limit = own ? std::numeric_limits<int>::max() : kBatch;
    STATOR_TRY(std::vector<store::Lease> leases,
               store_->ClaimExpiredLeases(options_.node_id, options_.lease_ms, limit, own));
    std::vector<std::shared_ptr<engine::Execution>> resumed;
    CompiledMachines compiled;
    for (const store::Lease& lease : leases) {
      // Ours already (a renewal missed for a whole lease): the new epoch fences the old run.
      Halt({lease.execution_arn}, "this node took its lease again");
      STATOR_TRY(std::optional<store::Execution> e, store_->GetExecution(lease.execution_arn));
      if (!e || e->status != store::ExecutionStatus::kRunning) continue;
      STATOR_TRY(std::shared_ptr<engine::Execution> execution, Resume(*e, &compiled, lease.epoch));
      if (execution) resumed.push_back(std::move(execution));
    }
    for (auto& execution : resumed) execution->Start();
    if (!leases.empty()) {
      std::cerr << "stator: cluster: took over " << leases.size() << " executions\n";
    }
    if (own) {
      own = false;
      continue;
    }
    if (static_cast<int>(leases.size()) < kBatch) return Status::Ok();
  }
}

void ExecutionService::RenewLeases() {
  uint64_t round = 0;
  {
    MutexLock lock(&live_mu_);
    round = ++lease_round_;
  }
  auto renewed = store_->RenewLeases(options_.node_id, options_.lease_ms);
  if (!renewed.ok()) {
    // The leases may expire meanwhile; fencing keeps every write safe, and the next round
    // tries again.
    std::cerr << "stator: cluster: renewing leases failed: " << renewed.error().cause << "\n";
    return;
  }
  std::unordered_set<std::string> held;
  for (const store::Lease& l : *renewed) held.insert(l.execution_arn);
  std::vector<std::string> lost;
  {
    MutexLock lock(&live_mu_);
    for (const auto& [arn, l] : live_) {
      // Leases taken during this round may be missing from what the renewal saw.
      if (l.execution && l.epoch > 0 && l.since < round && held.count(arn) == 0) {
        lost.push_back(arn);
      }
    }
  }
  if (!lost.empty()) Halt(lost, "its lease was taken by another node");
}

void ExecutionService::LeaseRound(bool renew) {
  if (!health().ok()) return;  // nothing can be written: take nothing, renew nothing
  if (renew) RenewLeases();
  if (Status s = ClaimAndResume(/*own=*/false); !s.ok()) {
    std::cerr << "stator: cluster: taking over expired leases failed: " << s.error().cause << "\n";
  }
  // Waiters of executions that run elsewhere.
  std::vector<std::string> waited;
  {
    MutexLock lock(&live_mu_);
    for (const auto& [arn, fns] : remote_waiters_) waited.push_back(arn);
  }
  for (const std::string& arn : waited) {
    auto e = store_->GetExecution(arn);
    if (!e.ok() || (e->has_value() && (*e)->status == store::ExecutionStatus::kRunning)) continue;
    std::vector<std::function<void()>> fns;
    {
      MutexLock lock(&live_mu_);
      auto it = remote_waiters_.find(arn);
      if (it == remote_waiters_.end()) continue;
      fns = std::move(it->second);
      remote_waiters_.erase(it);
    }
    for (auto& fn : fns) fn();
  }
}

}  // namespace stator::server
