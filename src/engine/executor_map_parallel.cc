// Execution: Parallel and Map states — their children (branches, iterations), MaxConcurrency,
// ItemBatcher, tolerated failures, and aborting children.

#include <cstdint>
#include <memory>
#include <utility>

#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"
#include "engine/payload_io.h"

namespace stator::engine {

using asl::StateType;

void Execution::RunParallelAttempt(Frame& f) {
  const asl::State& st = f.st();
  const StatePlan& sp = f.sp();
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  json::Value input = std::move(eff).value();
  if (st.parameters) {
    Result<json::Value> p = st.parameters->Evaluate(input, ctx);
    if (!p.ok()) return StateFailed(f, std::move(p).error());
    input = std::move(p).value();
  }
  const int64_t started = Emit(f, event_types::kParallelState.started, json::Value());
  if (finished()) return;
  auto g = std::make_unique<ChildGroup>();
  g->total = sp.branches.size();
  g->results.resize(g->total);
  g->frames.resize(g->total);
  g->started_event = started;
  g->last = f.last_event;
  f.phase = Phase::kBlocked;
  for (size_t b = 0; b < g->total; ++b) {
    g->frames[b] = NewFrame(sp.branches[b], &f, input, f.last_event, f.record);
    g->frames[b]->child_index = b;
    ++g->running;
    MakeReady(*g->frames[b]);
  }
  f.group = std::move(g);
  if (f.group->total == 0) {
    f.resume = ResumeKind::kChildrenDone;
    f.phase = Phase::kResume;
  }
}

void Execution::RunMapAttempt(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  Result<json::Value> eff_r = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff_r.ok()) return RaiseRuntime(f, std::move(eff_r).error());
  json::Value eff = std::move(eff_r).value();
  json::Value items = eff;
  if (st.items_path && !(st.items_path->is_root() && !st.items_path->is_context())) {
    std::optional<json::Value> v = EvaluatePath(*st.items_path, eff, ctx);
    if (!v) return RaiseRuntime(f, NoResultsForPath(st.items_path->text()));
    items = std::move(*v);
  }
  if (!items.is_array()) {
    return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                 "Map state input must be an array but was: " + items.Dump()});
  }
  auto g = std::make_unique<ChildGroup>();
  g->is_map = true;
  g->distributed = st.distributed;
  if (st.max_concurrency.present()) {
    Result<int64_t> mc = ResolveInt(f, st.max_concurrency, eff, "MaxConcurrencyPath", 0);
    if (!mc.ok()) return RaiseRuntime(f, std::move(mc).error());
    g->max_concurrency = *mc;
  }
  if (st.tolerated_failure_count.present()) {
    Result<int64_t> c =
        ResolveInt(f, st.tolerated_failure_count, eff, "ToleratedFailureCountPath", 0);
    if (!c.ok()) return RaiseRuntime(f, std::move(c).error());
    g->tolerance = true;
    g->tolerated_count = *c;
    g->tolerated_percentage = 100;
  }
  if (st.tolerated_failure_percentage.present()) {
    double pct = 0;
    if (st.tolerated_failure_percentage.value) {
      pct = *st.tolerated_failure_percentage.value;
    } else {
      const asl::JsonPath& p = *st.tolerated_failure_percentage.path;
      std::optional<json::Value> v = EvaluatePath(p, eff, ctx);
      if (!v) return RaiseRuntime(f, NoResultsForPath(p.text()));
      std::optional<double> n = NumberValue(*v);
      if (!n || *n < 0 || *n > 100) {
        return RaiseRuntime(
            f, Error{std::string(kStatesRuntime),
                     "The ToleratedFailurePercentagePath field refers to value \"" +
                         MessageText(*v) + "\" which is not a valid percentage: " + p.text()});
      }
      pct = *n;
    }
    if (!g->tolerance) g->tolerated_count = INT64_MAX;
    g->tolerance = true;
    g->tolerated_percentage = pct;
  }
  if (g->distributed && !g->tolerance) {
    g->tolerance = true;
    g->tolerated_count = 0;
    g->tolerated_percentage = 0;
  }
  const json::Array& arr = items.as_array();
  if (st.item_batcher) {
    // Items pass through the ItemSelector first, then go into batches:
    // {"BatchInput": ..., "Items": [...]}.
    const asl::ItemBatcher& b = *st.item_batcher;
    int64_t max_items = INT64_MAX;
    int64_t max_bytes = INT64_MAX;
    if (b.max_items_per_batch.present()) {
      Result<int64_t> r = ResolveInt(f, b.max_items_per_batch, eff, "MaxItemsPerBatchPath", 1);
      if (!r.ok()) return RaiseRuntime(f, std::move(r).error());
      max_items = *r;
    }
    if (b.max_input_bytes_per_batch.present()) {
      Result<int64_t> r =
          ResolveInt(f, b.max_input_bytes_per_batch, eff, "MaxInputBytesPerBatchPath", 1);
      if (!r.ok()) return RaiseRuntime(f, std::move(r).error());
      max_bytes = *r;
    }
    std::optional<json::Value> batch_input;
    if (b.batch_input) {
      Result<json::Value> bi = b.batch_input->Evaluate(eff, ctx);
      if (!bi.ok()) return StateFailed(f, std::move(bi).error());
      batch_input = std::move(bi).value();
    }
    json::Array current;
    int64_t current_bytes = 0;
    auto flush = [&] {
      json::Object o;
      if (batch_input) o.emplace_back("BatchInput", *batch_input);
      o.emplace_back("Items", json::Value::MakeArray(std::move(current)));
      g->inputs.push_back(json::Value::MakeObject(std::move(o)));
      current.clear();
      current_bytes = 0;
    };
    for (size_t i = 0; i < arr.size(); ++i) {
      json::Value item = arr[i];
      if (st.parameters) {
        FrameContext ictx(this, &f, &arr[i], static_cast<int64_t>(i));
        Result<json::Value> sel = st.parameters->Evaluate(eff, ictx);
        if (!sel.ok()) return StateFailed(f, std::move(sel).error());
        item = std::move(sel).value();
      }
      const int64_t bytes = static_cast<int64_t>(JsonSize(item, SIZE_MAX));
      if (!current.empty() && (static_cast<int64_t>(current.size()) >= max_items ||
                               current_bytes + bytes > max_bytes)) {
        flush();
      }
      current.push_back(std::move(item));
      current_bytes += bytes;
    }
    if (!current.empty()) flush();
    g->total = g->inputs.size();
  } else {
    g->total = arr.size();
  }
  g->items = items;
  g->results.resize(g->total);
  g->frames.resize(g->total);
  f.effective = eff;
  const int64_t started = Emit(f, event_types::kMapState.started,
                               history::MapStateStarted(static_cast<int64_t>(arr.size())));
  if (finished()) return;
  g->started_event = started;
  g->last = f.last_event;
  if (g->distributed) {
    std::string label = st.label.empty() ? NewUuid() : st.label;
    std::string arn = "arn:aws:states:" + options_.region + ":" + options_.account +
                      ":mapRun:" + options_.state_machine_name + "/" + label + ":" + NewUuid();
    Emit(f, event_types::kMapRun.started, history::MapRunStarted(arn));
    g->last = f.last_event;
  }
  f.group = std::move(g);
  f.phase = Phase::kBlocked;
  if (f.group->total == 0) {
    f.resume = ResumeKind::kChildrenDone;
    f.phase = Phase::kResume;
    return;
  }
  LaunchIterations(f);
}

