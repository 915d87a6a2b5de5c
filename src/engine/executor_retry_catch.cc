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
  return "An error occurred while executing the state '" + f.sp().state->name +
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
  const asl::State& st = f.st();
  const bool handles =
      st.type == StateType::kTask || st.type == StateType::kParallel || st.type == StateType::kMap;
  if (handles) {
    if (f.retrier_attempts.size() < st.retry.size()) f.retrier_attempts.resize(st.retry.size());
    for (size_t i = 0; i < st.retry.size(); ++i) {
      const asl::Retrier& r = st.retry[i];
      if (!ErrorMatches(r.error_equals, e.error)) continue;
      if (f.retrier_attempts[i] < r.max_attempts) {
        ++f.retrier_attempts[i];
        ++f.retry_count;
        const int64_t delay = RetryDelayMillis(r, f.retrier_attempts[i], Random01());
        f.phase = Phase::kBlocked;
        ArmTimer(f, TimerKind::kRetry, Now() + delay, &f.timer);
        return;
      }
      break;  // the first matching retrier decides
    }
    if (st.type == StateType::kMap || st.type == StateType::kParallel) {
      Emit(f, event_types::ChildrenEvents(st.type == StateType::kMap).failed, json::Value());
    }
    if (finished()) return;
    for (const asl::Catcher& c : st.catchers) {
      if (!ErrorMatches(c.error_equals, e.error)) continue;
      json::Value error_output = ErrorOutput(e);
      if (c.assign) {
        FrameContext ctx(this, &f);
        Status s = EvaluateAssign(f, *c.assign, error_output, ctx);
        if (!s.ok()) {
          // Not handed to the catchers again: fail the frame (or, if terminal, the execution).
          if (IsTerminalError(s.error().error)) return RaiseRuntime(f, std::move(s).error());
          return FailFrame(f, std::move(s).error());
        }
      }
      Result<json::Value> out =
          ApplyResultPathField(c.result_path, f.raw_input, std::move(error_output));
      if (!out.ok()) return FailFrame(f, std::move(out).error());
      return EmitExited(f, std::move(out).value(), c.next);
    }
  }
  FailFrame(f, std::move(e));
}

}  // namespace stator::engine
