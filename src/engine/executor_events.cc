// Execution: recording history events (and the last one, which ends the execution).

#include <string>
#include <utility>

#include "common/mutex.h"
#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"

namespace stator::engine {

int64_t Execution::Emit(Frame& f, const EventType& type, json::Value details, bool update_tracker) {
  const int64_t id = EmitWithPrev(f, f.last_event, type, std::move(details));
  if (update_tracker && id != 0) f.last_event = id;
  return id;
}

int64_t Execution::EmitCompact(Frame& f, int64_t prev, const EventType& type,
                               HistoryEvent::Compact form, json::Value payload) {
  HistoryEvent* e = nullptr;
  const int64_t id = EmitWithPrev(f, prev, type, json::Value(), &e);
  if (e != nullptr) {
    e->compact = form;
    e->state_name = f.state_plan().name;
    e->payload = std::move(payload);
  }
  return id;
}

int64_t Execution::EmitState(Frame& f, const EventType& type, HistoryEvent::Compact form,
                             const json::Value& payload) {
  const int64_t id = EmitCompact(f, f.last_event, type, form, payload);
  if (id != 0) f.last_event = id;
  return id;
}

int64_t Execution::EmitWithPrev(Frame& f, int64_t prev, const EventType& type, json::Value details,
                                HistoryEvent** recorded) {
  if (recorded != nullptr) *recorded = nullptr;
  if (!f.records_history || finished()) return 0;
  if (next_event_id_ >= options_.max_history_events) {
    std::string cause = "The execution reached the maximum number of history events (" +
                        std::to_string(options_.max_history_events) + ").";
    FinishExecution(ExecutionStatus::kFailed,
                    history::ErrorCause(std::string(kStatesRuntime), cause), prev, std::nullopt,
                    std::string(kStatesRuntime), cause);
    return 0;
  }
  const int64_t id = next_event_id_++;
  if (replay_ != nullptr) {
    if (!ReplayEvent(id, type.type)) return 0;
    if (next_redrive_ < options_.redrives.size()) MaybeRedrive(id);
    return id;
  }
  if (options_.keep_history) {
    HistoryEvent& e = events_.emplace_back();
    e.id = id;
    e.previous_event_id = prev;
    e.timestamp_millis = Now();
    e.type = type.type;
    e.details_key = type.details_key;
    e.details = std::move(details);
    if (recorded != nullptr) *recorded = &e;
  }
  if (next_redrive_ < options_.redrives.size()) MaybeRedrive(id);
  return id;
}

void Execution::MaybeRedrive(int64_t id) {
  const ExecutionOptions::RedriveCut cut = options_.redrives[next_redrive_];
  if (id != cut.after || top_ == nullptr) return;
  ++next_redrive_;
  next_event_id_ = cut.at;
  if (replay_ != nullptr && cut.at > replayed_events_) {
    // The redrive being started: what follows is live.
    replay_.reset();
    GoLive();
    recorded_clock_ = false;
  }
  context_execution_ = json::Value();  // $$.Execution.RedriveCount changes
  const int64_t count = static_cast<int64_t>(next_redrive_);
  EmitWithPrev(*top_, cut.at - 1, event_types::kExecutionRedriven,
               json::Value::MakeObject({{"redriveCount", json::Value::Int(count)}}));
  if (machine_->timeout_seconds) ArmExecutionTimeout(Now() + *machine_->timeout_seconds * 1000);
}

void Execution::FinishExecution(ExecutionStatus status, json::Value details, int64_t prev,
                                std::optional<json::Value> output, std::optional<std::string> error,
                                std::optional<std::string> cause) {
  if (finished()) return;
  AbortMapRuns();  // child executions of a distributed Map still running
  const EventType& type = event_types::ExecutionEnded(status);
  const int64_t id = next_event_id_++;
  if (replay_ != nullptr && !ReplayEvent(id, type.type)) return;
  const int64_t now = id <= replayed_events_ ? replay_now_ : Now();
  if (options_.keep_history && id > replayed_events_) {
    HistoryEvent& e = events_.emplace_back();
    e.id = id;
    e.previous_event_id = prev;
    e.timestamp_millis = now;
    e.type = type.type;
    e.details_key = type.details_key;
    e.details = std::move(details);
  }
  result_.status = status;
  result_.output = std::move(output);
  if (error && !error->empty()) result_.error = std::move(error);
  if (cause && !cause->empty()) result_.cause = std::move(cause);
  result_.stop_millis = now;
  // Drop every timer; late task completions are ignored.
  if (timeout_timer_ != 0) {
    MutexLock lock(&inbox_mu_);
    if (scheduler_ != nullptr) scheduler_->CancelTimer(timeout_timer_);
  }
  for (auto& [id_, f] : live_) CancelTimers(*f);
  ready_.clear();
  finished_.store(true, std::memory_order_release);
  FlushHistory();
  if (options_.on_ended) options_.on_ended(execution_arn_);
  if (on_finished_) on_finished_();
}

void Execution::FlushHistory() {
  if (!options_.history_sink || events_.empty()) return;
  options_.history_sink(events_.TakeVector());
}

}  // namespace stator::engine
