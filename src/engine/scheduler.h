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

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <unordered_set>
#include <vector>

#include "common/clock.h"

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
  void Schedule(std::shared_ptr<Runnable> r);

  // Calls fn (on a scheduler thread) once the clock reaches due_millis. Returns an id for
  // CancelTimer.
  TimerId AddTimer(int64_t due_millis, std::function<void()> fn);
  // Cancels a timer that has not fired yet (no-op otherwise).
  void CancelTimer(TimerId id);

  // Runs one ready Runnable or fires every due timer. Returns false when there was nothing to
  // do right now.
  bool RunOnce();

  // Drives the scheduler until pred() is true (checked between work items). pred is called
  // without the scheduler's lock held.
  void RunUntil(const std::function<bool()>& pred);

  // Wakes every thread blocked in RunUntil so that it re-checks its predicate.
  void Wake();

  // Announce work in flight outside the scheduler (see the header comment).
  void ExternalStarted();
  void ExternalFinished();

  // The due time of the earliest live timer, if any.
  std::optional<int64_t> NextTimerDue();

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

  // Requires mu_. Drops cancelled timers from the top of the heap.
  void PruneCancelledLocked();

  Clock* const clock_;
  const int64_t virtual_grace_millis_;
  std::mutex fire_mu_;  // see RunOnce
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Runnable>> ready_;                        // guarded by mu_
  std::priority_queue<Timer, std::vector<Timer>, TimerLater> timers_;  // guarded by mu_
  std::unordered_set<TimerId> cancelled_;                              // guarded by mu_
  TimerId next_timer_id_ = 1;                                          // guarded by mu_
  uint64_t wake_epoch_ = 0;                                            // guarded by mu_
  int64_t external_in_flight_ = 0;                                     // guarded by mu_
  int external_waiters_ = 0;  // threads waiting for external work; guarded by mu_
};

}  // namespace stator::engine
