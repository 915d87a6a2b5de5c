// Execution: Parallel and Map states — their children (branches, iterations), MaxConcurrency,
// ItemBatcher, tolerated failures, and aborting children.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"
#include "engine/map_policy.h"
#include "engine/payload_io.h"

namespace stator::engine {

using asl::StateType;

void Execution::RunParallelAttempt(Frame& f) {
  const asl::State& state = f.current_state();
  const StatePlan& state_plan = f.state_plan();
  FrameContext context(this, &f);
  std::optional<json::Value> effective_input = EffectiveInput(f, context);
  if (!effective_input) return;
  json::Value input = std::move(effective_input).value();
  if (state.parameters) {
    Result<json::Value> parameters = state.parameters->Evaluate(input, context);
    if (!parameters.ok()) return StateFailed(f, std::move(parameters).error());
    input = std::move(parameters).value();
  }
  if (state.arguments && !EvaluateArguments(f, &input)) return;
  const int64_t started = Emit(f, event_types::kParallelState.started, json::Value());
  if (finished()) return;
  auto branches = std::make_unique<ChildGroup>();
  branches->total = state_plan.branches.size();
  branches->results.resize(branches->total);
  branches->frames.resize(branches->total);
  branches->started_event = started;
  branches->last_event = f.last_event;
  f.phase = Phase::kBlocked;
  for (size_t b = 0; b < branches->total; ++b) {
    branches->frames[b] =
        NewFrame(state_plan.branches[b], &f, input, f.last_event, f.records_history);
    branches->frames[b]->child_index = b;
    ++branches->running;
    MakeReady(*branches->frames[b]);
  }
  f.children = std::move(branches);
  if (f.children->total == 0) {
    f.resume_reason = ResumeKind::kChildrenDone;
    f.phase = Phase::kResume;
  }
}

void Execution::RunMapAttempt(Frame& f) {
  const asl::State& state = f.current_state();
  FrameContext context(this, &f);
  std::optional<json::Value> effective_result = EffectiveInput(f, context);
  if (!effective_result) return;
  json::Value effective_input = std::move(effective_result).value();
  json::Value items = effective_input;
  if (state.jsonata) {
    std::optional<json::Value> selected = JsonataMapItems(f);
    if (!selected) return;
    items = std::move(*selected);
  } else if (state.items_path &&
             !(state.items_path->is_root() && !state.items_path->is_context())) {
    std::optional<json::Value> v = EvaluatePath(*state.items_path, effective_input, context);
    if (!v) return RaiseRuntime(f, NoResultsForPath(state.items_path->text()));
    items = std::move(*v);
  }
  if (!items.is_array()) {
    return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                 "Map state input must be an array but was: " + items.Dump()});
  }
  auto iterations = std::make_unique<ChildGroup>();
  iterations->is_map = true;
  iterations->distributed = state.distributed;
  if (state.max_concurrency.present()) {
    Result<int64_t> max_concurrency =
        ResolveInt(f, state.max_concurrency, effective_input, "MaxConcurrencyPath", 0);
    if (!max_concurrency.ok()) return RaiseRuntime(f, std::move(max_concurrency).error());
    iterations->max_concurrency = *max_concurrency;
  }
  std::optional<int64_t> tolerated_count;
  if (state.tolerated_failure_count.present()) {
    Result<int64_t> count = ResolveInt(f, state.tolerated_failure_count, effective_input,
                                       "ToleratedFailureCountPath", 0);
    if (!count.ok()) return RaiseRuntime(f, std::move(count).error());
    tolerated_count = *count;
  }
  std::optional<double> tolerated_percent;
  if (state.tolerated_failure_percentage.present()) {
    if (state.tolerated_failure_percentage.value) {
      tolerated_percent = *state.tolerated_failure_percentage.value;
    } else if (state.tolerated_failure_percentage.expr) {
      Result<double> n =
          ResolveJsonataNumber(f, *state.tolerated_failure_percentage.expr, 0, 100, true);
      if (!n.ok()) return RaiseRuntime(f, std::move(n).error());
      tolerated_percent = *n;
    } else {
      const asl::JsonPath& path = *state.tolerated_failure_percentage.path;
      std::optional<json::Value> v = EvaluatePath(path, effective_input, context);
      if (!v) return RaiseRuntime(f, NoResultsForPath(path.text()));
      std::optional<double> n = NumberValue(*v);
      if (!n || *n < 0 || *n > 100) {
        return RaiseRuntime(
            f, Error{std::string(kStatesRuntime),
                     "The ToleratedFailurePercentagePath field refers to value \"" +
                         MessageText(*v) + "\" which is not a valid percentage: " + path.text()});
      }
      tolerated_percent = *n;
    }
  }
  iterations->tolerance =
      MapFailureTolerance::For(tolerated_count, tolerated_percent, iterations->distributed);
  iterations->tolerated_count = tolerated_count;
  iterations->tolerated_percent = tolerated_percent;
  const json::Array& item_array = items.as_array();
  if (state.item_batcher) {
    // Items pass through the ItemSelector first, then go into batches.
    const asl::ItemBatcher& batcher = *state.item_batcher;
    MapBatchLimits limits;
    if (batcher.max_items_per_batch.present()) {
      Result<int64_t> r =
          ResolveInt(f, batcher.max_items_per_batch, effective_input, "MaxItemsPerBatchPath", 1);
      if (!r.ok()) return RaiseRuntime(f, std::move(r).error());
      limits.max_items = *r;
    }
    if (batcher.max_input_bytes_per_batch.present()) {
      Result<int64_t> r = ResolveInt(f, batcher.max_input_bytes_per_batch, effective_input,
                                     "MaxInputBytesPerBatchPath", 1);
      if (!r.ok()) return RaiseRuntime(f, std::move(r).error());
      limits.max_bytes = *r;
    }
    if (batcher.batch_input_jsonata) {
      JsonataView view(this, &f, &f.raw_input);
      Result<json::Value, asl::QueryFailure> v = batcher.batch_input_jsonata->Evaluate(view);
      if (!v.ok()) return StateFailed(f, QueryFailed(f, v.error()));
      limits.batch_input = std::move(v).value();
    } else if (batcher.batch_input) {
      Result<json::Value> batch_input = batcher.batch_input->Evaluate(effective_input, context);
      if (!batch_input.ok()) return StateFailed(f, std::move(batch_input).error());
      limits.batch_input = std::move(batch_input).value();
    }
    f.effective_input = effective_input;  // what a JSONPath ItemSelector reads
    std::vector<json::Value> selected;
    selected.reserve(item_array.size());
    for (size_t i = 0; i < item_array.size(); ++i) {
      Result<json::Value> item = SelectItem(f, item_array[i], static_cast<int64_t>(i));
      if (!item.ok()) return StateFailed(f, std::move(item).error());
      selected.push_back(std::move(item).value());
    }
    iterations->batch_inputs = BatchMapItems(std::move(selected), limits);
    iterations->total = iterations->batch_inputs.size();
  } else {
    iterations->total = item_array.size();
  }
  iterations->items = items;
  iterations->results.resize(iterations->total);
  iterations->frames.resize(iterations->total);
  f.effective_input = effective_input;
  const int64_t started = Emit(f, event_types::kMapState.started,
                               history::MapStateStarted(static_cast<int64_t>(item_array.size())));
  if (finished()) return;
  iterations->started_event = started;
  iterations->last_event = f.last_event;
  std::string map_run_arn;
  if (iterations->distributed) {
    std::string label = state.label.empty() ? NewUuid() : state.label;
    map_run_arn = "arn:aws:states:" + options_.region + ":" + options_.account +
                  ":mapRun:" + options_.state_machine_name + "/" + label + ":" + NewUuid();
    Emit(f, event_types::kMapRun.started, history::MapRunStarted(map_run_arn));
    iterations->last_event = f.last_event;
  }
  f.children = std::move(iterations);
  f.phase = Phase::kBlocked;
  if (f.children->distributed && options_.map_runner != nullptr) {
    return StartMapRun(f, map_run_arn);  // child executions (distributed_map.cc)
  }
  if (f.children->total == 0) {
    f.resume_reason = ResumeKind::kChildrenDone;
    f.phase = Phase::kResume;
    return;
  }
  LaunchIterations(f);
}