void Execution::LaunchIterations(Frame& owner) {
  ChildGroup& g = *owner.group;
  const asl::State& st = owner.st();
  const StatePlan& sp = owner.sp();
  while (g.next < g.total &&
         (g.max_concurrency == 0 || static_cast<int64_t>(g.running) < g.max_concurrency)) {
    const size_t i = g.next++;
    json::Value input;
    if (!g.inputs.empty()) {
      input = g.inputs[i];
    } else {
      const json::Value& item = g.items.as_array()[i];
      if (st.parameters) {
        FrameContext ictx(this, &owner, &item, static_cast<int64_t>(i));
        Result<json::Value> sel = st.parameters->Evaluate(owner.effective, ictx);
        if (!sel.ok()) {
          owner.pending_error = std::move(sel).error();
          if (owner.pending_error.error == kStatesRuntime) {
            owner.pending_error.cause = RuntimePrefix(owner) + owner.pending_error.cause;
          }
          owner.last_event = g.last;
          owner.resume = ResumeKind::kChildFailed;
          owner.phase = Phase::kResume;
          MakeReady(owner);
          g.next = g.total;
          return;
        }
        input = std::move(sel).value();
      } else {
        input = item;
      }
    }
    int64_t prev = g.started_event;
    if (!g.free_slots.empty()) {
      prev = g.free_slots.front();
      g.free_slots.pop_front();
    }
    const bool record = owner.record && !g.distributed;
    int64_t last = prev;
    if (record) {
      const int64_t id = EmitCompact(owner, prev, event_types::kMapIterationStarted,
                                     HistoryEvent::Compact::kMapIteration,
                                     json::Value::Int(static_cast<int64_t>(i)));
      if (id != 0) last = id;
    }
    if (finished()) return;
    g.frames[i] = NewFrame(sp.iterator, &owner, std::move(input), last, record);
    g.frames[i]->child_index = i;
    ++g.running;
    MakeReady(*g.frames[i]);
  }
}

