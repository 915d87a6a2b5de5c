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
  const asl::State& state = f.current_state();
  const StatePlan& state_plan = f.state_plan();
  const TaskResource& resource = state_plan.resource;
  FrameContext context(this, &f);
  std::optional<json::Value> effective_input = EffectiveInput(f, context);
  if (!effective_input) return;
  json::Value task_input = std::move(effective_input).value();
  // The attempt's task token first: Parameters reads it as $$.Task.Token (.waitForTaskToken).
  // Activities get one too (a worker's GetActivityTask hands it out), outside the context object.
  f.task_token.clear();
  std::string task_token;
  if (resource.pattern == TaskResource::Pattern::kWaitForTaskToken ||
      resource.kind == TaskResource::Kind::kActivity) {
    std::string nonce = NewUuid() + NewUuid();
    task_token = options_.make_task_token ? options_.make_task_token(execution_arn_, nonce)
                                          : std::move(nonce);
    if (resource.pattern == TaskResource::Pattern::kWaitForTaskToken) {
      f.task_token = task_token;
      f.context_object.reset();
    }
  }
  if (state.parameters) {
    Result<json::Value> evaluated = state.parameters->Evaluate(task_input, context);
    if (!evaluated.ok()) return StateFailed(f, std::move(evaluated).error());
    task_input = std::move(evaluated).value();
  }
  if (state.arguments && !EvaluateArguments(f, &task_input)) return;
  if (!CheckSize(f, task_input, true)) return;
  if (resource.kind == TaskResource::Kind::kActivity && replay_ == nullptr &&
      options_.activity_exists && !options_.activity_exists(state.resource)) {
    return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                 "The activity " + state.resource + " does not exist."});
  }
  std::optional<int64_t> timeout;
  std::optional<int64_t> heartbeat;
  if (state.timeout_seconds.present()) {
    Result<int64_t> resolved =
        ResolveInt(f, state.timeout_seconds, task_input, "TimeoutSecondsPath", 1);
    if (!resolved.ok()) return RaiseRuntime(f, std::move(resolved).error());
    timeout = *resolved;
  }
  if (state.heartbeat_seconds.present()) {
    Result<int64_t> resolved =
        ResolveInt(f, state.heartbeat_seconds, task_input, "HeartbeatSecondsPath", 1);
    if (!resolved.ok()) return RaiseRuntime(f, std::move(resolved).error());
    heartbeat = *resolved;
  }
  f.heartbeat_seconds = heartbeat;
  f.task_submitted = false;
  const event_types::TaskEventTypes& events = event_types::TaskEvents(resource.kind);
  json::Value scheduled_details;
  switch (resource.kind) {
    case TaskResource::Kind::kService:
      scheduled_details = history::TaskScheduled(
          resource, resource.region.empty() ? options_.region : resource.region, task_input,
          timeout, heartbeat);
      break;
    case TaskResource::Kind::kLambdaFunction:
      scheduled_details = history::LambdaScheduled(state.resource, task_input, timeout);
      break;
    case TaskResource::Kind::kActivity:
      scheduled_details =
          history::ActivityScheduled(state.resource, task_input, timeout, heartbeat);
      break;
  }
  const int64_t scheduled = Emit(f, events.scheduled, std::move(scheduled_details));
  // An activity's Started is recorded when a worker takes the task (TaskRequest::submitted).
  if (resource.kind != TaskResource::Kind::kActivity) {
    Emit(f, events.started,
         resource.kind == TaskResource::Kind::kService ? history::TaskStarted(resource)
                                                       : json::Value());
  }
  if (finished()) return;
  f.phase = Phase::kBlocked;
  const int64_t now = Now();
  if (timeout) ArmTimer(f, TimerKind::kTaskTimeout, now + *timeout * 1000, &f.timeout_timer);
  if (heartbeat) ArmTimer(f, TimerKind::kHeartbeat, now + *heartbeat * 1000, &f.heartbeat_timer);

  TaskRequest request;
  request.state_name = state.name;
  request.resource = state.resource;
  request.parameters = task_input;
  request.timeout_seconds = timeout;
  request.heartbeat_seconds = heartbeat;
  request.context = &context.Get();
  request.execution_arn = execution_arn_;
  request.scheduled_event_id = scheduled;
  request.task_token = std::move(task_token);
  f.knix_routes.clear();
  if (machine_->knix && f.parent == nullptr) {
    request.knix = state.knix.get();
    SetKnixRoute(request, f.id, f.token);
  }
  if (replay_ != nullptr) {
    // Its outcome comes from the history, or, if it was in flight, it runs once live.
    Park(&replay_tasks_, request, f.id, f.token, f.last_event);
    return;
  }
  DispatchTask(request, f.id, f.token);
}

void Execution::OnTaskOutcome(Frame& f, TaskOutcome outcome) {
  const TaskResource& resource = f.state_plan().resource;
  if (outcome.ok()) {
    json::Value value = std::move(outcome).value();
    Emit(f, event_types::TaskEvents(resource.kind).succeeded,
         resource.kind == TaskResource::Kind::kService ? history::TaskSucceeded(resource, value)
                                                       : history::Output(value));
    if (!CheckSize(f, value, false)) return;
    return FinishWithResult(f, std::move(value));
  }
  Error e = std::move(outcome).error();
  if (e.error == kStatesTimeout || e.error == kStatesHeartbeatTimeout) {
    // The runner enforced TimeoutSeconds / HeartbeatSeconds itself: a timeout all the same.
    return OnTaskTimeout(f, std::move(e));
  }
  Emit(f, event_types::TaskEvents(resource.kind).failed, TaskErrorDetails(resource, e));
  StateFailed(f, std::move(e));
}

void Execution::OnTaskTimeout(Frame& f, Error e) {
  const TaskResource& resource = f.state_plan().resource;
  Emit(f, event_types::TaskEvents(resource.kind).timed_out, TaskErrorDetails(resource, e));
  StateFailed(f, std::move(e));
}

}  // namespace stator::engine
