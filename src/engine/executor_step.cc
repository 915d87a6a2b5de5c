// Execution: the step loop — a frame enters a state, runs an attempt, exits to the next state.

#include <utility>

#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"
#include "engine/payload_io.h"

namespace stator::engine {

using asl::StateType;

namespace {

// Whether a and b share their string, array or object (copies of one json::Value do).
bool SameNode(const json::Value& a, const json::Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::Kind::kString:
      return &a.as_string() == &b.as_string();
    case json::Kind::kArray:
      return &a.as_array() == &b.as_array();
    case json::Kind::kObject:
      return &a.as_object() == &b.as_object();
    default:
      return false;
  }
}

}  // namespace

std::unique_ptr<Frame> Execution::NewFrame(const MachinePlan* plan, Frame* parent,
                                           json::Value input, int64_t last_event,
                                           bool records_history) {
  auto f = std::make_unique<Frame>();
  f->id = next_frame_id_++;
  f->plan = plan;
  f->parent = parent;
  f->records_history = records_history;
  f->state_index = plan->machine->start_at;
  f->raw_input = std::move(input);
  f->last_event = last_event;
  live_[f->id] = f.get();
  return f;
}

void Execution::MakeReady(Frame& f) {
  if (f.in_ready_queue) return;
  f.in_ready_queue = true;
  ready_.push_back(f.id);
}

void Execution::Step(Frame& f) {
  while (!finished()) {
    switch (f.phase) {
      case Phase::kEnter:
        EnterState(f);
        continue;
      case Phase::kAttempt:
        RunAttempt(f);
        continue;
      case Phase::kResume:
        break;
      case Phase::kBlocked:
        return;
      case Phase::kDone:
        if (f.parent == nullptr) {
          TopFrameDone(f);  // may destroy f
        } else {
          OnChildDone(f);  // may destroy f
        }
        return;
    }
    // kResume
    const ResumeKind reason = f.resume_reason;
    f.resume_reason = ResumeKind::kNone;
    f.phase = Phase::kAttempt;  // placeholder; the handlers below set the real phase
    switch (reason) {
      case ResumeKind::kTaskOutcome: {
        TaskOutcome outcome = std::move(*f.task_outcome);
        f.task_outcome.reset();
        OnTaskOutcome(f, std::move(outcome));
        break;
      }
      case ResumeKind::kTaskTimeout:
        OnTaskTimeout(f, Error{std::string(kStatesTimeout), ""});
        break;
      case ResumeKind::kHeartbeatTimeout:
        OnTaskTimeout(f, Error{std::string(kStatesHeartbeatTimeout), ""});
        break;
      case ResumeKind::kWaitDone: {
        json::Value effective_input = std::move(f.effective_input);
        FinishWait(f, std::move(effective_input));
        break;
      }
      case ResumeKind::kChildrenDone:
        FinishChildren(f);
        break;
      case ResumeKind::kChildFailed:
        FailChildren(f);
        break;
      case ResumeKind::kNone:
        break;
    }
  }
}

void Execution::EnterState(Frame& f) {
  const StatePlan& state_plan = f.state_plan();
  f.context_object.reset();
  f.retry_count = 0;
  f.retrier_attempts.clear();
  f.pending_assign = nullptr;
  f.entered_millis = Now();
  f.entered_previous = f.last_event;
  f.entered_event =
      EmitState(f, state_plan.entered, HistoryEvent::Compact::kStateEntered, f.raw_input);
  f.phase = Phase::kAttempt;
}

void Execution::RunAttempt(Frame& f) {
  f.context_object.reset();
  switch (f.current_state().type) {
    case StateType::kPass:
      return RunPass(f);
    case StateType::kTask:
      return RunTaskAttempt(f);
    case StateType::kChoice:
      return RunChoice(f);
    case StateType::kWait:
      return RunWait(f);
    case StateType::kSucceed:
      return RunSucceed(f);
    case StateType::kFail:
      return RunFail(f);
    case StateType::kParallel:
      return RunParallelAttempt(f);
    case StateType::kMap:
      return RunMapAttempt(f);
  }
}

void Execution::Transition(Frame& f, int next, json::Value output) {
  if (next == asl::kEnd) {
    FrameSucceeded(f, std::move(output));
    return;
  }
  f.state_index = next;
  f.raw_input = std::move(output);
  f.phase = Phase::kEnter;
}

void Execution::FrameSucceeded(Frame& f, json::Value output) {
  f.succeeded = true;
  f.output = std::move(output);
  f.phase = Phase::kDone;
}

