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
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  json::Value result;
  if (st.parameters) {
    Result<json::Value> p = st.parameters->Evaluate(*eff, ctx);
    if (!p.ok()) return StateFailed(f, std::move(p).error());
    result = std::move(p).value();
  } else if (st.result) {
    result = *st.result;
  } else {
    result = std::move(eff).value();
  }
  if (st.parameters && st.result) result = *st.result;
  if (st.assign) {
    Status s = EvaluateAssign(f, *st.assign, result, ctx);
    if (!s.ok()) return StateFailed(f, std::move(s).error());
  }
  Result<json::Value> out = ApplyResultPathField(st.result_path, f.raw_input, std::move(result));
  if (!out.ok()) return StateFailed(f, std::move(out).error());
  ExitState(f, std::move(out).value());
}

void Execution::RunSucceed(Frame& f) {
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(f.st().input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  ExitState(f, std::move(eff).value());
}

void Execution::RunChoice(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  int next = asl::kEnd;
  const asl::Assignment* assign = nullptr;
  bool matched = false;
  for (const asl::ChoiceRule& rule : st.choices) {
    Result<bool> r = rule.Evaluate(*eff, ctx);
    if (!r.ok()) return StateFailed(f, std::move(r).error());
    if (*r) {
      next = rule.next();
      assign = rule.assign();  // a matching rule's Assign replaces the state's
      matched = true;
      break;
    }
  }
  if (!matched) {
    if (st.default_next == asl::kEnd) {
      return StateFailed(f, Error{std::string(kStatesNoChoiceMatched), "No Matches!"});
    }
    next = st.default_next;
    if (st.assign) assign = &*st.assign;
  }
  if (assign != nullptr) {
    Status s = EvaluateAssign(f, *assign, *eff, ctx);
    if (!s.ok()) return StateFailed(f, std::move(s).error());
  }
  json::Value out = std::move(eff).value();
  if (st.output_path.mode != asl::PathField::Mode::kDefault && !ApplyOutputPath(f, &out)) return;
  EmitExited(f, std::move(out), next);
}

void Execution::RunWait(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  Result<json::Value> eff_r = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff_r.ok()) return RaiseRuntime(f, std::move(eff_r).error());
  json::Value eff = std::move(eff_r).value();
  const int64_t now = Now();
  int64_t due = now;
  if (st.wait_seconds.value) {
    due = now + static_cast<int64_t>(std::llround(*st.wait_seconds.value * 1000.0));
  } else if (st.wait_seconds.path) {
    std::optional<json::Value> v = EvaluatePath(*st.wait_seconds.path, eff, ctx);
    if (!v) return RaiseRuntime(f, NoResultsForPath(st.wait_seconds.path->text()));
    if (!v->is_int() || v->as_int() < 0) {
      return RaiseRuntime(
          f, Error{std::string(kStatesRuntime),
                   "The SecondsPath parameter does not reference a valid integer value: " +
                       st.wait_seconds.path->text()});
    }
    due = now + v->as_int() * 1000;
  } else if (st.wait_timestamp) {
    std::optional<int64_t> t = ParseTimestamp(*st.wait_timestamp);
    if (!t) {
      return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                   "The Timestamp parameter does not reference a valid ISO-8601 "
                                   "extended offset date-time format string: " +
                                       *st.wait_timestamp});
    }
    due = *t;
  } else if (st.wait_timestamp_path) {
    std::optional<json::Value> v = EvaluatePath(*st.wait_timestamp_path, eff, ctx);
    if (!v) return RaiseRuntime(f, NoResultsForPath(st.wait_timestamp_path->text()));
    std::optional<int64_t> t;
    if (v->is_string()) t = ParseTimestamp(v->as_string());
    if (!t) {
      return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                   "The TimestampPath parameter does not reference a valid "
                                   "ISO-8601 extended offset date-time format string: " +
                                       st.wait_timestamp_path->text()});
    }
    due = *t;
  }
  if (due <= now) return FinishWait(f, std::move(eff));
  f.effective = std::move(eff);
  f.phase = Phase::kBlocked;
  ArmTimer(f, TimerKind::kWait, due, &f.timer);
}

void Execution::FinishWait(Frame& f, json::Value eff) {
  const asl::State& st = f.st();
  if (st.assign) {
    FrameContext ctx(this, &f);
    Status s = EvaluateAssign(f, *st.assign, eff, ctx);
    if (!s.ok()) return StateFailed(f, std::move(s).error());
  }
  ExitState(f, std::move(eff));
}

void Execution::RunFail(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  auto resolve = [&](const asl::StringField& field, const char* what,
                     std::string* out) -> std::optional<Error> {
    if (field.value) {
      *out = *field.value;
    } else if (field.path) {
      std::optional<json::Value> v = EvaluatePath(*field.path, f.raw_input, ctx);
      if (!v) return NoResultsForPath(field.path->text());
      if (!v->is_string()) {
        return Error{std::string(kStatesRuntime),
                     std::string("The ") + what + " field refers to value \"" + MessageText(*v) +
                         "\" which is not a valid string: " + field.path->text()};
      }
      *out = v->as_string();
    } else if (field.call) {
      Result<json::Value> v = field.call->Evaluate(f.raw_input, ctx);
      if (!v.ok()) return std::move(v).error();
      *out = v->is_string() ? v->as_string() : v->Dump();
    }
    return std::nullopt;
  };
  Error e;
  if (auto err = resolve(st.error, "ErrorPath", &e.error)) return RaiseRuntime(f, *err);
  if (auto err = resolve(st.cause, "CausePath", &e.cause)) return RaiseRuntime(f, *err);
  FailFrame(f, std::move(e));
}

}  // namespace stator::engine
