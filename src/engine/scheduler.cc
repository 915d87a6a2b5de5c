#include "engine/scheduler.h"

#include <chrono>

namespace stator::engine {

Scheduler::Scheduler(Clock* clock, int64_t virtual_grace_millis)
    : clock_(clock), virtual_grace_millis_(virtual_grace_millis) {}

void Scheduler::ExternalStarted() {
  MutexLock lock(&mu_);
  ++external_in_flight_;
}

void Scheduler::ExternalFinished() {
  {
    MutexLock lock(&mu_);
    --external_in_flight_;
    // Only threads holding virtual time back for external work (RunUntil) care; waking every
    // thread at each task completion would cost each of them a futex round trip (a completion
    // that makes work ready also calls Schedule).
    if (external_waiters_ == 0) return;
    ++wake_epoch_;
  }
  cv_.SignalAll();
}

void Scheduler::Schedule(std::shared_ptr<Runnable> r) {
  {
    MutexLock lock(&mu_);
    ready_.push_back(std::move(r));
  }
  cv_.Signal();
}

Scheduler::TimerId Scheduler::AddTimer(int64_t due_millis, std::function<void()> fn) {
  TimerId id;
  bool earliest;
  {
    MutexLock lock(&mu_);
    PruneCancelledLocked();
    id = next_timer_id_++;
    // Sleeping threads wait for the earliest timer; a later one changes nothing for them.
    earliest = timers_.empty() || due_millis < timers_.top().due;
    timers_.push(Timer{due_millis, id, std::move(fn)});
  }
  if (earliest) cv_.SignalAll();
  return id;
}

void Scheduler::CancelTimer(TimerId id) {
  MutexLock lock(&mu_);
  cancelled_.insert(id);
  PruneCancelledLocked();
}

void Scheduler::PruneCancelledLocked() {
  while (!timers_.empty()) {
    auto it = cancelled_.find(timers_.top().id);
    if (it == cancelled_.end()) break;
    cancelled_.erase(it);
    timers_.pop();
  }
  if (timers_.empty()) cancelled_.clear();
}

std::optional<int64_t> Scheduler::NextTimerDue() {
  MutexLock lock(&mu_);
  PruneCancelledLocked();
  if (timers_.empty()) return std::nullopt;
  return timers_.top().due;
}

bool Scheduler::RunOnce() {
  std::shared_ptr<Runnable> r;
  {
    MutexLock lock(&mu_);
    if (!ready_.empty()) {
      r = std::move(ready_.front());
      ready_.pop_front();
    }
  }
  if (r) {
    r->Run();
    return true;
  }
  std::vector<std::function<void()>> fired;
  // Held while timers are taken and fired, so that timers reach their executions in due order
  // even when several threads fire them (an execution then sees its inputs in the same order
  // on every run).
  MutexLock firing(&fire_mu_);
  {
    MutexLock lock(&mu_);  // (always fire_mu_ before mu_)
    PruneCancelledLocked();
    const int64_t now = clock_->NowMillis();
    while (!timers_.empty() && timers_.top().due <= now) {
      Timer t = std::move(const_cast<Timer&>(timers_.top()));
      timers_.pop();
      auto it = cancelled_.find(t.id);
      if (it != cancelled_.end()) {
        cancelled_.erase(it);
        continue;
      }
      fired.push_back(std::move(t.fn));
      PruneCancelledLocked();
    }
  }
  for (auto& fn : fired) fn();
  return !fired.empty();
}

void Scheduler::Wake() {
  {
    MutexLock lock(&mu_);
    ++wake_epoch_;
  }
  cv_.SignalAll();
}

void Scheduler::RunUntil(const std::function<bool()>& pred) {
  while (!pred()) {
    if (RunOnce()) continue;
    MutexLock lock(&mu_);
    if (!ready_.empty()) continue;
    PruneCancelledLocked();
    const uint64_t epoch = wake_epoch_;
    if (clock_->is_virtual()) {
      if (external_in_flight_ > 0) {
        // Let work on other threads finish before virtual time moves on.
        ++external_waiters_;
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(virtual_grace_millis_);
        while (!WokenLocked(epoch)) {
          if (!cv_.WaitUntil(&mu_, deadline)) break;
        }
        const bool ready = WokenLocked(epoch);
        --external_waiters_;
        if (ready) continue;
      }
      if (!timers_.empty()) {
        clock_->AdvanceTo(timers_.top().due);
        continue;
      }
      lock.Unlock();
      if (pred()) return;
      lock.Lock();
      while (!WokenLocked(epoch) && timers_.empty()) cv_.Wait(&mu_);
      continue;
    }
    if (!timers_.empty()) {
      const int64_t delay = timers_.top().due - clock_->NowMillis();
      if (delay <= 0) continue;
      const TimerId top = timers_.top().id;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay);
      while (!WokenLocked(epoch) && !timers_.empty() && timers_.top().id == top) {
        if (!cv_.WaitUntil(&mu_, deadline)) break;
      }
    } else {
      lock.Unlock();
      if (pred()) return;
      lock.Lock();
      while (!WokenLocked(epoch) && timers_.empty()) cv_.Wait(&mu_);
    }
  }
}

}  // namespace stator::engine
