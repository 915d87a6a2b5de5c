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

#include "common/group_commit.h"
#include "store/store.h"

namespace stator::store {

class CommitQueue {
 public:
  using Done = std::function<void(const Status&)>;

  // `on_failure` (may be null) runs once, with the first failed commit's error, on the writer
  // thread before that batch's `done` callbacks (GroupCommit::SetFailureListener).
  explicit CommitQueue(Store* store, Done on_failure = nullptr);
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
  GroupCommit<ExecutionBatch> group_;
};

}  // namespace stator::store
