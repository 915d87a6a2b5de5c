// Execution: crash resume (ExecutionOptions::replay) — re-running from the input against the
// stored history, then going live.

#include <string>
#include <utility>
#include <vector>

#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"

namespace stator::engine {

bool Execution::ReplayEvent(int64_t id, std::string_view type) {
  const HistoryEvent& recorded = (*replay_)[id - 1];
  if (recorded.type != type) {
    FailResume("event " + std::to_string(id) + " was " + std::string(recorded.type) +
               ", the re-run recorded " + std::string(type));
    return false;
  }
  replay_now_ = recorded.timestamp_millis;
  if (id == replayed_events_) {
    replay_.reset();  // what follows is live
    GoLive();
  }
  return true;
}

namespace {

// The outcome a recorded task event (…Succeeded, …Failed, …TimedOut) reports; for TaskSubmitted,
// the output it reported.
TaskOutcome RecordedOutcome(const HistoryEvent& event) {
  auto text = [&](const char* key) -> std::string {
    const json::Value* v = event.details.is_object() ? event.details.Find(key) : nullptr;
    return v != nullptr && v->is_string() ? v->as_string() : std::string();
  };
  if (event.type.ends_with("Succeeded") || event.type == event_types::kTaskSubmitted.type) {
    const json::Value* out = event.details.is_object() ? event.details.Find("output") : nullptr;
    if (out == nullptr || !out->is_string()) return json::Value();
    Result<json::Value> parsed = json::Parse(out->as_string());
    if (!parsed.ok()) return json::Value::String(out->as_string());
    return std::move(parsed).value();
  }
  return Error{text("error"), text("cause")};
}

}  // namespace

bool Execution::ReplayNextInput() {
  const HistoryEvent& next = (*replay_)[next_event_id_ - 1];
  if (next.type == event_types::kExecutionTimedOut.type) {
    Message m;
    m.kind = Message::Kind::kTimer;
    m.timer = TimerKind::kExecutionTimeout;
    HandleMessage(m);
    return true;
  }
  if (ReplayMapRunOutcome(next)) return true;
  // A task's outcome: the next event follows the task's Started event.
  for (size_t i = 0; i < replay_tasks_.size(); ++i) {
    if (replay_tasks_[i].started_event != next.previous_event_id) continue;
    const uint64_t frame_id = replay_tasks_[i].frame_id;
    const uint64_t token = replay_tasks_[i].token;
    const bool activity_started = next.type == event_types::kActivityTask.started.type;
    if (next.type == event_types::kTaskSubmitted.type || activity_started) {
      // Not an outcome: the task runs on, and its outcome follows this event.
      replay_tasks_[i].started_event = next_event_id_;
      Message m;
      m.kind = Message::Kind::kSubmitted;
      m.frame_id = frame_id;
      m.token = token;
      Result<json::Value> output =
          activity_started ? Result<json::Value>(next.details) : RecordedOutcome(next);
      m.payload = output.ok() ? std::move(output).value() : json::Value();
      HandleMessage(m);
      return true;
    }
    replay_tasks_.erase(replay_tasks_.begin() + static_cast<std::ptrdiff_t>(i));
    auto it = live_.find(frame_id);
    Frame* f = it == live_.end() ? nullptr : it->second;
    if (next.type.ends_with("TimedOut") && f != nullptr) {
      // The task's TimeoutSeconds or HeartbeatSeconds timer fired.
      const json::Value* error = next.details.is_object() ? next.details.Find("error") : nullptr;
      const bool heartbeat =
          error != nullptr && error->is_string() && error->as_string() == kStatesHeartbeatTimeout;
      const uint64_t slot = heartbeat ? f->heartbeat_timer : f->timeout_timer;
      if (slot != 0) {
        std::erase_if(replay_timers_, [slot](const ReplayTimer& t) { return t.id == slot; });
        Message m;
        m.kind = Message::Kind::kTimer;
        m.frame_id = frame_id;
        m.token = token;
        m.timer = heartbeat ? TimerKind::kHeartbeat : TimerKind::kTaskTimeout;
        HandleMessage(m);
        return true;
      }
    }
    Message m;
    m.kind = Message::Kind::kTaskDone;
    m.frame_id = frame_id;
    m.token = token;
    m.outcome.emplace(RecordedOutcome(next));
    HandleMessage(m);
    return true;
  }
  // A Wait or a retry back-off that ended: the one of the frame the next event continues, else
  // the one due first (how the scheduler fires them).
  const ReplayTimer* pick = nullptr;
  for (const ReplayTimer& t : replay_timers_) {
    if (t.kind != TimerKind::kWait && t.kind != TimerKind::kRetry) continue;
    auto it = live_.find(t.frame_id);
    if (it != live_.end() && it->second->last_event == next.previous_event_id) {
      pick = &t;
      break;
    }
    if (pick == nullptr || t.due < pick->due || (t.due == pick->due && t.id < pick->id)) pick = &t;
  }
  if (pick == nullptr) return false;
  Message m;
  m.kind = Message::Kind::kTimer;
  m.frame_id = pick->frame_id;
  m.token = pick->token;
  m.timer = pick->kind;
  const uint64_t id = pick->id;
  std::erase_if(replay_timers_, [id](const ReplayTimer& t) { return t.id == id; });
  HandleMessage(m);
  return true;
}

void Execution::GoLive() {
  std::vector<ReplayTimer> timers = std::move(replay_timers_);
  std::vector<ParkedTask> tasks = std::move(replay_tasks_);
  replay_timers_.clear();
  replay_tasks_.clear();
  for (const ReplayTimer& timer : timers) {
    auto it = live_.find(timer.frame_id);
    if (it == live_.end() || it->second->token != timer.token) continue;
    Frame& f = *it->second;
    for (Scheduler::TimerId* slot : {&f.delay_timer, &f.timeout_timer, &f.heartbeat_timer}) {
      if (*slot == timer.id) ArmTimer(f, timer.kind, timer.due, slot);
    }
  }
  for (ParkedTask& task : tasks) {
    auto it = live_.find(task.frame_id);
    if (it == live_.end() || it->second->token != task.token ||
        it->second->phase != Phase::kBlocked) {
      continue;
    }
    // In flight when the server stopped: its outcome was never recorded, so it runs again
    // (at least once, as AWS runs a task whose worker was lost).
    task.request.context = &task.context;
    task.request.already_submitted = it->second->task_submitted;
    DispatchTask(task.request, task.frame_id, task.token);
  }
  // Distributed Map Runs whose end was not recorded: the runner picks them up where they stand.
  std::vector<ParkedMapRun> runs = std::move(replay_map_runs_);
  replay_map_runs_.clear();
  for (ParkedMapRun& run : runs) {
    auto it = live_.find(run.frame_id);
    if (it == live_.end() || it->second->token != run.token ||
        it->second->phase != Phase::kBlocked) {
      continue;
    }
    DispatchMapRun(run.frame_id, run.token, std::move(run.request));
  }
}

void Execution::FailResume(const std::string& why) {
  replay_.reset();
  recorded_clock_ = false;
  replay_timers_.clear();
  replay_tasks_.clear();
  replay_map_runs_.clear();
  next_event_id_ = replayed_events_ + 1;
  const std::string cause = "The execution could not be resumed after a restart: " + why + ".";
  FinishExecution(ExecutionStatus::kFailed, history::ErrorCause(std::string(kStatesRuntime), cause),
                  replayed_events_, std::nullopt, std::string(kStatesRuntime), cause);
}

}  // namespace stator::engine
