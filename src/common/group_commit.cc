#include "common/group_commit.h"

#include <iostream>
#include <vector>

namespace stator {

GroupCommitCore::GroupCommitCore(std::string name, Hooks hooks)
    : name_(std::move(name)), hooks_(std::move(hooks)) {
  writer_ = std::thread([this] { Loop(); });
}

GroupCommitCore::~GroupCommitCore() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  work_cv_.SignalAll();
  writer_.join();
  // The writer answered every number that was appended; a waiter can only be left if it was
  // registered while the destructor ran, which is a caller's bug. Answer it anyway.
  std::multimap<uint64_t, Done> left;
  {
    MutexLock lock(&mu_);
    left.swap(waiters_);
  }
  for (auto& [seq, done] : left) {
    done(Error{"GroupCommit.ShuttingDown", name_ + ": the writer has stopped"});
  }
}

uint64_t GroupCommitCore::AppendedLocked(Done done) {
  const uint64_t seq = appended_.load(std::memory_order_relaxed) + 1;
  appended_.store(seq, std::memory_order_release);
  if (done) waiters_.emplace(seq, std::move(done));
  return seq;
}

Status GroupCommitCore::error() const {
  if (!failed_.load(std::memory_order_acquire)) return Status::Ok();
  MutexLock lock(&mu_);
  return error_;
}

uint64_t GroupCommitCore::commits() const {
  MutexLock lock(&mu_);
  return commits_;
}

void GroupCommitCore::WhenDurable(uint64_t seq, Done done) {
  if (seq <= durable()) {  // the common case: nothing the caller could have seen is pending
    done(Status::Ok());
    return;
  }
  Status answer;
  {
    MutexLock lock(&mu_);
    if (seq > durable_.load(std::memory_order_relaxed)) {
      if (seq > appended_.load(std::memory_order_relaxed)) {
        answer = Error{"GroupCommit.UnknownSequence",
                       name_ + ": sequence number " + std::to_string(seq) + " was never appended"};
      } else if (failed_.load(std::memory_order_relaxed)) {
        answer = error_;  // it never will be durable
      } else {
        waiters_.emplace(seq, std::move(done));
        return;
      }
    }
  }
  done(answer);  // durable meanwhile (Ok), or never will be
}

void GroupCommitCore::SetFailureListener(Done listener) {
  MutexLock lock(&mu_);
  failure_listener_ = std::move(listener);
}

void GroupCommitCore::Flush() {
  MutexLock lock(&mu_);
  const uint64_t target = appended_.load(std::memory_order_relaxed);
  while (answered_ < target) answered_cv_.Wait(&mu_);
}

void GroupCommitCore::Loop() {
  std::vector<Done> ready;
  for (;;) {
    uint64_t upto;
    Status status;
    bool write;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && taken_ >= appended_.load(std::memory_order_relaxed)) work_cv_.Wait(&mu_);
      upto = appended_.load(std::memory_order_relaxed);
      if (taken_ == upto) return;  // stopping, and nothing left to commit
      taken_ = upto;
      // After a failure the batch is taken and dropped: nothing more is written.
      write = hooks_.take() && !failed_.load(std::memory_order_relaxed);
      status = error_;
    }
    if (write) status = hooks_.commit();
    Done listener;
    {
      MutexLock lock(&mu_);
      if (write) ++commits_;
      if (status.ok()) {
        durable_.store(upto, std::memory_order_release);
      } else if (!failed_.load(std::memory_order_relaxed)) {
        error_ = status;
        failed_.store(true, std::memory_order_release);
        std::cerr << "stator: " << name_
                  << ": a commit failed; nothing more will be written: " << status.error().cause
                  << "\n";
        listener = std::move(failure_listener_);
      }
      // Waiters up to `upto` are answered now; later ones belong to a later batch.
      auto end = waiters_.upper_bound(upto);
      for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
      waiters_.erase(waiters_.begin(), end);
    }
    if (listener) listener(status);
    for (Done& done : ready) done(status);
    ready.clear();
    {
      MutexLock lock(&mu_);
      answered_ = upto;
    }
    answered_cv_.SignalAll();
  }
}

}  // namespace stator