void Execution::OnChildDone(Frame& child) {
  Frame& p = *child.parent;
  ChildGroup& g = *p.group;
  const size_t i = child.child_index;
  const bool inline_map = g.is_map && !g.distributed && p.record;
  --g.running;
  ++g.done;
  std::unique_ptr<Frame> holder = std::move(g.frames[i]);  // destroyed on return
  live_.erase(child.id);
  if (child.ok) {
    g.results[i] = std::move(child.output);
    if (inline_map) {
      const int64_t id = EmitCompact(p, child.last_event, event_types::kMapIterationSucceeded,
                                     HistoryEvent::Compact::kMapIteration,
                                     json::Value::Int(static_cast<int64_t>(i)));
      if (id != 0) g.last = id;
      g.free_slots.push_back(child.last_event);
    } else if (!g.is_map) {
      g.last = child.last_event;
    }
  } else {
    if (inline_map) {
      EmitCompact(p, child.last_event, event_types::kMapIterationFailed,
                  HistoryEvent::Compact::kMapIteration, json::Value::Int(static_cast<int64_t>(i)));
    }
    ++g.failed;
    bool tolerated = false;
    if (g.is_map && g.tolerance && !IsTerminalError(child.error.error)) {
      const double pct = 100.0 * static_cast<double>(g.failed) / static_cast<double>(g.total);
      tolerated =
          static_cast<int64_t>(g.failed) <= g.tolerated_count && pct <= g.tolerated_percentage;
    }
    if (tolerated) {
      g.results[i] = ErrorOutput(child.error);
      g.free_slots.push_back(child.last_event);
    } else {
      Error e = child.error;
      if (g.is_map && g.tolerance && !IsTerminalError(e.error)) {
        e = Error{std::string(kStatesExceedToleratedFailureThreshold),
                  "The specified tolerated failure threshold was exceeded"};
      }
      if (child.last_event != 0) p.last_event = child.last_event;
      p.pending_error = std::move(e);
      p.resume = ResumeKind::kChildFailed;
      p.phase = Phase::kResume;
      g.next = g.total;  // launch nothing more
      MakeReady(p);
      return;
    }
  }
  if (finished()) return;
  if (g.is_map) LaunchIterations(p);
  if (g.done == g.total && p.phase == Phase::kBlocked) {
    p.resume = ResumeKind::kChildrenDone;
    p.phase = Phase::kResume;
    MakeReady(p);
  }
}

void Execution::FinishChildren(Frame& f) {
  std::unique_ptr<ChildGroup> g = std::move(f.group);
  f.last_event = g->last;
  if (g->is_map && g->distributed) Emit(f, event_types::kMapRun.succeeded, json::Value());
  Emit(f, event_types::ChildrenEvents(g->is_map).succeeded, json::Value(),
       /*update_tracker=*/false);
  if (finished()) return;
  json::Value result = json::Value::MakeArray(std::move(g->results));
  FinishWithResult(f, std::move(result));
}

void Execution::AbortChildren(Frame& owner) {
  if (!owner.group) return;
  ChildGroup& g = *owner.group;
  const bool inline_map = g.is_map && !g.distributed && owner.record;
  for (size_t i = 0; i < g.frames.size(); ++i) {
    if (!g.frames[i]) continue;
    Frame& child = *g.frames[i];
    AbortFrame(child);
    if (inline_map) {
      EmitCompact(owner, child.last_event, event_types::kMapIterationAborted,
                  HistoryEvent::Compact::kMapIteration, json::Value::Int(static_cast<int64_t>(i)));
    }
    g.frames[i].reset();
  }
  g.running = 0;
}

void Execution::AbortFrame(Frame& f) {
  if (f.group) {
    AbortChildren(f);
    f.group.reset();
  }
  if (f.phase == Phase::kBlocked || f.phase == Phase::kResume) {
    const StateType t = f.st().type;
    if (t == StateType::kTask || t == StateType::kWait || t == StateType::kMap ||
        t == StateType::kParallel) {
      Emit(f, f.sp().aborted, json::Value());
    }
  }
  CancelTimers(f);
  ++f.token;
  f.phase = Phase::kDone;
  live_.erase(f.id);
}

}  // namespace stator::engine
