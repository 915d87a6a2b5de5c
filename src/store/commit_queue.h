// CommitQueue: the one writer thread through which executions reach the store, group-committed.
//
// A thin user of GroupCommit (common/group_commit.h) whose batch is an ExecutionBatch and whose
// commit is Store::Commit. Everything submitted while a commit is running (new executions, history
// events, outcomes, from any number of executions and threads) goes to the store in the next
// single Store::Commit: one transaction, and for SqliteStore one fsync, however many executions
// took a step meanwhile. A lone submission is committed at once (no waiting for company); under
// load, batches grow by themselves, which is what keeps durability cheap per step.
//
// Order: items are committed in submission order, so an execution's creation precedes its
// steps, and its steps stay in the order they were submitted. `done` callbacks run on the
// writer thread, in submission order, after the commit that holds their item, with that
// commit's Status; they must be quick (hand longer work elsewhere) and must not call Flush.
//
// Reports: a commit that skipped something (CommitReport: an execution name that existed, the
// steps of an execution whose lease this node lost) still succeeds; the queue hands each
// non-empty report to `on_report` on the writer thread, after that commit and before its `done`
// callbacks run, so a `done` can look at what the listener recorded.
//
// Leases: in a cluster the queue commits on behalf of one node; Leases (a constructor argument,
// fixed for the queue's life) names it, and every batch carries it as ExecutionBatch::lease_owner
// and lease_ttl_ms (executions it creates start leased to the node; steps with a lease_epoch are
// fenced, store.h). The default, no owner, is a single server's: no leases.
//
// Failure is sticky: once a Store::Commit fails, nothing more is committed; the `done` of that
// batch and of every later submission (AfterCommit included) gets the first error, which error()
// returns from then on. A later step of an execution can therefore never be committed after a
// lost one (the store would also refuse the gap in its event ids: Store::Commit).
//
// Ownership: borrows the store, which must outlive the queue.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/group_commit.h"
#include "store/store.h"

namespace stator::store {

// The node a CommitQueue commits for (see the top of this file).
struct CommitQueueLeases {
  std::string owner;  // "" = no leases
  int64_t ttl_ms = 0;
};

class CommitQueue {
 public:
  using Done = std::function<void(const Status&)>;
  using ReportListener = std::function<void(const CommitReport&)>;

  using Leases = CommitQueueLeases;

  // `on_failure` (may be null) runs once, with the first failed commit's error, on the writer
  // thread before that batch's `done` callbacks (GroupCommit::SetFailureListener).
  // `on_report` (may be null) runs on the writer thread after each successful commit whose
  // report is not empty, before that batch's `done` callbacks; quick, and it must not call Flush.
  explicit CommitQueue(Store* store, Done on_failure = nullptr, ReportListener on_report = nullptr,
                       Leases leases = {});
  // Commits what is still queued (or fails it, after an error), answers every `done`, then ends
  // the writer thread.
  ~CommitQueue() = default;
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  void Submit(NewExecution created, Done done = nullptr);
  void Submit(ExecutionStep step, Done done = nullptr);

  // Runs `done` on the writer thread once everything submitted before this call has been
  // committed (with the status of the commit that held the last of it; ok when there was
  // nothing, unless a commit has failed). Lets an answer wait for durability without adding
  // anything to commit.
  void AfterCommit(Done done);

  // Returns once everything submitted before the call has been committed (or failed) and its
  // `done` has run.
  void Flush() { group_.Flush(); }

  // Ok, or the first failed commit (sticky: nothing has been committed since).
  Status error() const { return group_.error(); }

  // Number of Store::Commit calls so far (each one transaction).
  uint64_t commits() const { return group_.commits(); }

 private:
  // Stamps the queue's lease owner on the pending batch (ExecutionBatch::clear keeps it, so
  // each of GroupCommit's two batches is stamped once).
  void Stamp(ExecutionBatch& batch) const {
    if (!leases_.owner.empty() && batch.lease_owner.empty()) {
      batch.lease_owner = leases_.owner;
      batch.lease_ttl_ms = leases_.ttl_ms;
    }
  }

  const Leases leases_;
  GroupCommit<ExecutionBatch> group_;
};

}  // namespace stator::store
