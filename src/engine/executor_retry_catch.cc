// Execution: a state's failure — Retry, Catch, then failing the frame (or, for terminal
// errors, the execution).

#include <string>
#include <utility>

#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"
#include "engine/payload_io.h"

namespace stator::engine {

using asl::StateType;

std::string RuntimePrefix(const Frame& f) {
  return "An error occurred while executing the state '" + f.state_plan().state->name +
         "' (entered at the event id #" + std::to_string(f.entered_event) + "). ";
}

json::Value ErrorOutput(const Error& e) {
  json::Object o;
  o.emplace_back("Error", json::Value::String(e.error));
  if (!e.cause.empty()) o.emplace_back("Cause", json::Value::String(e.cause));
  return json::Value::MakeObject(std::move(o));
}

void Execution::RaiseRuntime(Frame& f, Error e) {
  if (e.error == kStatesRuntime) e.cause = RuntimePrefix(f) + e.cause;
  if (!IsTerminalError(e.error)) return StateFailed(f, std::move(e));
  FinishExecution(ExecutionStatus::kFailed, history::ErrorCause(e.error, e.cause), f.last_event,
                  std::nullopt, e.error, e.cause);
}

std::optional<json::Value> Execution::EffectiveInput(Frame& f, const asl::Context& context) {
  Result<json::Value> input =
      ApplyInputOutputPath(f.current_state().input_path, f.raw_input, context);
  if (!input.ok()) {
    RaiseRuntime(f, std::move(input).error());
    return std::nullopt;
  }
  return std::move(input).value();
}

void Execution::StateFailed(Frame& f, Error e) {
  f.pending_assign = nullptr;  // the state's own Assign never applies when it fails
  if (IsTerminalError(e.error)) {
    if (e.error == kStatesRuntime &&
        e.cause.find("An error occurred while executing the state") == std::string::npos) {
      e.cause = RuntimePrefix(f) + e.cause;
    }
    FinishExecution(ExecutionStatus::kFailed, history::ErrorCause(e.error, e.cause), f.last_event,
                    std::nullopt, e.error, e.cause);
    return;
  }
  const asl::State& state = f.current_state();
  f.knix_routes.clear();  // user code's routes go only with a successful result
  if (machine_->knix && f.parent == nullptr && state.type == StateType::kTask &&
      (!state.retry.empty() || !state.catchers.empty())) {
    return KnixTaskFailed(f, std::move(e));
  }
  const bool retries_and_catches = state.type == StateType::kTask ||
                                   state.type == StateType::kParallel ||
                                   state.type == StateType::kMap;
  if (retries_and_catches) {
    if (f.retrier_attempts.size() < state.retry.size()) {
      f.retrier_attempts.resize(state.retry.size());
    }
    for (size_t i = 0; i < state.retry.size(); ++i) {
      const asl::Retrier& retrier = state.retry[i];
      if (!ErrorMatches(retrier.error_equals, e.error)) continue;
      if (f.retrier_attempts[i] < retrier.max_attempts) {
        ++f.retrier_attempts[i];
        ++f.retry_count;
        const int64_t delay = RetryDelayMillis(retrier, f.retrier_attempts[i], Random01());
        f.phase = Phase::kBlocked;
        ArmTimer(f, TimerKind::kRetry, Now() + delay, &f.delay_timer);
        return;
      }
      break;  // the first matching retrier decides
    }
    if (state.type == StateType::kMap || state.type == StateType::kParallel) {
      Emit(f, event_types::ChildrenEvents(state.type == StateType::kMap).failed, json::Value());
    }
    if (finished()) return;
    for (const asl::Catcher& catcher : state.catchers) {
      if (!ErrorMatches(catcher.error_equals, e.error)) continue;
      if (state.jsonata) return CatchJsonata(f, catcher, e);
      json::Value error_output = ErrorOutput(e);
      if (catcher.assign) {
        FrameContext context(this, &f);
        Status assigned = EvaluateAssign(f, *catcher.assign, error_output, context);
        if (!assigned.ok()) {
          // Not handed to the catchers again: fail the frame (or, if terminal, the execution).
          if (IsTerminalError(assigned.error().error)) {
            return RaiseRuntime(f, std::move(assigned).error());
          }
          return FailFrame(f, std::move(assigned).error());
        }
      }
      Result<json::Value> out =
          ApplyResultPathField(catcher.result_path, f.raw_input, std::move(error_output));
      if (!out.ok()) return FailFrame(f, std::move(out).error());
      return EmitExited(f, std::move(out).value(), catcher.next, /*caught=*/true);
    }
  }
  FailFrame(f, std::move(e));
}

}  // namespace stator::engine
