// Scheduler: runs ready work items and fires timers, for any number of executions.
//
// Nothing in the engine blocks a thread to wait: an execution that waits (Wait state, Retry
// back-off, a Task's timeout, a task completion from another thread) registers a timer or gets
// its completion delivered later, and is handed to the scheduler again (Schedule) when it has
// work. The scheduler keeps a FIFO of ready Runnables and a min-heap of timers.
//
// Drivers:
//   - RunUntil(pred) drives the scheduler on the calling thread until pred() holds. With a
//     virtual clock (Clock::is_virtual) it jumps the clock to the next timer when nothing is
//     ready; otherwise it sleeps until the next timer is due or new work is scheduled.
//   - Work that runs outside the scheduler (a task on another thread) is announced with
//     ExternalStarted / ExternalFinished. On a virtual clock, virtual time stands still while
//     such work is in flight, for up to virtual_grace_millis of real time; after that the
//     clock jumps anyway (so a Task that never answers still reaches its TimeoutSeconds).
//   - A server calls RunUntil from a few threads at once (one pool, many executions); a
//     Runnable is never run by two threads at once as long as it is scheduled at most once at a
//     time (Execution guarantees this itself).
//
// Ownership: the scheduler holds shared_ptrs to queued Runnables and copies of timer callbacks;
// it does not own the clock.
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace stator::engine {

// A unit of work the scheduler runs when it is ready.
class Runnable {
 public:
  virtual ~Runnable() = default;
  virtual void Run() = 0;
};

class Scheduler {
 public:
  using TimerId = uint64_t;

  explicit Scheduler(Clock* clock, int64_t virtual_grace_millis = 50);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Clock* clock() const { return clock_; }

  // Queues r to run once.
  void Schedule(std::shared_ptr<Runnable> r) EXCLUDES(mu_);

  // Calls fn (on a scheduler thread) once the clock reaches due_millis. Returns an id for
  // CancelTimer.
  TimerId AddTimer(int64_t due_millis, std::function<void()> fn) EXCLUDES(mu_);
  // Cancels a timer that has not fired yet (no-op otherwise).
  void CancelTimer(TimerId id) EXCLUDES(mu_);

  // Runs one ready Runnable or fires every due timer. Returns false when there was nothing to
  // do right now.
  bool RunOnce() EXCLUDES(fire_mu_, mu_);

  // Drives the scheduler until pred() is true (checked between work items). pred is called
  // without the scheduler's lock held.
  void RunUntil(const std::function<bool()>& pred) EXCLUDES(fire_mu_, mu_);

  // Wakes every thread blocked in RunUntil so that it re-checks its predicate.
  void Wake() EXCLUDES(mu_);

  // Announce work in flight outside the scheduler (see the header comment).
  void ExternalStarted() EXCLUDES(mu_);
  void ExternalFinished() EXCLUDES(mu_);

  // The due time of the earliest live timer, if any.
  std::optional<int64_t> NextTimerDue() EXCLUDES(mu_);

 private:
  struct Timer {
    int64_t due;
    TimerId id;
    std::function<void()> fn;
  };
  struct TimerLater {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.due != b.due ? a.due > b.due : a.id > b.id;
    }
  };

  // Drops cancelled timers from the top of the heap.
  void PruneCancelledLocked() REQUIRES(mu_);
  // Whether RunUntil's thread, waiting since wake_epoch_ was `epoch`, has something to do.
  bool WokenLocked(uint64_t epoch) const REQUIRES(mu_) {
    return !ready_.empty() || wake_epoch_ != epoch;
  }

  Clock* const clock_;
  const int64_t virtual_grace_millis_;
  Mutex fire_mu_ ACQUIRED_BEFORE(mu_);  // see RunOnce
  Mutex mu_;
  CondVar cv_;
  std::deque<std::shared_ptr<Runnable>> ready_ GUARDED_BY(mu_);
  std::priority_queue<Timer, std::vector<Timer>, TimerLater> timers_ GUARDED_BY(mu_);
  std::unordered_set<TimerId> cancelled_ GUARDED_BY(mu_);
  TimerId next_timer_id_ GUARDED_BY(mu_) = 1;
  uint64_t wake_epoch_ GUARDED_BY(mu_) = 0;
  int64_t external_in_flight_ GUARDED_BY(mu_) = 0;
  int external_waiters_ GUARDED_BY(mu_) = 0;  // threads waiting for external work
};

}  // namespace stator::engine
