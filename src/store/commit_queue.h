// CommitQueue: the one writer thread through which executions reach the store, group-committed.
//
// Everything submitted while a commit is running (new executions, history events, outcomes, from
// any number of executions and threads) goes to the store in the next single Store::Commit: one
// transaction, and for SqliteStore one fsync, however many executions took a step meanwhile. A
// lone submission is committed at once (no waiting for company); under load, batches grow by
// themselves, which is what keeps durability cheap per step.
//
// Order: items are committed in submission order, so an execution's creation precedes its
// steps, and its steps stay in the order they were submitted. `done` callbacks run on the
// writer thread, in submission order, after the commit that holds their item, with that
// commit's Status; they must be quick (hand longer work elsewhere) and must not call Flush.
//
// Ownership: borrows the store, which must outlive the queue.
// Thread-safety: Submit and Flush may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace stator::store {

class CommitQueue {
 public:
  using Done = std::function<void(const Status&)>;

  explicit CommitQueue(Store* store);
  // Commits what is still queued, then ends the writer thread.
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  void Submit(NewExecution created, Done done = nullptr);
  void Submit(ExecutionStep step, Done done = nullptr);

  // Runs `done` on the writer thread once everything submitted before this call has been
  // committed (with the status of the commit that held the last of it; ok when there was
  // nothing). Lets an answer wait for durability without adding anything to commit.
  void AfterCommit(Done done);

  // Returns once everything submitted before the call has been committed (or failed).
  void Flush();

  // Number of Store::Commit calls so far (each one transaction).
  uint64_t commits() const;

 private:
  void Loop();

  Store* const store_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // the writer waits for work
  std::condition_variable flushed_cv_;  // Flush waits for `committed_`
  ExecutionBatch pending_;              // guarded by mu_
  std::vector<Done> pending_done_;      // guarded by mu_
  uint64_t submitted_ = 0;              // guarded by mu_
  uint64_t committed_ = 0;              // guarded by mu_ (items done, in order)
  uint64_t commits_ = 0;                // guarded by mu_
  bool stopping_ = false;               // guarded by mu_
  std::thread writer_;
};

}  // namespace stator::store
