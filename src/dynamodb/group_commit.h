// GroupCommit: the one writer thread through which the embedded DynamoDB reaches its Storage,
// group-committed (the pattern of leveldb's writer queue and of store/commit_queue.h, which this
// layer does not depend on).
//
// The Service applies a write to its in-memory tables under its own lock and, still under that
// lock, Append()s the write's Storage::Changes here; Append gives them the next sequence number
// (1, 2, 3, ... in the order the writes were applied). The writer thread takes everything
// appended so far, commits it with ONE Storage::Commit (one SQLite transaction, one fsync), then
// marks every sequence number up to the last one it took durable. While it commits, new changes
// accumulate for the next batch, so under load batches grow by themselves; a lone write is
// committed at once (no waiting for company). The changes of one Append are never split over
// two batches, which keeps a transaction atomic on disk.
//
// WhenDurable(seq, fn) runs fn once everything up to seq is durable: at once on the calling
// thread when it already is (seq <= durable(); seq 0 always is), otherwise on the writer thread
// after the commit that made it so. fn gets Ok, or the sticky error below.
//
// Errors are sticky (leveldb's background error): the first failed commit is logged to stderr
// and from then on error() returns it; the waiters of that batch and of every later one get it
// (the writes they wait for are in memory but not on disk), nothing more is written, and
// WhenDurable answers any sequence number not yet durable with it at once. No waiter is ever
// left hanging: the destructor commits what is pending (or fails it, after an error), runs the
// waiters, then joins the writer thread.
//
// Ownership: borrows the Storage, which must outlive this object.
// Thread-safety: every method may be called from any thread. Append must be called in the
// order the writes were applied (the Service calls it under its lock). Callbacks run on the
// writer thread must be quick (hand longer work elsewhere) and must not wait for durability.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.h"
#include "dynamodb/storage.h"

namespace stator::dynamodb {

class GroupCommit {
 public:
  using Done = std::function<void(const Status&)>;

  explicit GroupCommit(Storage* storage);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues changes for the next batch and returns their sequence number (the last one
  // appended() when changes is empty: nothing new to wait for).
  uint64_t Append(std::vector<Storage::Change> changes);

  // The sequence number of the last Append, and of the last durable one.
  uint64_t appended() const { return appended_.load(std::memory_order_acquire); }
  uint64_t durable() const { return durable_.load(std::memory_order_acquire); }

  // Ok, or the first commit failure (sticky).
  Status error() const;

  void WhenDurable(uint64_t seq, Done done);

  // Number of Storage::Commit calls so far (each one transaction).
  uint64_t commits() const;

 private:
  void Loop();

  Storage* const storage_;
  std::atomic<uint64_t> appended_{0};  // written under mu_
  std::atomic<uint64_t> durable_{0};   // written under mu_
  std::atomic<bool> failed_{false};    // written under mu_; error_ holds why
  mutable std::mutex mu_;
  std::condition_variable work_cv_;                 // the writer waits for work
  std::vector<Storage::Change> pending_;            // guarded by mu_
  std::vector<std::pair<uint64_t, Done>> waiters_;  // guarded by mu_
  Status error_ = Status::Ok();                     // guarded by mu_
  uint64_t commits_ = 0;                            // guarded by mu_
  bool stopping_ = false;                           // guarded by mu_
  std::thread writer_;
};

}  // namespace stator::dynamodb