void Execution::FailFrame(Frame& f, Error e) {
  f.succeeded = false;
  f.error = std::move(e);
  f.phase = Phase::kDone;
}

bool Execution::ApplyOutputPath(Frame& f, json::Value* out) {
  const asl::State& state = f.current_state();
  // OutputPath still sees the variables as they were when the state was entered.
  FrameContext context(this, &f);
  Result<json::Value> output = ApplyInputOutputPath(state.output_path, *out, context);
  if (!output.ok()) {
    RaiseRuntime(f, std::move(output).error());
    return false;
  }
  *out = std::move(output).value();
  return true;
}

void Execution::ExitState(Frame& f, json::Value&& out) {
  const asl::State& state = f.current_state();
  if (state.output_path.mode != asl::PathField::Mode::kDefault && !ApplyOutputPath(f, &out)) return;
  // Succeed states end their frame (they have no "next").
  EmitExited(f, std::move(out), state.type == StateType::kSucceed ? asl::kEnd : state.next);
}

void Execution::EmitExited(Frame& f, json::Value&& out, int next, bool caught) {
  if (!CheckSize(f, out, false)) return;
  if (f.pending_assign != nullptr) {
    json::Value assigned;
    if (!CommitVariables(f, &assigned)) return;
    json::Value details;
    if (f.records_history && options_.keep_history) {
      details = history::StateExited(f.state_plan().name, out, assigned);
    }
    Emit(f, f.state_plan().exited, std::move(details));
  } else {
    EmitState(f, f.state_plan().exited, HistoryEvent::Compact::kStateExited, out);
  }
  if (machine_->knix_routes && f.parent == nullptr && !caught) {
    TakeKnixRoutes(f, out, &next);
    if (finished()) return;
  }
  Transition(f, next, std::move(out));
}

void Execution::FinishWithResult(Frame& f, json::Value result) {
  const asl::State& state = f.current_state();
  if (state.jsonata) return FinishJsonata(f, std::move(result), true, state.next);
  FrameContext context(this, &f);
  if (state.result_selector) {
    Result<json::Value> selected = state.result_selector->Evaluate(result, context);
    if (!selected.ok()) return StateFailed(f, std::move(selected).error());
    result = std::move(selected).value();
  }
  if (state.assign) {
    Status assigned = EvaluateAssign(f, *state.assign, result, context);
    if (!assigned.ok()) return StateFailed(f, std::move(assigned).error());
  }
  Result<json::Value> out = ApplyResultPathField(state.result_path, f.raw_input, std::move(result));
  if (!out.ok()) return StateFailed(f, std::move(out).error());
  ExitState(f, std::move(out).value());
}

Result<int64_t> Execution::ResolveInt(Frame& f, const asl::NumberField& field,
                                      const json::Value& input, const char* field_name,
                                      int64_t min_value) {
  if (field.value) return static_cast<int64_t>(*field.value);
  if (field.expr) {
    Result<double> v = ResolveJsonataNumber(f, *field.expr, static_cast<double>(min_value),
                                            static_cast<double>(INT32_MAX), false);
    if (!v.ok()) return std::move(v).error();
    return static_cast<int64_t>(*v);
  }
  FrameContext context(this, &f);
  std::optional<json::Value> v = EvaluatePath(*field.path, input, context);
  if (!v) return NoResultsForPath(field.path->text());
  std::optional<int64_t> n = IntegerValue(*v);
  if (!n || *n < min_value) {
    return Error{std::string(kStatesRuntime),
                 std::string("The ") + field_name + " field refers to value \"" + MessageText(*v) +
                     "\" which is not a valid integer: " + field.path->text()};
  }
  return *n;
}

bool Execution::CheckSize(Frame& f, const json::Value& v, bool is_input) {
  if (v.kind() < json::Kind::kString) return true;
  if (SameNode(v, size_checked_)) return true;
  const size_t limit = machine_->knix ? kKnixMaxPayloadBytes : kMaxPayloadBytes;
  if (JsonSize(v, limit) > limit) {
    const std::string& name = f.state_plan().state->name;
    std::string cause =
        is_input ? "The state/task '" + name +
                       "' has an input with a size exceeding the maximum number of bytes service "
                       "limit."
                 : "The state/task '" + name +
                       "' returned a result with a size exceeding the maximum number of bytes "
                       "service limit.";
    FinishExecution(ExecutionStatus::kFailed,
                    history::ErrorCause(std::string(kStatesDataLimitExceeded), cause), f.last_event,
                    std::nullopt, std::string(kStatesDataLimitExceeded), cause);
    return false;
  }
  size_checked_ = v;
  return true;
}

}  // namespace stator::engine
