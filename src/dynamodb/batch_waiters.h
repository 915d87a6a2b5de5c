// BatchWaiters: the sequence numbers of the item writes the Service commits to PostgreSQL in
// batches (cluster_batch.cc), and the calls waiting for them. Each write that changed memory gets
// the next number (1, 2, 3, ...); a batch is a run of consecutive numbers committed in one
// transaction, and batches end in number order, each either committed or failed. A call is
// answered once the batch holding the last write it made or could have seen has ended: with its
// own response if that batch committed, with the batch's error if it failed. Unlike GroupCommit
// (the SQLite mode) a failure is not sticky: the next batch starts afresh.
//
// Ownership: owns the waiting callbacks. Thread-safety: every method may be called from any
// thread; callbacks run without the lock, on the thread that ends the batch (or the caller's when
// the number has ended already).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "common/thread_annotations.h"

namespace stator::dynamodb {

class BatchWaiters {
 public:
  using Done = std::function<void(const Status&)>;

  // Runs done(status of the batch holding seq) once that batch has ended; seq 0 (no write to
  // wait for) has.
  void WhenEnded(uint64_t seq, Done done) EXCLUDES(mu_) {
    Status s = Status::Ok();
    {
      MutexLock lock(&mu_);
      if (seq > ended_) {
        waiters_.emplace(seq, std::move(done));
        return;
      }
      s = StatusOf(seq);
    }
    done(s);
  }

  // The batch of numbers up to `last` (after the previous batch's) ended with `status`.
  void End(uint64_t last, const Status& status) EXCLUDES(mu_) {
    std::vector<std::pair<Done, Status>> ready;
    {
      MutexLock lock(&mu_);
      if (!status.ok()) failed_.emplace(last, std::make_pair(ended_ + 1, status));
      ended_ = std::max(ended_, last);
      while (!waiters_.empty() && waiters_.begin()->first <= ended_) {
        auto it = waiters_.begin();
        ready.emplace_back(std::move(it->second), StatusOf(it->first));
        waiters_.erase(it);
      }
    }
    for (auto& [done, s] : ready) done(s);
  }

 private:
  Status StatusOf(uint64_t seq) const REQUIRES(mu_) {
    auto it = failed_.lower_bound(seq);  // the first failed batch ending at or after seq
    if (it != failed_.end() && it->second.first <= seq) return it->second.second;
    return Status::Ok();
  }

  mutable Mutex mu_;
  uint64_t ended_ GUARDED_BY(mu_) = 0;
  std::multimap<uint64_t, Done> waiters_ GUARDED_BY(mu_);
  // The failed batches (rare): last number -> (first number, error).
  std::map<uint64_t, std::pair<uint64_t, Status>> failed_ GUARDED_BY(mu_);
};

}  // namespace stator::dynamodb