void Execution::LaunchIterations(Frame& owner) {
  ChildGroup& children = *owner.children;
  const asl::State& state = owner.current_state();
  const StatePlan& state_plan = owner.state_plan();
  while (children.next_index < children.total &&
         (children.max_concurrency == 0 ||
          static_cast<int64_t>(children.running) < children.max_concurrency)) {
    const size_t i = children.next_index++;
    json::Value input;
    if (!children.batch_inputs.empty()) {
      input = children.batch_inputs[i];
    } else {
      const json::Value& item = children.items.as_array()[i];
      if (state.parameters || state.item_selector) {
        Result<json::Value> selected = SelectItem(owner, item, static_cast<int64_t>(i));
        if (!selected.ok()) {
          owner.last_event = children.last_event;
          children.next_index = children.total;
          return FailMapBeforeChildren(owner, std::move(selected).error());
        }
        input = std::move(selected).value();
      } else {
        input = item;
      }
    }
    int64_t prev = children.started_event;
    if (!children.free_slots.empty()) {
      prev = children.free_slots.front();
      children.free_slots.pop_front();
    }
    const bool record = owner.records_history && !children.distributed;
    int64_t last = prev;
    if (record) {
      const int64_t id = EmitCompact(owner, prev, event_types::kMapIterationStarted,
                                     HistoryEvent::Compact::kMapIteration,
                                     json::Value::Int(static_cast<int64_t>(i)));
      if (id != 0) last = id;
    }
    if (finished()) return;
    children.frames[i] = NewFrame(state_plan.iterator, &owner, std::move(input), last, record);
    children.frames[i]->child_index = i;
    ++children.running;
    MakeReady(*children.frames[i]);
  }
}

