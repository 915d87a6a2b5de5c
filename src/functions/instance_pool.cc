#include "functions/instance_pool.h"

#include <algorithm>

namespace stator::functions {

InstancePool::InstancePool(Limits limits, Host* host, int64_t now_us)
    : limits_(limits), host_(host), last_active_us_(now_us) {}

const InstancePool::Slot* InstancePool::Find(Id id) const {
  for (const Slot& i : instances_) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

InstancePool::Slot* InstancePool::FindMutable(Id id) {
  for (Slot& i : instances_) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

Call* InstancePool::RunningCall(Id id) {
  Slot* i = FindMutable(id);
  return i != nullptr && i->state == State::kBusy ? &i->call : nullptr;
}

int64_t InstancePool::NextDeadline(int64_t horizon) const {
  for (const Slot& i : instances_) {
    if (i.state == State::kBusy) horizon = std::min(horizon, i.deadline_us);
  }
  return horizon;
}

void InstancePool::Submit(Call call, Completions* done) {
  Slot* idle = nullptr;
  size_t busy = 0;
  for (Slot& i : instances_) {
    if (i.state == State::kIdle && idle == nullptr) idle = &i;
    if (i.state == State::kBusy) ++busy;
  }
  if (idle != nullptr && waiting_.empty()) {
    Dispatch(idle, std::move(call));
    KeepSpares();
    return;
  }
  if ((!call.inv.queue_when_busy && busy + waiting_.size() >= limits_.concurrency) ||
      waiting_.size() >= limits_.max_queued) {
    done->emplace_back(std::move(call.done), Error{"TooManyRequestsException", "Rate Exceeded."});
    return;
  }
  waiting_.push_back(std::move(call));
  Settle(done);
}

void InstancePool::Ready(Id id, Completions* done) {
  Slot* i = FindMutable(id);
  if (i == nullptr || i->state != State::kStarting) return;
  i->state = State::kIdle;
  i->last_used_us = host_->NowUs();
  Settle(done);
}

void InstancePool::Answered(Id id, bool remove, Completions* done) {
  Slot* i = FindMutable(id);
  if (i == nullptr || i->state != State::kBusy) return;
  i->call = Call();
  spawn_failures_ = 0;
  if (remove) {
    Remove(id, true);
  } else {
    i->state = State::kIdle;
    i->last_used_us = host_->NowUs();
  }
  Settle(done);
}

void InstancePool::Lost(Id id, Completions* done, bool with_its_zygote) {
  Slot* i = FindMutable(id);
  if (i == nullptr) return;
  if (i->state == State::kStarting && !with_its_zygote) ++spawn_failures_;
  Remove(id, true);
  Settle(done);
}

int64_t InstancePool::Expire(int64_t idle_us, int64_t horizon, Completions* done) {
  int64_t now = host_->NowUs();
  for (size_t k = 0; k < instances_.size();) {
    Slot& i = instances_[k];
    if (i.state == State::kBusy) {
      if (now >= i.deadline_us) {
        Id id = i.id;
        int64_t started = i.started_us;
        Call call = std::move(i.call);
        host_->TimedOut(id, std::move(call), started, done);
        Remove(id, true);
        continue;
      }
      horizon = std::min(horizon, i.deadline_us);
    } else if (i.state == State::kIdle && now - i.last_used_us >= idle_us) {
      Remove(i.id, false);
      continue;
    }
    ++k;
  }
  return horizon;
}

void InstancePool::Settle(Completions* done) {
  for (size_t k = 0; k < instances_.size() && !waiting_.empty(); ++k) {
    if (instances_[k].state != State::kIdle) continue;
    Call call = std::move(waiting_.front());
    waiting_.pop_front();
    Dispatch(&instances_[k], std::move(call));
  }
  size_t starting = 0;
  for (const Slot& i : instances_) starting += i.state == State::kStarting;
  while (starting < waiting_.size() && instances_.size() < limits_.concurrency) {
    if (spawn_failures_ >= 3) {
      // Instances die as soon as they are forked: fail fast instead of looping.
      spawn_failures_ = 0;
      FailWaiting(Error{"ServiceException", "the function's runtime instances exit as they start"},
                  done);
      break;
    }
    Status started = Start(false);
    if (!started.ok()) {
      // Nothing else will serve the waiting calls: they fail now rather than wait for a
      // retry.
      if (instances_.empty()) FailWaiting(Error{"ServiceException", started.error().cause}, done);
      break;
    }
    ++starting;
  }
  if (retired_ && waiting_.empty()) {
    for (size_t k = 0; k < instances_.size();) {
      if (instances_[k].state == State::kIdle) {
        Remove(instances_[k].id, false);
      } else {
        ++k;
      }
    }
  }
  KeepSpares();
}

std::deque<Call> InstancePool::FailStarting() {
  for (size_t k = 0; k < instances_.size();) {
    if (instances_[k].state == State::kStarting) {
      Remove(instances_[k].id, true);
    } else {
      ++k;
    }
  }
  return std::exchange(waiting_, {});
}

void InstancePool::Shutdown(const Error& error, Completions* done) {
  for (Slot& i : instances_) {
    if (i.state == State::kBusy && i.call.done) done->emplace_back(std::move(i.call.done), error);
    host_->StopInstance(i.id, true);
  }
  instances_.clear();
  FailWaiting(error, done);
}

void InstancePool::Dispatch(Slot* inst, Call call) {
  int64_t now = host_->NowUs();
  inst->state = State::kBusy;
  inst->call = std::move(call);
  inst->started_us = now;
  inst->deadline_us =
      now + (inst->call.inv.timeout_ms > 0 ? inst->call.inv.timeout_ms * 1000 : limits_.timeout_us);
  last_active_us_ = now;
  host_->Dispatch(inst->id, inst->call);
}

Status InstancePool::Start(bool spare) {
  Id id = next_id_++;
  STATOR_RETURN_IF_ERROR(host_->StartInstance(id, spare));
  Slot i;
  i.id = id;
  i.spare = spare;
  instances_.push_back(std::move(i));
  return Status::Ok();
}

void InstancePool::Remove(Id id, bool kill) {
  for (auto it = instances_.begin(); it != instances_.end(); ++it) {
    if (it->id == id) {
      host_->StopInstance(id, kill);
      instances_.erase(it);
      return;
    }
  }
}

void InstancePool::FailWaiting(const Error& error, Completions* done) {
  while (!waiting_.empty()) {
    done->emplace_back(std::move(waiting_.front().done), error);
    waiting_.pop_front();
  }
}

// Starts instances until `spares` of the pool's are idle or starting (within the concurrency),
// while at least one is busy: a pool nobody is calling does not fork, and what the idle reaper
// removed is not started again.
void InstancePool::KeepSpares() {
  if (retired_ || !host_->CanStartSpares()) return;
  size_t free = 0;
  bool busy = false;
  for (const Slot& i : instances_) {
    bool b = i.state == State::kBusy;
    busy |= b;
    free += !b;
  }
  if (!busy) return;
  while (free < limits_.spares && instances_.size() < limits_.concurrency) {
    if (!Start(true).ok()) return;  // out of descriptors, say: the next Settle tries again
    ++free;
  }
}

}  // namespace stator::functions
