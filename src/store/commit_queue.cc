#include "store/commit_queue.h"

#include <utility>

namespace stator::store {

// Creations are applied before the steps of the same batch (Store::Commit); since a creation is
// always submitted before its execution's steps, that keeps submission order per execution.
CommitQueue::CommitQueue(Store* store, Done on_failure, ReportListener on_report, Leases leases)
    : leases_(std::move(leases)),
      group_("execution store",
             [store, on_report = std::move(on_report)](const ExecutionBatch& batch) {
               CommitReport report;
               Status s = store->Commit(batch, &report);
               // Still inside the commit function: before GroupCommit answers the batch's waiters.
               if (s.ok() && on_report && !(report.existed.empty() && report.fenced.empty())) {
                 on_report(report);
               }
               return s;
             }) {
  if (on_failure) group_.SetFailureListener(std::move(on_failure));
}

void CommitQueue::Submit(NewExecution created, Done done) {
  group_.Append(
      [&](ExecutionBatch& batch) {
        Stamp(batch);
        batch.created.push_back(std::move(created));
      },
      std::move(done));
}

void CommitQueue::Submit(ExecutionStep step, Done done) {
  group_.Append(
      [&](ExecutionBatch& batch) {
        Stamp(batch);
        batch.steps.push_back(std::move(step));
      },
      std::move(done));
}

void CommitQueue::AfterCommit(Done done) {
  // A marker: nothing to commit, answered after everything appended before it.
  group_.Append([](ExecutionBatch&) {}, std::move(done));
}

}  // namespace stator::store
