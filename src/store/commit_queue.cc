#include "store/commit_queue.h"

#include <iostream>
#include <utility>

namespace stator::store {

CommitQueue::CommitQueue(Store* store) : store_(store) {
  writer_ = std::thread([this] { Loop(); });
}

CommitQueue::~CommitQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
}

void CommitQueue::Submit(NewExecution created, Done done) {
  {
    std::lock_guard lock(mu_);
    pending_.created.push_back(std::move(created));
    pending_done_.push_back(std::move(done));
    ++submitted_;
  }
  work_cv_.notify_one();
}

void CommitQueue::Submit(ExecutionStep step, Done done) {
  {
    std::lock_guard lock(mu_);
    pending_.steps.push_back(std::move(step));
    pending_done_.push_back(std::move(done));
    ++submitted_;
  }
  work_cv_.notify_one();
}

void CommitQueue::AfterCommit(Done done) {
  {
    std::lock_guard lock(mu_);
    pending_done_.push_back(std::move(done));
    ++submitted_;
  }
  work_cv_.notify_one();
}

void CommitQueue::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = submitted_;
  flushed_cv_.wait(lock, [&] { return committed_ >= target; });
}

uint64_t CommitQueue::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

void CommitQueue::Loop() {
  ExecutionBatch batch;
  std::vector<Done> done;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !pending_done_.empty(); });
      if (pending_done_.empty()) return;  // stopping, and nothing left to commit
      std::swap(batch, pending_);
      std::swap(done, pending_done_);
    }
    // Creations are applied before the steps of the same batch; since a creation is always
    // submitted before its execution's steps, that keeps submission order per execution.
    Status status = batch.empty() ? Status::Ok() : store_->Commit(batch);
    if (!status.ok()) {
      std::cerr << "stator: committing " << batch.created.size() << " new executions and "
                << batch.steps.size() << " steps failed: " << status.error().cause << "\n";
    }
    for (Done& d : done) {
      if (d) d(status);
    }
    {
      std::lock_guard lock(mu_);
      committed_ += done.size();
      if (!batch.empty()) ++commits_;
    }
    flushed_cv_.notify_all();
    batch.created.clear();
    batch.steps.clear();
    done.clear();
  }
}

}  // namespace stator::store
