// Timers: how the schedule runner (runner.h) waits for time, given by its host. `stator serve`
// gives the execution service's engine::Scheduler (server/serve.cc), so that schedules wait on
// the server's clock as Wait states do: with the wall clock they sleep until due; with a scaled
// clock they are woken as often as the scheduler is; with virtual time (--time-scale 0) the
// clock jumps to the earliest timer when nothing at all runs, a schedule's included, and Hold /
// Release keep it still while a firing is being claimed and its target runs.
//
// Thread-safety: every method may be called from any thread; a timer's callback runs on a
// thread of the host and must not block.
#pragma once

#include <cstdint>
#include <functional>

namespace stator::schedules {

class Timers {
 public:
  using Id = uint64_t;
  virtual ~Timers() = default;
  virtual int64_t NowMillis() const = 0;
  // Whether the clock is virtual (it jumps to the earliest timer when nothing runs).
  virtual bool is_virtual() const = 0;
  // Calls fn once the clock reaches due_ms.
  virtual Id AddTimer(int64_t due_ms, std::function<void()> fn) = 0;
  virtual void CancelTimer(Id id) = 0;
  // Work in flight outside the host (virtual time stands still until Release).
  virtual void Hold() = 0;
  virtual void Release() = 0;
};

}  // namespace stator::schedules
