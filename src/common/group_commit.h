// GroupCommit<Batch>: one writer thread that makes appended work durable in group commits, with
// leveldb's background-error rule. Used by the store (store/commit_queue.h: executions and their
// history) and by the embedded DynamoDB (its Storage changes).
//
// Append(add, done) runs `add(batch)` under the lock to add an item to the pending batch and
// gives the item the next sequence number (1, 2, 3, ... in append order). The writer thread takes
// everything appended so far as one batch, commits it with ONE call of the commit function (one
// transaction, one fsync), marks every sequence number up to the last one it took durable, then
// answers the waiters of those numbers. While it commits, new items accumulate for the next
// batch: under load batches grow by themselves, and a lone item is committed at once (no waiting
// for company). An item (whatever one `add` put in) is never split over two batches.
//
// Waiters: `done` of Append, and WhenDurable(seq, done), which runs `done` once everything up to
// seq is durable: at once on the calling thread when it already is (seq <= durable(); seq 0
// always is), otherwise on the writer thread right after the commit that made it so. Waiters
// answered by the writer run in sequence-number order, those of one number in registration order,
// after the commit that holds their item. A batch with nothing to write (only Append calls whose
// `add` added nothing: markers) is answered without calling the commit function.
//
// Errors are sticky (leveldb's background error): the first failed commit is logged to stderr and
// kept (error()); the waiters of that batch and of every later one get it, nothing more is
// written (later batches are taken and dropped, never committed: they may depend on the lost
// one), and WhenDurable answers a sequence number that is not durable with it at once. A failure
// listener (SetFailureListener) learns of it once, on the writer thread, before any waiter of the
// failed batch is answered. No waiter is ever left hanging: the destructor commits what is pending
// (or, after an error, fails it), answers every waiter, then joins the writer thread.
//
// Batch: default-constructible and swappable, with `bool empty() const` and `void clear()`.
//
// Ownership: owns the writer thread and the batches; `commit` must stay callable until the
// destructor returns.
// Thread-safety: every method may be called from any thread, except that Flush and WhenDurable of
// a pending number must not be called from a waiter (they would wait for themselves). `add` runs
// under the internal lock: it must only add to the batch. Waiters run on the writer thread (or the
// calling thread); they must be quick (hand longer work elsewhere) and must not call Flush.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>

#include "common/mutex.h"
#include "common/result.h"
#include "common/thread_annotations.h"

namespace stator {

// What GroupCommit<Batch> shares whatever the batch: sequence numbers, waiters, the sticky error
// and the writer thread. The batch itself lives in GroupCommit<Batch>, reached through two hooks;
// GroupCommit adds to it under the core's lock (mu_, which guards it).
class GroupCommitCore {
 public:
  using Done = std::function<void(const Status&)>;
  struct Hooks {
    // Called with the lock held: moves the pending batch out for the writer; false when there is
    // nothing to write.
    std::function<bool()> take;
    // Called on the writer thread without the lock, after take() returned true: commits what
    // take() moved out, then forgets it.
    std::function<Status()> commit;
  };

  // `name` says what is committed in the log line of a failure ("DynamoDB", "execution store").
  GroupCommitCore(std::string name, Hooks hooks);
  ~GroupCommitCore();
  GroupCommitCore(const GroupCommitCore&) = delete;
  GroupCommitCore& operator=(const GroupCommitCore&) = delete;

  void WhenDurable(uint64_t seq, Done done) EXCLUDES(mu_);
  void Flush() EXCLUDES(mu_);
  void SetFailureListener(Done listener) EXCLUDES(mu_);

  uint64_t appended() const { return appended_.load(std::memory_order_acquire); }
  uint64_t durable() const { return durable_.load(std::memory_order_acquire); }
  Status error() const EXCLUDES(mu_);
  uint64_t commits() const EXCLUDES(mu_);

 private:
  template <class Batch>
  friend class GroupCommit;