void Execution::OnChildDone(Frame& child) {
  Frame& parent = *child.parent;
  ChildGroup& children = *parent.children;
  const size_t i = child.child_index;
  const bool inline_map = children.is_map && !children.distributed && parent.records_history;
  --children.running;
  ++children.finished;
  std::unique_ptr<Frame> holder = std::move(children.frames[i]);  // destroyed on return
  live_.erase(child.id);
  if (child.succeeded) {
    children.results[i] = std::move(child.output);
    if (inline_map) {
      const int64_t id = EmitCompact(parent, child.last_event, event_types::kMapIterationSucceeded,
                                     HistoryEvent::Compact::kMapIteration,
                                     json::Value::Int(static_cast<int64_t>(i)));
      if (id != 0) children.last_event = id;
      children.free_slots.push_back(child.last_event);
    } else if (!children.is_map) {
      children.last_event = child.last_event;
      const asl::KnixState* knix = parent.current_state().knix.get();
      if (knix != nullptr && parent.parent == nullptr && children.finished < children.total &&
          std::binary_search(knix->wait_for_num_branches.begin(), knix->wait_for_num_branches.end(),
                             static_cast<int64_t>(children.finished))) {
        JoinSome(parent);  // WaitForNumBranches
        if (finished()) return;
      }
    }
  } else {
    if (inline_map) {
      EmitCompact(parent, child.last_event, event_types::kMapIterationFailed,
                  HistoryEvent::Compact::kMapIteration, json::Value::Int(static_cast<int64_t>(i)));
    }
    ++children.failed;
    const bool tolerable = children.is_map && !IsTerminalError(child.error.error);
    if (tolerable && children.tolerance.Tolerates(children.failed, children.total)) {
      children.results[i] = ErrorOutput(child.error);
      children.free_slots.push_back(child.last_event);
    } else {
      Error e = child.error;
      if (tolerable && children.tolerance.applies) {
        e = Error{std::string(kStatesExceedToleratedFailureThreshold),
                  "The specified tolerated failure threshold was exceeded"};
      }
      if (child.last_event != 0) parent.last_event = child.last_event;
      parent.children_error = std::move(e);
      parent.resume_reason = ResumeKind::kChildFailed;
      parent.phase = Phase::kResume;
      children.next_index = children.total;  // launch nothing more
      MakeReady(parent);
      return;
    }
  }
  if (finished()) return;
  if (children.is_map) LaunchIterations(parent);
  if (children.finished == children.total && parent.phase == Phase::kBlocked) {
    parent.resume_reason = ResumeKind::kChildrenDone;
    parent.phase = Phase::kResume;
    MakeReady(parent);
  }
}

void Execution::FailChildren(Frame& f) {
  Error e = std::move(f.children_error);
  if (f.children) {
    AbortChildren(f);
    if (f.children->distributed) {
      Emit(f, event_types::kMapRun.failed, history::ErrorCause(e.error, e.cause));
    }
    f.children.reset();
  }
  if (IsTerminalError(e.error)) {
    RaiseRuntime(f, std::move(e));
  } else {
    StateFailed(f, std::move(e));
  }
}

void Execution::FinishChildren(Frame& f) {
  std::unique_ptr<ChildGroup> children = std::move(f.children);
  f.last_event = children->last_event;
  if (JoinsNoMore(f)) {
    // WaitForNumBranches without the branch count: the last join has already gone on.
    f.knix_stopped = true;
    return FrameSucceeded(f, json::Value::Null());
  }
  if (children->is_map && children->distributed)
    Emit(f, event_types::kMapRun.succeeded, json::Value());
  Emit(f, event_types::ChildrenEvents(children->is_map).succeeded, json::Value(),
       /*update_tracker=*/false);
  if (finished()) return;
  json::Value result = children->run_output ? std::move(*children->run_output)
                                            : json::Value::MakeArray(std::move(children->results));
  FinishWithResult(f, std::move(result));
}

void Execution::AbortChildren(Frame& owner) {
  if (!owner.children) return;
  ChildGroup& children = *owner.children;
  const bool inline_map = children.is_map && !children.distributed && owner.records_history;
  if (!children.map_run_arn.empty()) AbortMapRun(children);
  for (size_t i = 0; i < children.frames.size(); ++i) {
    if (!children.frames[i]) continue;
    Frame& child = *children.frames[i];
    AbortFrame(child);
    if (inline_map) {
      EmitCompact(owner, child.last_event, event_types::kMapIterationAborted,
                  HistoryEvent::Compact::kMapIteration, json::Value::Int(static_cast<int64_t>(i)));
    }
    children.frames[i].reset();
  }
  children.running = 0;
}

void Execution::AbortFrame(Frame& f) {
  if (f.children) {
    AbortChildren(f);
    f.children.reset();
  }
  if (f.phase == Phase::kBlocked || f.phase == Phase::kResume) {
    const StateType type = f.current_state().type;
    if (type == StateType::kTask || type == StateType::kWait || type == StateType::kMap ||
        type == StateType::kParallel) {
      Emit(f, f.state_plan().aborted, json::Value());
    }
  }
  CancelTimers(f);
  ++f.token;
  f.phase = Phase::kDone;
  live_.erase(f.id);
}

}  // namespace stator::engine
