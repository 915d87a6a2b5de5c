// Execution: the Task state — an attempt hands a request to the TaskRunner; its outcome or
// timeout comes back through the inbox.

#include <optional>
#include <utility>

#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"
#include "engine/payload_io.h"

namespace stator::engine {

namespace {

// A failed task's details: TaskFailed/TaskTimedOut name the resource, the others do not.
json::Value TaskErrorDetails(const TaskResource& resource, const Error& e) {
  return resource.kind == TaskResource::Kind::kService
             ? history::TaskError(resource, e.error, e.cause)
             : history::ErrorCause(e.error, e.cause);
}

}  // namespace

void Execution::RunTaskAttempt(Frame& f) {
  const asl::State& st = f.st();
  const StatePlan& sp = f.sp();
  const TaskResource& res = sp.resource;
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  json::Value params = std::move(eff).value();
  if (st.parameters) {
    Result<json::Value> p = st.parameters->Evaluate(params, ctx);
    if (!p.ok()) return StateFailed(f, std::move(p).error());
    params = std::move(p).value();
  }
  if (!CheckSize(f, params, true)) return;
  std::optional<int64_t> timeout;
  std::optional<int64_t> heartbeat;
  if (st.timeout_seconds.present()) {
    Result<int64_t> t = ResolveInt(f, st.timeout_seconds, params, "TimeoutSecondsPath", 1);
    if (!t.ok()) return RaiseRuntime(f, std::move(t).error());
    timeout = *t;
  }
  if (st.heartbeat_seconds.present()) {
    Result<int64_t> h = ResolveInt(f, st.heartbeat_seconds, params, "HeartbeatSecondsPath", 1);
    if (!h.ok()) return RaiseRuntime(f, std::move(h).error());
    heartbeat = *h;
  }
  f.heartbeat_seconds = heartbeat;
  f.task_token.clear();
  f.task_submitted = false;
  if (res.pattern == TaskResource::Pattern::kWaitForTaskToken) {
    f.task_token = NewUuid() + NewUuid();
    f.context.reset();
  }
  const event_types::TaskEventTypes& events = event_types::TaskEvents(res.kind);
  json::Value scheduled_details;
  switch (res.kind) {
    case TaskResource::Kind::kService:
      scheduled_details = history::TaskScheduled(
          res, res.region.empty() ? options_.region : res.region, params, timeout, heartbeat);
      break;
    case TaskResource::Kind::kLambdaFunction:
      scheduled_details = history::LambdaScheduled(st.resource, params, timeout);
      break;
    case TaskResource::Kind::kActivity:
      scheduled_details = history::ActivityScheduled(st.resource, params, timeout, heartbeat);
      break;
  }
  const int64_t scheduled = Emit(f, events.scheduled, std::move(scheduled_details));
  Emit(f, events.started,
       res.kind == TaskResource::Kind::kService ? history::TaskStarted(res) : json::Value());
  if (finished()) return;
  f.phase = Phase::kBlocked;
  const int64_t now = Now();
  if (timeout) ArmTimer(f, TimerKind::kTaskTimeout, now + *timeout * 1000, &f.timeout_timer);
  if (heartbeat) ArmTimer(f, TimerKind::kHeartbeat, now + *heartbeat * 1000, &f.heartbeat_timer);

  TaskRequest req;
  req.state_name = st.name;
  req.resource = st.resource;
  req.parameters = params;
  req.timeout_seconds = timeout;
  req.heartbeat_seconds = heartbeat;
  req.context = &ctx.Get();
  req.execution_arn = execution_arn_;
  req.scheduled_event_id = scheduled;
  req.task_token = f.task_token;
  if (replay_ != nullptr) {
    // Its outcome comes from the history, or, if it was in flight, it runs once live.
    Park(&replay_tasks_, req, f.id, f.token, f.last_event);
    return;
  }
  DispatchTask(req, f.id, f.token);
}

void Execution::OnTaskOutcome(Frame& f, TaskOutcome outcome) {
  const TaskResource& res = f.sp().resource;
  if (outcome.ok()) {
    json::Value value = std::move(outcome).value();
    Emit(f, event_types::TaskEvents(res.kind).succeeded,
         res.kind == TaskResource::Kind::kService ? history::TaskSucceeded(res, value)
                                                  : history::Output(value));
    if (!CheckSize(f, value, false)) return;
    return FinishWithResult(f, std::move(value));
  }
  Error e = std::move(outcome).error();
  if (e.error == kStatesTimeout || e.error == kStatesHeartbeatTimeout) {
    // The runner enforced TimeoutSeconds / HeartbeatSeconds itself: a timeout all the same.
    return OnTaskTimeout(f, std::move(e));
  }
  Emit(f, event_types::TaskEvents(res.kind).failed, TaskErrorDetails(res, e));
  StateFailed(f, std::move(e));
}

void Execution::OnTaskTimeout(Frame& f, Error e) {
  const TaskResource& res = f.sp().resource;
  Emit(f, event_types::TaskEvents(res.kind).timed_out, TaskErrorDetails(res, e));
  StateFailed(f, std::move(e));
}

}  // namespace stator::engine