  // An item was just added to the pending batch: gives it the next sequence number, with `done`
  // (may be null) as its waiter. Call WakeWriter once the lock is given up.
  uint64_t AppendedLocked(Done done) REQUIRES(mu_);
  void WakeWriter() { work_cv_.Signal(); }
  void Loop() EXCLUDES(mu_);

  const std::string name_;
  const Hooks hooks_;
  std::atomic<uint64_t> appended_{0};  // written under mu_
  std::atomic<uint64_t> durable_{0};   // written under mu_
  std::atomic<bool> failed_{false};    // written under mu_; error_ holds why
  mutable Mutex mu_;
  CondVar work_cv_;                                        // the writer waits for work
  CondVar answered_cv_;                                    // Flush waits for answered_
  std::multimap<uint64_t, Done> waiters_ GUARDED_BY(mu_);  // by sequence number
  Done failure_listener_ GUARDED_BY(mu_);
  uint64_t taken_ GUARDED_BY(mu_) = 0;     // the last number taken
  uint64_t answered_ GUARDED_BY(mu_) = 0;  // waiters up to it have run
  Status error_ GUARDED_BY(mu_) = Status::Ok();
  uint64_t commits_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread writer_;
};

template <class Batch>
class GroupCommit {
 public:
  using Done = GroupCommitCore::Done;
  // Commits one batch durably, all or nothing; called on the writer thread only.
  using CommitFn = std::function<Status(const Batch&)>;

  GroupCommit(std::string name, CommitFn commit)
      : commit_(std::move(commit)),
        core_(std::move(name),
              GroupCommitCore::Hooks{[this] { return Take(); }, [this] { return CommitTaken(); }}) {
  }
  // Commits what is pending (or fails it after an error), answers every waiter, then joins.
  ~GroupCommit() = default;
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs add(Batch&) under the lock to add one item to the pending batch; returns its sequence
  // number. `done` (may be null) is its waiter: it runs on the writer thread after the commit of
  // the batch that holds the item, with that commit's status (or the sticky error).
  template <class Add>
  uint64_t Append(Add&& add, Done done = nullptr) EXCLUDES(core_.mu_) {
    uint64_t seq;
    {
      MutexLock lock(&core_.mu_);
      add(pending_);
      seq = core_.AppendedLocked(std::move(done));
    }
    core_.WakeWriter();
    return seq;
  }

  // Runs `done` once everything up to `seq` is durable (see the top of this file). A number
  // never appended is answered at once with an error.
  void WhenDurable(uint64_t seq, Done done) { core_.WhenDurable(seq, std::move(done)); }

  // Returns once every waiter registered before the call has run (everything appended before
  // it has been committed, or failed).
  void Flush() { core_.Flush(); }

  // `listener` runs once, with the first failed commit's error, on the writer thread right after
  // the failure is recorded (error() returns it) and before the failed batch's waiters are
  // answered; quick, and it must not call Flush. Set it before anything can fail.
  void SetFailureListener(Done listener) { core_.SetFailureListener(std::move(listener)); }

  // The sequence number of the last Append, and the last durable one.
  uint64_t appended() const { return core_.appended(); }
  uint64_t durable() const { return core_.durable(); }
  // Ok, or the first commit failure (sticky).
  Status error() const { return core_.error(); }
  // Number of calls of the commit function so far.
  uint64_t commits() const { return core_.commits(); }

 private:
  // Hooks::take. The core calls it with its lock held, through a std::function: the analysis
  // cannot follow the lock there, so it is told.
  bool Take() {
    core_.mu_.AssertHeld();
    taken_.clear();  // normally empty already; after an error, what the writer dropped
    if (pending_.empty()) return false;
    using std::swap;
    swap(pending_, taken_);
    return true;
  }
  Status CommitTaken() {
    Status s = commit_(taken_);
    taken_.clear();
    return s;
  }

  const CommitFn commit_;
  Batch pending_ GUARDED_BY(core_.mu_);
  Batch taken_;           // the writer thread's: the batch being committed
  GroupCommitCore core_;  // last: its destructor drains and joins while the batches exist
};

}  // namespace stator
