// Execution: JSONata states — $states, Arguments, Output and Assign, Choice conditions, Wait and
// Fail expressions, Map Items and ItemSelector, Catchers, and every evaluation failure as
// States.QueryEvaluationError with its EvaluationFailed event.

#include <cmath>
#include <utility>

#include "common/time_format.h"
#include "engine/error_policy.h"
#include "engine/executor_internal.h"
#include "engine/history.h"
#include "engine/payload_io.h"

namespace stator::engine {

const json::Value* JsonataView::States() const {
  if (!states_) {
    json::Object o;
    o.reserve(4);
    o.emplace_back("input", *input_);
    if (frame_->current_state().jsonata_uses_context) {
      o.emplace_back("context", execution_->ContextFor(*frame_, map_item_, item_index_));
    }
    if (result_ != nullptr) o.emplace_back("result", *result_);
    if (error_output_ != nullptr) o.emplace_back("errorOutput", *error_output_);
    states_ = json::Value::MakeObject(std::move(o));
  }
  return &*states_;
}

const json::Value* JsonataView::StatesMember(std::string_view field) const {
  if (field == "input") return input_;
  if (field == "result") return result_;
  if (field == "errorOutput") return error_output_;
  return JsonataScope::StatesMember(field);  // context: built with the object
}

Error Execution::QueryFailed(Frame& f, const asl::QueryFailure& failure) {
  Error e{std::string(kStatesQueryEvaluationError), RuntimePrefix(f) + failure.cause};
  json::Object details;
  details.emplace_back("cause", json::Value::String(e.cause));
  details.emplace_back("error", json::Value::String(e.error));
  if (!failure.location.empty()) {
    details.emplace_back("location", json::Value::String(failure.location));
  }
  details.emplace_back("state", json::Value::String(f.state_plan().state->name));
  // AWS records it after the event the state's Entered event follows (recorded: Entered #2
  // after #0, EvaluationFailed #3 after #0); what comes next follows it.
  const int64_t id = EmitWithPrev(f, f.entered_previous, event_types::kEvaluationFailed,
                                  json::Value::MakeObject(std::move(details)));
  if (id != 0) f.last_event = id;
  return e;
}

bool Execution::EvaluateArguments(Frame& f, json::Value* input) {
  JsonataView view(this, &f, &f.raw_input);
  Result<json::Value, asl::QueryFailure> args = f.current_state().arguments->Evaluate(view);
  if (!args.ok()) {
    Error e = QueryFailed(f, args.error());
    if (!finished()) StateFailed(f, std::move(e));
    return false;
  }
  *input = std::move(args).value();
  return true;
}

void Execution::FinishJsonata(Frame& f, json::Value value, bool has_result, int next) {
  const asl::State& state = f.current_state();
  JsonataView view(this, &f, &f.raw_input, has_result ? &value : nullptr);
  if (state.assign) {
    Result<json::Value, asl::QueryFailure> values = state.assign->EvaluateJsonata(view);
    if (!values.ok()) {
      Error e = QueryFailed(f, values.error());
      if (!finished()) StateFailed(f, std::move(e));
      return;
    }
    f.pending_assign = &*state.assign;
    f.pending_values = std::move(values).value();
  }
  json::Value out;
  if (state.output) {
    Result<json::Value, asl::QueryFailure> o = state.output->Evaluate(view);
    if (!o.ok()) {
      Error e = QueryFailed(f, o.error());
      if (!finished()) StateFailed(f, std::move(e));
      return;
    }
    out = std::move(o).value();
  } else {
    out = std::move(value);
  }
  EmitExited(f, std::move(out), next);
}

void Execution::RunJsonataChoice(Frame& f) {
  const asl::State& state = f.current_state();
  JsonataView view(this, &f, &f.raw_input);
  for (const asl::ChoiceRule& rule : state.choices) {
    Result<bool, asl::QueryFailure> matches = rule.EvaluateJsonata(view);
    if (!matches.ok()) {
      Error e = QueryFailed(f, matches.error());
      if (!finished()) StateFailed(f, std::move(e));
      return;
    }
    if (!*matches) continue;
    // A matching rule's Assign replaces the state's; the state's Output still applies.
    if (const asl::Assignment* assign = rule.assign()) {
      Result<json::Value, asl::QueryFailure> values = assign->EvaluateJsonata(view);
      if (!values.ok()) {
        Error e = QueryFailed(f, values.error());
        if (!finished()) StateFailed(f, std::move(e));
        return;
      }
      f.pending_assign = assign;
      f.pending_values = std::move(values).value();
    }
    json::Value out = f.raw_input;
    const asl::JsonataTemplate* output =
        rule.output() ? rule.output() : (state.output ? &*state.output : nullptr);
    if (output) {
      Result<json::Value, asl::QueryFailure> o = output->Evaluate(view);
      if (!o.ok()) {
        Error e = QueryFailed(f, o.error());
        if (!finished()) StateFailed(f, std::move(e));
        return;
      }
      out = std::move(o).value();
    }
    return EmitExited(f, std::move(out), rule.next());
  }
  if (state.default_next == asl::kEnd) {
    return StateFailed(f, Error{std::string(kStatesNoChoiceMatched), "No Matches!"});
  }
  FinishJsonata(f, f.raw_input, false, state.default_next);
}

Result<double> Execution::ResolveJsonataNumber(Frame& f, const asl::JsonataTemplate& expr,
                                               double min_value, double max_value, bool fraction) {
  JsonataView view(this, &f, &f.raw_input);
  Result<json::Value, asl::QueryFailure> v = expr.Evaluate(view);
  if (!v.ok()) return QueryFailed(f, v.error());
  const json::Value& n = *v;
  const bool whole = n.is_int() || (n.is_double() && std::isfinite(n.as_double()) &&
                                    n.as_double() == std::floor(n.as_double()));
  if (!n.is_number() || (!fraction && !whole)) {
    return QueryFailed(f, asl::UnexpectedResultType(expr, fraction ? "number" : "integer", n));
  }
  const double d = n.as_double();
  if (d < min_value || d > max_value) {
    char range[96];
    std::snprintf(range, sizeof(range), "%.15g and %.15g", min_value, max_value);
    return QueryFailed(
        f, asl::QueryFailure{"The JSONata expression '" + expr.expression_text() +
                                 "' specified for the field '" + expr.field() +
                                 "' returned a value outside the allowed range: it must be "
                                 "between " +
                                 range + ", but was " + n.Dump(),
                             expr.field()});
  }
  return d;
}

void Execution::RunJsonataWait(Frame& f) {
  const asl::State& state = f.current_state();
  const int64_t now = Now();
  int64_t due = now;
  if (state.wait_seconds.expr) {
    Result<double> s = ResolveJsonataNumber(f, *state.wait_seconds.expr, 0, 99999999, false);
    if (!s.ok()) {
      if (!finished()) StateFailed(f, std::move(s).error());
      return;
    }
    due = now + static_cast<int64_t>(*s) * 1000;
  } else if (state.wait_seconds.value) {
    due = now + static_cast<int64_t>(std::llround(*state.wait_seconds.value * 1000.0));
  } else if (state.wait_timestamp_expr) {
    JsonataView view(this, &f, &f.raw_input);
    Result<json::Value, asl::QueryFailure> v = state.wait_timestamp_expr->Evaluate(view);
    if (!v.ok()) {
      Error e = QueryFailed(f, v.error());
      if (!finished()) StateFailed(f, std::move(e));
      return;
    }
    if (!v->is_string()) {
      Error e = QueryFailed(f, asl::UnexpectedResultType(*state.wait_timestamp_expr, "string", *v));
      if (!finished()) StateFailed(f, std::move(e));
      return;
    }
    std::optional<int64_t> t = ParseTimestamp(v->as_string());
    if (!t) {
      Error e = QueryFailed(
          f, asl::QueryFailure{"The JSONata expression '" +
                                   state.wait_timestamp_expr->expression_text() +
                                   "' specified for the field 'Timestamp' returned a string that "
                                   "is not an ISO-8601 extended offset date-time: " +
                                   v->Dump(),
                               "Timestamp"});
      if (!finished()) StateFailed(f, std::move(e));
      return;
    }
    due = *t;
  } else if (state.wait_timestamp) {
    due = ParseTimestamp(*state.wait_timestamp).value_or(now);
  }
  json::Value input = f.raw_input;
  if (due <= now) return FinishWait(f, std::move(input));
  f.effective_input = std::move(input);
  f.phase = Phase::kBlocked;
  ArmTimer(f, TimerKind::kWait, due, &f.delay_timer);
}

void Execution::RunJsonataFail(Frame& f) {
  const asl::State& state = f.current_state();
  Error out;
  for (auto [field, target] : {std::pair{&state.error, &out.error}, {&state.cause, &out.cause}}) {
    if (field->value) {
      *target = *field->value;
    } else if (field->expr) {
      JsonataView view(this, &f, &f.raw_input);
      Result<json::Value, asl::QueryFailure> v = field->expr->Evaluate(view);
      if (!v.ok()) {
        Error e = QueryFailed(f, v.error());
        if (!finished()) FailFrame(f, std::move(e));
        return;
      }
      if (!v->is_string()) {
        Error e = QueryFailed(f, asl::UnexpectedResultType(*field->expr, "string", *v));
        if (!finished()) FailFrame(f, std::move(e));
        return;
      }
      *target = v->as_string();
    }
  }
  FailFrame(f, std::move(out));
}

std::optional<json::Value> Execution::JsonataMapItems(Frame& f) {
  const asl::State& state = f.current_state();
  if (!state.items) {
    if (f.raw_input.is_array()) return f.raw_input;
    Error e = QueryFailed(
        f,
        asl::QueryFailure{"Map state input must be an array but was: " + f.raw_input.Dump(), ""});
    if (!finished()) StateFailed(f, std::move(e));
    return std::nullopt;
  }
  JsonataView view(this, &f, &f.raw_input);
  Result<json::Value, asl::QueryFailure> v = state.items->Evaluate(view);
  if (v.ok() && !v->is_array()) v = asl::UnexpectedResultType(*state.items, "array", *v);
  if (!v.ok()) {
    Error e = QueryFailed(f, v.error());
    if (!finished()) StateFailed(f, std::move(e));
    return std::nullopt;
  }
  return std::move(v).value();
}

Result<json::Value> Execution::SelectItem(Frame& owner, const json::Value& item, int64_t index) {
  const asl::State& state = owner.current_state();
  if (state.item_selector) {
    JsonataView view(this, &owner, &owner.raw_input, nullptr, nullptr, &item, index);
    Result<json::Value, asl::QueryFailure> v = state.item_selector->Evaluate(view);
    if (!v.ok()) return QueryFailed(owner, v.error());
    return std::move(v).value();
  }
  if (!state.parameters) return item;
  FrameContext item_context(this, &owner, &item, index);
  return state.parameters->Evaluate(owner.effective_input, item_context);
}

void Execution::CatchJsonata(Frame& f, const asl::Catcher& catcher, const Error& e) {
  json::Value error_output = ErrorOutput(e);
  JsonataView view(this, &f, &f.raw_input, nullptr, &error_output);
  if (catcher.assign) {
    Result<json::Value, asl::QueryFailure> values = catcher.assign->EvaluateJsonata(view);
    if (!values.ok()) {
      // Not handed to the catchers again: the frame fails.
      Error failed = QueryFailed(f, values.error());
      if (!finished()) FailFrame(f, std::move(failed));
      return;
    }
    f.pending_assign = &*catcher.assign;
    f.pending_values = std::move(values).value();
  }
  json::Value out = error_output;
  if (catcher.output) {
    Result<json::Value, asl::QueryFailure> o = catcher.output->Evaluate(view);
    if (!o.ok()) {
      f.pending_assign = nullptr;
      Error failed = QueryFailed(f, o.error());
      if (!finished()) FailFrame(f, std::move(failed));
      return;
    }
    out = std::move(o).value();
  }
  EmitExited(f, std::move(out), catcher.next, /*caught=*/true);
}

}  // namespace stator::engine
