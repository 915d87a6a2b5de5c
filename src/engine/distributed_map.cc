// Execution: distributed Map states run by ExecutionOptions::map_runner (distributed_map.h) —
// the Map Run handed to the runner, held until its events are durable, parked while replaying,
// its outcome resuming the Map state, and aborted with the state or the execution.

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/error_policy.h"
#include "engine/executor_internal.h"

namespace stator::engine {

void Execution::StartMapRun(Frame& f, const std::string& map_run_arn) {
  ChildGroup& children = *f.children;
  const asl::State& state = f.current_state();
  MapRunRequest r;
  r.map_run_arn = map_run_arn;
  r.execution_arn = execution_arn_;
  r.state_machine_name = options_.state_machine_name;
  r.role_arn = role_arn_;
  r.state_name = state.name;
  r.label = state.label;
  r.express = state.express_children;
  r.definition = state.item_processor;
  r.max_concurrency = children.max_concurrency;
  r.tolerated_failure_count = children.tolerated_count;
  r.tolerated_failure_percentage = children.tolerated_percent;
  r.result_writer = state.result_writer;
  if (state.result_writer_parameters) {
    // Its Parameters evaluated against the state's input ("Bucket.$": "$.bucket").
    FrameContext context(this, &f);
    Result<json::Value> parameters =
        state.result_writer_parameters->Evaluate(f.effective_input, context);
    if (!parameters.ok()) {
      return FailMapBeforeChildren(f, std::move(parameters).error());
    }
    json::Object writer;
    for (const auto& [key, value] : state.result_writer.as_object()) {
      writer.emplace_back(key, key == "Parameters" ? parameters.value() : value);
    }
    r.result_writer = json::Value::MakeObject(std::move(writer));
  }
  if (!children.batch_inputs.empty()) {
    r.inputs = children.batch_inputs;
    for (const json::Value& batch : r.inputs) {
      const json::Value* items = batch.is_object() ? batch.Find("Items") : nullptr;
      r.items_per_input.push_back(items != nullptr && items->is_array()
                                      ? static_cast<int64_t>(items->as_array().size())
                                      : 1);
    }
  } else {
    const json::Array& items = children.items.as_array();
    r.inputs.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      // ItemSelector (JSONPath or JSONata) or the item itself, as for an inline Map.
      Result<json::Value> selected = SelectItem(f, items[i], static_cast<int64_t>(i));
      if (!selected.ok()) {
        // As an inline Map's ItemSelector failure: the Map Run fails, no child starts.
        return FailMapBeforeChildren(f, std::move(selected).error());
      }
      r.inputs.push_back(std::move(selected).value());
      r.items_per_input.push_back(1);
    }
  }
  children.map_run_arn = map_run_arn;
  DispatchMapRun(f.id, f.token, std::move(r));
}

void Execution::FailMapBeforeChildren(Frame& f, Error e) {
  f.children_error = std::move(e);
  if (f.children_error.error == kStatesRuntime) {
    f.children_error.cause = RuntimePrefix(f) + f.children_error.cause;
  }
  f.resume_reason = ResumeKind::kChildFailed;
  f.phase = Phase::kResume;
  MakeReady(f);
}

void Execution::DispatchMapRun(uint64_t frame_id, uint64_t token, MapRunRequest request) {
  auto it = live_.find(frame_id);
  const int64_t started_event = it == live_.end() ? 0 : it->second->last_event;
  if (replay_ != nullptr) {
    // Its end (if recorded) comes from the history: ReplayMapRunOutcome; else GoLive.
    replay_map_runs_.push_back(ParkedMapRun{frame_id, token, started_event, std::move(request)});
    return;
  }
  running_map_runs_.push_back(request.map_run_arn);
  // Outside the scheduler until the runner has it (held or not): a virtual clock must not jump
  // past the hand-over. The runner announces its own work (DistributedMapRunner::Start).
  {
    MutexLock lock(&inbox_mu_);
    ++external_in_flight_;
    if (scheduler_ != nullptr) scheduler_->ExternalStarted();
  }
  ParkedMapRun run{frame_id, token, started_event, std::move(request)};
  if (options_.when_durable) {
    held_map_runs_.push_back(std::move(run));
    return;
  }
  HandOverMapRun(run);
}

