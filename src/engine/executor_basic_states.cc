// Execution: the states that do their work in one step — Pass, Succeed, Choice, Wait, Fail.

#include <cmath>
#include <optional>
#include <utility>

#include "common/time_format.h"
#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/payload_io.h"

namespace stator::engine {

void Execution::RunPass(Frame& f) {
  const asl::State& state = f.current_state();
  if (state.jsonata) return FinishJsonata(f, f.raw_input, false, state.next);
  FrameContext context(this, &f);
  std::optional<json::Value> effective_input = EffectiveInput(f, context);
  if (!effective_input) return;
  json::Value result;
  if (state.parameters) {
    Result<json::Value> parameters = state.parameters->Evaluate(*effective_input, context);
    if (!parameters.ok()) return StateFailed(f, std::move(parameters).error());
    result = std::move(parameters).value();
  } else if (state.result) {
    result = *state.result;
  } else {
    result = std::move(effective_input).value();
  }
  if (state.parameters && state.result) result = *state.result;
  FinishWithResult(f, std::move(result));  // (a Pass state has no ResultSelector)
}

void Execution::RunSucceed(Frame& f) {
  if (f.current_state().jsonata) return FinishJsonata(f, f.raw_input, false, asl::kEnd);
  FrameContext context(this, &f);
  Result<json::Value> effective_input =
      ApplyInputOutputPath(f.current_state().input_path, f.raw_input, context);
  if (!effective_input.ok()) return RaiseRuntime(f, std::move(effective_input).error());
  ExitState(f, std::move(effective_input).value());
}

void Execution::RunChoice(Frame& f) {
  const asl::State& state = f.current_state();
  if (state.jsonata) return RunJsonataChoice(f);
  FrameContext context(this, &f);
  std::optional<json::Value> effective_input = EffectiveInput(f, context);
  if (!effective_input) return;
  int next = asl::kEnd;
  const asl::Assignment* assign = nullptr;
  bool matched = false;
  for (const asl::ChoiceRule& rule : state.choices) {
    Result<bool> matches = rule.Evaluate(*effective_input, context);
    if (!matches.ok()) return StateFailed(f, std::move(matches).error());
    if (*matches) {
      next = rule.next();
      assign = rule.assign();  // a matching rule's Assign replaces the state's
      matched = true;
      break;
    }
  }
  if (!matched) {
    if (state.default_next == asl::kEnd) {
      return StateFailed(f, Error{std::string(kStatesNoChoiceMatched), "No Matches!"});
    }
    next = state.default_next;
    if (state.assign) assign = &*state.assign;
  }
  if (assign != nullptr) {
    Status assigned = EvaluateAssign(f, *assign, *effective_input, context);
    if (!assigned.ok()) return StateFailed(f, std::move(assigned).error());
  }
  json::Value out = std::move(effective_input).value();
  if (state.output_path.mode != asl::PathField::Mode::kDefault && !ApplyOutputPath(f, &out)) return;
  EmitExited(f, std::move(out), next);
}

void Execution::RunWait(Frame& f) {
  const asl::State& state = f.current_state();
  if (state.jsonata) return RunJsonataWait(f);
  FrameContext context(this, &f);
  std::optional<json::Value> effective_result = EffectiveInput(f, context);
  if (!effective_result) return;
  json::Value effective_input = std::move(effective_result).value();
  const int64_t now = Now();
  int64_t due = now;
  if (state.wait_seconds.value) {
    due = now + static_cast<int64_t>(std::llround(*state.wait_seconds.value * 1000.0));
  } else if (state.wait_seconds.path) {
    std::optional<json::Value> v = EvaluatePath(*state.wait_seconds.path, effective_input, context);
    if (!v) return RaiseRuntime(f, NoResultsForPath(state.wait_seconds.path->text()));
    if (!v->is_int() || v->as_int() < 0) {
      return RaiseRuntime(
          f, Error{std::string(kStatesRuntime),
                   "The SecondsPath parameter does not reference a valid integer value: " +
                       state.wait_seconds.path->text()});
    }
    due = now + v->as_int() * 1000;
  } else if (state.wait_timestamp) {
    std::optional<int64_t> t = ParseTimestamp(*state.wait_timestamp);
    if (!t) {
      return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                   "The Timestamp parameter does not reference a valid ISO-8601 "
                                   "extended offset date-time format string: " +
                                       *state.wait_timestamp});
    }
    due = *t;
  } else if (state.wait_timestamp_path) {
    std::optional<json::Value> v =
        EvaluatePath(*state.wait_timestamp_path, effective_input, context);
    if (!v) return RaiseRuntime(f, NoResultsForPath(state.wait_timestamp_path->text()));
    std::optional<int64_t> t;
    if (v->is_string()) t = ParseTimestamp(v->as_string());
    if (!t) {
      return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                   "The TimestampPath parameter does not reference a valid "
                                   "ISO-8601 extended offset date-time format string: " +
                                       state.wait_timestamp_path->text()});
    }
    due = *t;
  }
  if (due <= now) return FinishWait(f, std::move(effective_input));
  f.effective_input = std::move(effective_input);
  f.phase = Phase::kBlocked;
  ArmTimer(f, TimerKind::kWait, due, &f.delay_timer);
}

void Execution::FinishWait(Frame& f, json::Value effective_input) {
  const asl::State& state = f.current_state();
  if (state.jsonata) return FinishJsonata(f, std::move(effective_input), false, state.next);
  if (state.assign) {
    FrameContext context(this, &f);
    Status assigned = EvaluateAssign(f, *state.assign, effective_input, context);
    if (!assigned.ok()) return StateFailed(f, std::move(assigned).error());
  }
  ExitState(f, std::move(effective_input));
}

void Execution::RunFail(Frame& f) {
  const asl::State& state = f.current_state();
  if (state.jsonata) return RunJsonataFail(f);
  FrameContext context(this, &f);
  auto resolve = [&](const asl::StringField& field, const char* what,
                     std::string* out) -> std::optional<Error> {
    if (field.value) {
      *out = *field.value;
    } else if (field.path) {
      std::optional<json::Value> v = EvaluatePath(*field.path, f.raw_input, context);
      if (!v) return NoResultsForPath(field.path->text());
      if (!v->is_string()) {
        return Error{std::string(kStatesRuntime),
                     std::string("The ") + what + " field refers to value \"" + MessageText(*v) +
                         "\" which is not a valid string: " + field.path->text()};
      }
      *out = v->as_string();
    } else if (field.call) {
      Result<json::Value> v = field.call->Evaluate(f.raw_input, context);
      if (!v.ok()) return std::move(v).error();
      *out = v->is_string() ? v->as_string() : v->Dump();
    }
    return std::nullopt;
  };
  Error e;
  if (auto err = resolve(state.error, "ErrorPath", &e.error)) return RaiseRuntime(f, *err);
  if (auto err = resolve(state.cause, "CausePath", &e.cause)) return RaiseRuntime(f, *err);
  FailFrame(f, std::move(e));
}

}  // namespace stator::engine
