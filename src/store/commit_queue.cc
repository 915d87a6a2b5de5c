#include "store/commit_queue.h"

#include <utility>

namespace stator::store {

// Creations are applied before the steps of the same batch (Store::Commit); since a creation is
// always submitted before its execution's steps, that keeps submission order per execution.
CommitQueue::CommitQueue(Store* store, Done on_failure)
    : group_("execution store",
             [store](const ExecutionBatch& batch) { return store->Commit(batch); }) {
  if (on_failure) group_.SetFailureListener(std::move(on_failure));
}

void CommitQueue::Submit(NewExecution created, Done done) {
  group_.Append([&](ExecutionBatch& batch) { batch.created.push_back(std::move(created)); },
                std::move(done));
}

void CommitQueue::Submit(ExecutionStep step, Done done) {
  group_.Append([&](ExecutionBatch& batch) { batch.steps.push_back(std::move(step)); },
                std::move(done));
}

void CommitQueue::AfterCommit(Done done) {
  // A marker: nothing to commit, answered after everything appended before it.
  group_.Append([](ExecutionBatch&) {}, std::move(done));
}

}  // namespace stator::store