void Execution::HandOverMapRun(ParkedMapRun& run) {
  std::weak_ptr<Execution> weak = weak_from_this();
  const uint64_t frame_id = run.frame_id;
  const uint64_t token = run.token;
  options_.map_runner->Start(std::move(run.request),
                             [weak, frame_id, token](Result<json::Value> outcome) {
                               if (auto execution = weak.lock()) {
                                 Message m;
                                 m.kind = Message::Kind::kMapRunDone;
                                 m.frame_id = frame_id;
                                 m.token = token;
                                 m.outcome.emplace(std::move(outcome));
                                 execution->Deliver(std::move(m));
                               }
                             });
  MutexLock lock(&inbox_mu_);
  EndExternalLocked();
}

// Runs on the thread that finished Run, after the history sink got MapRunStarted: the runner
// starts the Map Run once that is committed.
void Execution::ReleaseHeldMapRuns() {
  auto held = std::make_shared<std::vector<ParkedMapRun>>(std::move(held_map_runs_));
  held_map_runs_.clear();
  std::weak_ptr<Execution> weak = weak_from_this();
  options_.when_durable([weak, held] {
    auto execution = weak.lock();
    if (!execution) return;
    for (ParkedMapRun& run : *held) {
      if (!execution->finished()) {
        execution->HandOverMapRun(run);
      } else {
        MutexLock lock(&execution->inbox_mu_);
        execution->EndExternalLocked();
      }
    }
  });
}

void Execution::OnMapRunDone(Frame& f, Result<json::Value> outcome) {
  if (!f.children) return;
  ChildGroup& children = *f.children;
  std::erase(running_map_runs_, children.map_run_arn);
  children.map_run_arn.clear();
  if (outcome.ok()) {
    children.run_output = std::move(outcome).value();
    f.resume_reason = ResumeKind::kChildrenDone;
  } else {
    f.children_error = std::move(outcome).error();
    f.resume_reason = ResumeKind::kChildFailed;
  }
  f.phase = Phase::kResume;
  MakeReady(f);
}

bool Execution::ReplayMapRunOutcome(const HistoryEvent& next) {
  const bool succeeded = next.type == event_types::kMapRun.succeeded.type;
  if (!succeeded && next.type != event_types::kMapRun.failed.type) return false;
  auto run = std::find_if(
      replay_map_runs_.begin(), replay_map_runs_.end(),
      [&](const ParkedMapRun& r) { return r.started_event == next.previous_event_id; });
  if (run == replay_map_runs_.end()) return false;
  Message m;
  m.kind = Message::Kind::kMapRunDone;
  m.frame_id = run->frame_id;
  m.token = run->token;
  if (succeeded) {
    std::optional<json::Value> results = options_.map_runner->Recorded(run->request.map_run_arn);
    if (!results) {
      FailResume("the results of Map Run " + run->request.map_run_arn + " were not kept");
      return true;
    }
    m.outcome.emplace(std::move(*results));
  } else {
    auto text = [&](const char* key) -> std::string {
      const json::Value* v = next.details.is_object() ? next.details.Find(key) : nullptr;
      return v != nullptr && v->is_string() ? v->as_string() : std::string();
    };
    m.outcome.emplace(Error{text("error"), text("cause")});
  }
  replay_map_runs_.erase(run);
  HandleMessage(m);
  return true;
}

void Execution::AbortMapRun(ChildGroup& children) {
  std::erase(running_map_runs_, children.map_run_arn);
  if (options_.map_runner != nullptr) options_.map_runner->Abort(children.map_run_arn);
  children.map_run_arn.clear();
}

void Execution::AbortMapRuns() {
  for (size_t i = 0; i < held_map_runs_.size(); ++i) {
    MutexLock lock(&inbox_mu_);
    EndExternalLocked();
  }
  held_map_runs_.clear();
  std::vector<std::string> running = std::move(running_map_runs_);
  running_map_runs_.clear();
  if (options_.map_runner == nullptr) return;
  for (const std::string& arn : running) options_.map_runner->Abort(arn);
}

}  // namespace stator::engine
