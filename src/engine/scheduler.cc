#include "engine/scheduler.h"

#include <chrono>

namespace stator::engine {

Scheduler::Scheduler(Clock* clock, int64_t virtual_grace_millis)
    : clock_(clock), virtual_grace_millis_(virtual_grace_millis) {}

void Scheduler::ExternalStarted() {
  std::lock_guard<std::mutex> lock(mu_);
  ++external_in_flight_;
}

void Scheduler::ExternalFinished() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --external_in_flight_;
    // Only threads holding virtual time back for external work (RunUntil) care; waking every
    // thread at each task completion would cost each of them a futex round trip (a completion
    // that makes work ready also calls Schedule).
    if (external_waiters_ == 0) return;
    ++wake_epoch_;
  }
  cv_.notify_all();
}

void Scheduler::Schedule(std::shared_ptr<Runnable> r) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(std::move(r));
  }
  cv_.notify_one();
}

Scheduler::TimerId Scheduler::AddTimer(int64_t due_millis, std::function<void()> fn) {
  TimerId id;
  bool earliest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    PruneCancelledLocked();
    id = next_timer_id_++;
    // Sleeping threads wait for the earliest timer; a later one changes nothing for them.
    earliest = timers_.empty() || due_millis < timers_.top().due;
    timers_.push(Timer{due_millis, id, std::move(fn)});
  }
  if (earliest) cv_.notify_all();
  return id;
}

void Scheduler::CancelTimer(TimerId id) {
  std::lock_guard<std::mutex> lock(mu_);
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
  std::lock_guard<std::mutex> lock(mu_);
  PruneCancelledLocked();
  if (timers_.empty()) return std::nullopt;
  return timers_.top().due;
}

bool Scheduler::RunOnce() {
  std::shared_ptr<Runnable> r;
  std::vector<std::function<void()>> fired;
  // Held while timers are taken and fired, so that timers reach their executions in due order
  // even when several threads fire them (an execution then sees its inputs in the same order
  // on every run).
  std::unique_lock<std::mutex> firing(fire_mu_, std::defer_lock);
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!ready_.empty()) {
      r = std::move(ready_.front());
      ready_.pop_front();
    } else {
      lock.unlock();
      firing.lock();  // (always fire_mu_ before mu_)
      lock.lock();
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
  }
  if (r) {
    r->Run();
    return true;
  }
  for (auto& fn : fired) fn();
  return !fired.empty();
}

void Scheduler::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wake_epoch_;
  }
  cv_.notify_all();
}

void Scheduler::RunUntil(const std::function<bool()>& pred) {
  while (!pred()) {
    if (RunOnce()) continue;
    std::unique_lock<std::mutex> lock(mu_);
    if (!ready_.empty()) continue;
    PruneCancelledLocked();
    const uint64_t epoch = wake_epoch_;
    auto woken = [&] { return !ready_.empty() || wake_epoch_ != epoch; };
    if (clock_->is_virtual()) {
      if (external_in_flight_ > 0) {
        // Let work on other threads finish before virtual time moves on.
        ++external_waiters_;
        bool ready = cv_.wait_for(lock, std::chrono::milliseconds(virtual_grace_millis_), woken);
        --external_waiters_;
        if (ready) continue;
      }
      if (!timers_.empty()) {
        clock_->AdvanceTo(timers_.top().due);
        continue;
      }
      lock.unlock();
      if (pred()) return;
      lock.lock();
      cv_.wait(lock, [&] { return woken() || !timers_.empty(); });
      continue;
    }
    if (!timers_.empty()) {
      const int64_t delay = timers_.top().due - clock_->NowMillis();
      if (delay <= 0) continue;
      const TimerId top = timers_.top().id;
      cv_.wait_for(lock, std::chrono::milliseconds(delay),
                   [&] { return woken() || timers_.empty() || timers_.top().id != top; });
    } else {
      lock.unlock();
      if (pred()) return;
      lock.lock();
      cv_.wait(lock, [&] { return woken() || !timers_.empty(); });
    }
  }
}

}  // namespace stator::engine
