// Execution: the inbox and run-state protocol, timers and task dispatch — everything that
// reaches an execution from another thread.

#include <functional>
#include <memory>
#include <utility>

#include "common/mutex.h"
#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"

namespace stator::engine {

namespace {
thread_local int run_completions_here = 0;
}  // namespace

RunCompletionsHere::RunCompletionsHere() { ++run_completions_here; }
RunCompletionsHere::~RunCompletionsHere() { --run_completions_here; }
bool RunCompletionsHere::active() { return run_completions_here > 0; }

void Execution::Deliver(Message m) {
  const bool task_done = m.kind == Message::Kind::kTaskDone;
  bool run_here = false;
  {
    MutexLock lock(&inbox_mu_);
    if (scheduler_ == nullptr) return;
    inbox_.push_back(std::move(m));
    RunState idle = RunState::kIdle;
    // Idle to running here, as Start(run_here) does; the caller keeps this alive.
    run_here =
        task_done && RunCompletionsHere::active() &&
        run_state_.compare_exchange_strong(idle, RunState::kRunning, std::memory_order_acq_rel);
    if (!run_here) {
      Notify();
      // Only now that the completion is queued in the scheduler (run here, only once it has
      // run, below): announced before, it let a virtual clock jump to the next timer, the
      // task's own timeout, in between.
      if (task_done) EndExternalLocked();
    }
  }
  if (run_here) {
    Run();
    MutexLock lock(&inbox_mu_);
    EndExternalLocked();
  }
}

void Execution::EndExternalLocked() {
  if (external_in_flight_ == 0 || scheduler_ == nullptr) return;  // Detach ended them all
  --external_in_flight_;
  scheduler_->ExternalFinished();
}

void Execution::Notify() {
  for (;;) {
    RunState state = run_state_.load(std::memory_order_acquire);
    if (state == RunState::kIdle) {
      if (run_state_.compare_exchange_weak(state, RunState::kQueued)) {
        if (scheduler_ != nullptr) scheduler_->Schedule(shared_from_this());
        return;
      }
    } else if (state == RunState::kRunning) {
      if (run_state_.compare_exchange_weak(state, RunState::kRunningWithMoreWork)) return;
    } else {
      return;  // queued, or the running thread already knows there is more
    }
  }
}

bool Execution::HandleOneMessage() {
  if (pending_next_ == pending_.size()) {
    pending_.clear();
    pending_next_ = 0;
    MutexLock lock(&inbox_mu_);
    if (inbox_.empty()) return false;
    pending_.swap(inbox_);
  }
  Message m = std::move(pending_[pending_next_++]);
  HandleMessage(m);
  return true;
}

// One input at a time: a message is handled and everything it made ready runs to a standstill
// before the next message is looked at. The events an execution records then depend only on
// the order of its inputs, which its history shows, and that is what lets a replay
// (ExecutionOptions::replay) record the same events again.
void Execution::Run() {
  run_state_.store(RunState::kRunning, std::memory_order_release);
  for (;;) {
    for (;;) {
      while (!ready_.empty() && !finished()) {
        const uint64_t id = ready_.front();
        ready_.pop_front();
        auto it = live_.find(id);
        if (it == live_.end()) continue;
        Frame* f = it->second;
        f->in_ready_queue = false;
        Step(*f);
      }
      if (finished()) break;
      recorded_clock_ = replay_ != nullptr;
      if (replay_ != nullptr) {
        // Messages wait in the inbox until the replay is over.
        if (!ReplayNextInput()) FailResume("no recorded input leads to the next event");
        continue;
      }
      if (!HandleOneMessage()) break;
    }
    FlushHistory();
    if (!held_tasks_.empty() && !finished()) ReleaseHeldTasks();
    if (!held_map_runs_.empty() && !finished()) ReleaseHeldMapRuns();
    RunState expected = RunState::kRunning;
    if (run_state_.compare_exchange_strong(expected, RunState::kIdle)) return;
    // More work arrived while running (kRunningWithMoreWork): go round again.
    run_state_.store(RunState::kRunning, std::memory_order_release);
  }
}

void Execution::HandleMessage(Message& m) {
  if (finished()) return;
  if (m.kind == Message::Kind::kStop) {
    FinishExecution(ExecutionStatus::kAborted, history::ErrorCause(m.error, m.cause),
                    next_event_id_ - 1, std::nullopt, m.error, m.cause);
    return;
  }
  if (m.kind == Message::Kind::kRoute) return OnKnixRoute(m);
  if (m.kind == Message::Kind::kTimer && m.timer == TimerKind::kExecutionTimeout) {
    FinishExecution(ExecutionStatus::kTimedOut,
                    history::ErrorCause(std::string(kStatesTimeout), ""), 0, std::nullopt,
                    std::nullopt, std::nullopt);  // DescribeExecution shows no error
    return;
  }
  auto it = live_.find(m.frame_id);
  if (it == live_.end()) return;
  Frame& f = *it->second;
  if (f.token != m.token || f.phase != Phase::kBlocked) return;
  switch (m.kind) {
    case Message::Kind::kTaskDone:
      ++f.token;
      CancelTimers(f);
      f.task_outcome = std::move(m.outcome);
      f.resume_reason = ResumeKind::kTaskOutcome;
      f.phase = Phase::kResume;
      MakeReady(f);
      return;
    case Message::Kind::kSubmitted: {
      // Once per attempt: a task dispatched again after a resume reports it again.
      const TaskResource& resource = f.state_plan().resource;
      if (resource.kind == TaskResource::Kind::kService && !f.task_submitted) {
        f.task_submitted = true;
        Emit(f, event_types::kTaskSubmitted, history::TaskSucceeded(resource, m.payload));
      } else if (resource.kind == TaskResource::Kind::kActivity && !f.task_submitted) {
        f.task_submitted = true;  // a worker took the task
        Emit(f, event_types::kActivityTask.started,
             m.payload.is_object() ? m.payload : json::Value::EmptyObject());
      }
      return;
    }
    case Message::Kind::kHeartbeat:
      if (f.heartbeat_seconds) {
        CancelTimer(&f.heartbeat_timer);
        ArmTimer(f, TimerKind::kHeartbeat, Now() + *f.heartbeat_seconds * 1000, &f.heartbeat_timer);
      }
      return;
    case Message::Kind::kMapRunDone:
      ++f.token;
      OnMapRunDone(f, std::move(*m.outcome));
      return;
    case Message::Kind::kTimer:
      break;
    case Message::Kind::kStop:
    case Message::Kind::kRoute:
      return;
  }
  ++f.token;
  switch (m.timer) {
    case TimerKind::kWait:
      f.delay_timer = 0;
      f.resume_reason = ResumeKind::kWaitDone;
      f.phase = Phase::kResume;
      break;
    case TimerKind::kRetry:
      f.delay_timer = 0;
      f.phase = Phase::kAttempt;
      break;
    case TimerKind::kTaskTimeout:
    case TimerKind::kHeartbeat:
      if (m.timer == TimerKind::kTaskTimeout) {
        f.timeout_timer = 0;
      } else {
        f.heartbeat_timer = 0;
      }
      CancelTimers(f);
      f.resume_reason = m.timer == TimerKind::kTaskTimeout ? ResumeKind::kTaskTimeout
                                                           : ResumeKind::kHeartbeatTimeout;
      f.phase = Phase::kResume;
      break;
    case TimerKind::kExecutionTimeout:
      return;
  }
  MakeReady(f);
}

void Execution::ArmTimer(Frame& f, TimerKind kind, int64_t due_millis, uint64_t* slot) {
  if (replay_ != nullptr) {
    {
      MutexLock lock(&inbox_mu_);
      if (scheduler_ == nullptr) return;
    }
    // Held until the history shows the timer fired (or until the replay is over).
    *slot = kReplayTimerBit | next_replay_timer_++;
    replay_timers_.push_back(ReplayTimer{*slot, due_millis, f.id, f.token, kind});
    return;
  }
  std::weak_ptr<Execution> weak = weak_from_this();
  const uint64_t frame_id = f.id;
  const uint64_t token = f.token;
  std::function<void()> fire = [weak, frame_id, token, kind] {
    if (auto execution = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kTimer;
      m.frame_id = frame_id;
      m.token = token;
      m.timer = kind;
      execution->Deliver(std::move(m));
    }
  };
  // Under the lock: Detach (from another thread) cannot pull the scheduler away meanwhile.
  MutexLock lock(&inbox_mu_);
  if (scheduler_ == nullptr) return;
  *slot = scheduler_->AddTimer(due_millis, std::move(fire));
}

void Execution::CancelTimer(uint64_t* slot) {
  if (*slot == 0) return;
  if ((*slot & kReplayTimerBit) != 0) {
    std::erase_if(replay_timers_, [id = *slot](const ReplayTimer& t) { return t.id == id; });
  } else {
    MutexLock lock(&inbox_mu_);
    if (scheduler_ != nullptr) scheduler_->CancelTimer(*slot);
  }
  *slot = 0;
}

void Execution::CancelTimers(Frame& f) {
  for (Scheduler::TimerId* slot : {&f.delay_timer, &f.timeout_timer, &f.heartbeat_timer}) {
    CancelTimer(slot);
  }
}

void Execution::DispatchTask(TaskRequest& request, uint64_t frame_id, uint64_t token) {
  // In flight from now on, held or not: a virtual clock must not jump past it.
  {
    MutexLock lock(&inbox_mu_);
    ++external_in_flight_;
    if (scheduler_ != nullptr) scheduler_->ExternalStarted();
  }
  if (options_.when_durable) {
    Park(&held_tasks_, request, frame_id, token, 0);
    return;
  }
  DispatchNow(request, frame_id, token);
}

void Execution::DispatchNow(TaskRequest& request, uint64_t frame_id, uint64_t token) {
  std::weak_ptr<Execution> weak = weak_from_this();
  request.heartbeat = [weak, frame_id, token] {
    if (auto execution = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kHeartbeat;
      m.frame_id = frame_id;
      m.token = token;
      execution->Deliver(std::move(m));
    }
  };
  request.submitted = [weak, frame_id, token](json::Value v) {
    if (auto execution = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kSubmitted;
      m.frame_id = frame_id;
      m.token = token;
      m.payload = std::move(v);
      execution->Deliver(std::move(m));
    }
  };
  tasks_->Start(request, [weak, frame_id, token](TaskOutcome outcome) {
    if (auto execution = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kTaskDone;
      m.frame_id = frame_id;
      m.token = token;
      m.outcome.emplace(std::move(outcome));
      execution->Deliver(std::move(m));
    }
  });
}

void Execution::Park(std::vector<ParkedTask>* list, const TaskRequest& request, uint64_t frame_id,
                     uint64_t token, int64_t started_event) {
  ParkedTask& parked =
      list->emplace_back(ParkedTask{request, *request.context, frame_id, token, started_event});
  parked.request.context = nullptr;
}

// Runs on the thread that finished Run: hands the held tasks to when_durable, which dispatches
// them (on the store's thread) once their events are committed.
void Execution::ReleaseHeldTasks() {
  auto held = std::make_shared<std::vector<ParkedTask>>(std::move(held_tasks_));
  held_tasks_.clear();
  std::weak_ptr<Execution> weak = weak_from_this();
  options_.when_durable([weak, held] {
    auto execution = weak.lock();
    if (!execution || execution->finished()) return;
    for (ParkedTask& parked : *held) {
      parked.request.context = &parked.context;
      execution->DispatchNow(parked.request, parked.frame_id, parked.token);
    }
  });
}

}  // namespace stator::engine
