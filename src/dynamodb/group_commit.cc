#include "dynamodb/group_commit.h"

#include <algorithm>
#include <iostream>
#include <iterator>

namespace stator::dynamodb {

GroupCommit::GroupCommit(Storage* storage) : storage_(storage) {
  writer_ = std::thread([this] { Loop(); });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
  // Every waiter has a sequence number that was appended, so the writer has answered it; this
  // is only a guard against a waiter registered after the last batch (which would be a bug).
  std::vector<std::pair<uint64_t, Done>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
  }
  for (auto& [seq, done] : left) {
    done(Error{"InternalServerError", "DynamoDB storage: the service is shutting down"});
  }
}

uint64_t GroupCommit::Append(std::vector<Storage::Change> changes) {
  if (changes.empty()) return appended();
  uint64_t seq;
  {
    std::lock_guard lock(mu_);
    if (pending_.empty()) {
      pending_ = std::move(changes);
    } else {
      for (Storage::Change& c : changes) pending_.push_back(std::move(c));
    }
    seq = appended_.load(std::memory_order_relaxed) + 1;
    appended_.store(seq, std::memory_order_release);
  }
  work_cv_.notify_one();
  return seq;
}

Status GroupCommit::error() const {
  if (!failed_.load(std::memory_order_acquire)) return Status::Ok();
  std::lock_guard lock(mu_);
  return error_;
}

uint64_t GroupCommit::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

void GroupCommit::WhenDurable(uint64_t seq, Done done) {
  if (seq <= durable()) {  // the common case: nothing this caller could have seen is pending
    done(Status::Ok());
    return;
  }
  Status failed;
  {
    std::lock_guard lock(mu_);
    if (seq > durable_.load(std::memory_order_relaxed)) {
      if (!failed_.load(std::memory_order_relaxed)) {
        waiters_.emplace_back(seq, std::move(done));
        return;
      }
      failed = error_;
    }
  }
  done(failed);  // durable meanwhile (Ok), or never will be (the sticky error)
}

void GroupCommit::Loop() {
  std::vector<Storage::Change> batch;
  std::vector<std::pair<uint64_t, Done>> ready;
  for (;;) {
    uint64_t upto;
    Status status;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and nothing left to commit
      batch.swap(pending_);
      upto = appended_.load(std::memory_order_relaxed);
      status = error_;
    }
    // After a failure nothing more is written: a later batch may depend on the lost one.
    bool tried = status.ok();
    if (tried) status = storage_->Commit(batch);
    {
      std::lock_guard lock(mu_);
      if (tried) ++commits_;
      if (status.ok()) {
        durable_.store(upto, std::memory_order_release);
      } else if (!failed_.load(std::memory_order_relaxed)) {
        error_ = status;
        failed_.store(true, std::memory_order_release);
        std::cerr << "stator: DynamoDB commit of " << batch.size()
                  << " changes failed; refusing writes from now on: " << status.error().cause
                  << "\n";
      }
      // Waiters up to `upto` are answered now; later ones wait for the next batch (their
      // changes were appended after this batch was taken, so it exists).
      auto later = std::partition(waiters_.begin(), waiters_.end(),
                                  [&](const auto& w) { return w.first > upto; });
      ready.insert(ready.end(), std::make_move_iterator(later),
                   std::make_move_iterator(waiters_.end()));
      waiters_.erase(later, waiters_.end());
    }
    for (auto& [seq, done] : ready) done(status);
    ready.clear();
    batch.clear();
  }
}

}  // namespace stator::dynamodb
