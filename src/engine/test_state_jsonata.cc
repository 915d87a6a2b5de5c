// TestState: running a JSONata state once (QueryLanguage JSONata: Arguments, Output, Assign over
// $states). inspectionData holds what AWS documents for JSONata and its recordings show: `input`,
// `afterArguments` (a Task's or Parallel's Arguments), `result` (a Task's raw result),
// `variables`, `errorDetails`, and a Map's `maxConcurrency` / `toleratedFailure*`; none of the
// JSONPath steps (afterInputPath, afterParameters, afterResultSelector, afterResultPath).
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common/time_format.h"
#include "engine/error_policy.h"
#include "engine/map_policy.h"
#include "engine/test_state_internal.h"

namespace stator::engine::test_state {

const json::Value* TestJsonataScope::States() const {
  if (!states_) {
    json::Object o;
    o.emplace_back("input", *input_);
    o.emplace_back("context", run_->context.context);
    if (result_ != nullptr) o.emplace_back("result", *result_);
    if (error_output_ != nullptr) o.emplace_back("errorOutput", *error_output_);
    states_ = json::Value::MakeObject(std::move(o));
  }
  return &*states_;
}

const json::Value* TestJsonataScope::Variable(uint32_t id) const {
  const std::vector<std::string>& names = run_->machine->variable_names;
  if (id >= names.size()) return nullptr;
  return run_->context.variables.Find(names[id]);
}

namespace {

using asl::StateType;

// The end of a JSONata state that produced `result` (nullptr: none, $states.result is not
// set): Assign and Output evaluated against the same variables, then the variables updated.
// The output is Output's value, else the result, else the input.
void Finish(TestRun& run, const json::Value* result, const asl::Assignment* assign,
            const asl::JsonataTemplate* output, const std::string& next) {
  TestJsonataScope scope(&run, &run.input, result);
  std::optional<json::Value> values;
  if (assign != nullptr) {
    Result<json::Value, asl::QueryFailure> v = assign->EvaluateJsonata(scope);
    if (!v.ok()) return Failed(run, QueryError(v.error()));
    values = std::move(v).value();
  }
  json::Value out = result != nullptr ? *result : run.input;
  if (output != nullptr) {
    Result<json::Value, asl::QueryFailure> o = output->Evaluate(scope);
    if (!o.ok()) return Failed(run, QueryError(o.error()));
    out = std::move(o).value();
  }
  if (values) MergeVariables(run, *values);
  Answer(run, "SUCCEEDED", std::move(out), std::nullopt, next);
}

const asl::Assignment* StateAssign(const asl::State& state) {
  return state.assign ? &*state.assign : nullptr;
}
const asl::JsonataTemplate* StateOutput(const asl::State& state) {
  return state.output ? &*state.output : nullptr;
}

// The state's result after its Output etc. (Task, Map, Parallel).
void FinishWithResult(TestRun& run, json::Value result) {
  const asl::State& state = *run.state;
  Finish(run, &result, StateAssign(state), StateOutput(state), state.next_name);
}

// Arguments (Task, Parallel), shown as afterArguments; absent: the input. nullopt when it
// failed (the test is answered).
std::optional<json::Value> Arguments(TestRun& run) {
  const asl::State& state = *run.state;
  if (!state.arguments) return run.input;
  TestJsonataScope scope(&run, &run.input);
  Result<json::Value, asl::QueryFailure> args = state.arguments->Evaluate(scope);
  if (!args.ok()) {
    Failed(run, QueryError(args.error()));
    return std::nullopt;
  }
  run.Inspect("afterArguments", *args);
  return std::move(args).value();
}

// A number field given literally or as an expression, checked as an execution checks it
// (a whole number unless `fraction`, within [min_value, max_value]).
Result<double, asl::QueryFailure> ResolveNumber(TestRun& run, const asl::NumberField& field,
                                                double min_value, double max_value, bool fraction) {
  if (field.value || !field.expr) return field.value.value_or(0);
  const asl::JsonataTemplate& expr = *field.expr;
  TestJsonataScope scope(&run, &run.input);
  Result<json::Value, asl::QueryFailure> v = expr.Evaluate(scope);
  if (!v.ok()) return std::move(v).error();
  const json::Value& n = *v;
  const bool whole = n.is_int() || (n.is_double() && std::isfinite(n.as_double()) &&
                                    n.as_double() == std::floor(n.as_double()));
  if (!n.is_number() || (!fraction && !whole)) {
    return asl::UnexpectedResultType(expr, fraction ? "number" : "integer", n);
  }
  const double d = n.as_double();
  if (d < min_value || d > max_value) {
    char range[96];
    std::snprintf(range, sizeof(range), "%.15g and %.15g", min_value, max_value);
    return asl::QueryFailure{"The JSONata expression '" + expr.expression_text() +
                                 "' specified for the field '" + expr.field() +
                                 "' returned a value outside the allowed range: it must be "
                                 "between " +
                                 range + ", but was " + n.Dump(),
                             expr.field()};
  }
  return d;
}

void RunTask(std::shared_ptr<TestRun> shared) {
  TestRun& run = *shared;
  const asl::State& state = *run.state;
  std::optional<json::Value> args = Arguments(run);
  if (!args) return;
  if (run.request.mock) {
    if (!run.mock_result) return Failed(run, MockedError(run));
    run.Inspect("result", *run.mock_result);
    return FinishWithResult(run, *run.mock_result);
  }
  TaskRequest request;
  request.state_name = state.name;
  request.resource = state.resource;
  request.parameters = std::move(*args);
  for (auto [field, target] : {std::pair{&state.timeout_seconds, &request.timeout_seconds},
                               {&state.heartbeat_seconds, &request.heartbeat_seconds}}) {
    if (!field->present()) continue;
    Result<double, asl::QueryFailure> n = ResolveNumber(run, *field, 1, 99999999, false);
    if (!n.ok()) return Failed(run, QueryError(n.error()));
    *target = static_cast<int64_t>(*n);
  }
  request.context = &run.context.context;
  if (const json::Value* execution = run.context.context.Find("Execution")) {
    if (const json::Value* id = execution->Find("Id"); id && id->is_string()) {
      request.execution_arn = id->as_string();
    }
  }
  request.scheduled_event_id = 2;
  run.runner->Start(request, [shared](TaskOutcome outcome) {
    if (!outcome.ok()) return Failed(*shared, std::move(outcome).error());
    shared->Inspect("result", *outcome);
    FinishWithResult(*shared, std::move(outcome).value());
  });
}

void RunChoice(TestRun& run) {
  const asl::State& state = *run.state;
  TestJsonataScope scope(&run, &run.input);
  for (const asl::ChoiceRule& rule : state.choices) {
    Result<bool, asl::QueryFailure> matches = rule.EvaluateJsonata(scope);
    if (!matches.ok()) return Failed(run, QueryError(matches.error()));
    if (!*matches) continue;
    // A matching rule's Assign replaces the state's; its Output, when it has one, too.
    const asl::Assignment* assign = rule.assign() ? rule.assign() : StateAssign(state);
    const asl::JsonataTemplate* output = rule.output() ? rule.output() : StateOutput(state);
    return Finish(run, nullptr, assign, output, rule.next_name());
  }
  if (state.default_name.empty()) {
    return Failed(run, Error{std::string(kStatesNoChoiceMatched), "No Matches!"});
  }
  Finish(run, nullptr, StateAssign(state), StateOutput(state), state.default_name);
}

// A Wait state's time, checked as an execution checks it; the test does not wait.
void RunWait(TestRun& run) {
  const asl::State& state = *run.state;
  if (state.wait_seconds.expr) {
    Result<double, asl::QueryFailure> s =
        ResolveNumber(run, state.wait_seconds, 0, 99999999, false);
    if (!s.ok()) return Failed(run, QueryError(s.error()));
  } else if (state.wait_timestamp_expr) {
    const asl::JsonataTemplate& expr = *state.wait_timestamp_expr;
    TestJsonataScope scope(&run, &run.input);
    Result<json::Value, asl::QueryFailure> v = expr.Evaluate(scope);
    if (!v.ok()) return Failed(run, QueryError(v.error()));
    if (!v->is_string()) {
      return Failed(run, QueryError(asl::UnexpectedResultType(expr, "string", *v)));
    }
    if (!ParseTimestamp(v->as_string())) {
      return Failed(run, QueryError(asl::QueryFailure{
                             "The JSONata expression '" + expr.expression_text() +
                                 "' specified for the field 'Timestamp' returned a string that "
                                 "is not an ISO-8601 extended offset date-time: " +
                                 v->Dump(),
                             "Timestamp"}));
    }
  }
  Finish(run, nullptr, StateAssign(state), StateOutput(state), state.next_name);
}

void RunFail(TestRun& run) {
  const asl::State& state = *run.state;
  Error out;
  for (auto [field, target] : {std::pair{&state.error, &out.error}, {&state.cause, &out.cause}}) {
    if (field->value) {
      *target = *field->value;
    } else if (field->expr) {
      TestJsonataScope scope(&run, &run.input);
      Result<json::Value, asl::QueryFailure> v = field->expr->Evaluate(scope);
      if (!v.ok()) return Answer(run, "FAILED", std::nullopt, QueryError(v.error()), "");
      if (!v->is_string()) {
        return Answer(run, "FAILED", std::nullopt,
                      QueryError(asl::UnexpectedResultType(*field->expr, "string", *v)), "");
      }
      *target = v->as_string();
    }
  }
  Answer(run, "FAILED", std::nullopt, out, "");
}

// A Map takes its mock as its result; its Items (or the reader's data) give the number of
// iterations the failure count is weighed against.
void RunMap(TestRun& run) {
  const asl::State& state = *run.state;
  size_t iterations = 0;
  if (run.item_reader_data && run.raw_state.Find("ItemReader") != nullptr) {
    if (run.item_reader_data->is_array()) iterations = run.item_reader_data->as_array().size();
  } else if (state.items) {
    TestJsonataScope scope(&run, &run.input);
    Result<json::Value, asl::QueryFailure> v = state.items->Evaluate(scope);
    if (v.ok() && !v->is_array()) v = asl::UnexpectedResultType(*state.items, "array", *v);
    if (!v.ok()) return Failed(run, QueryError(v.error()));
    iterations = v->as_array().size();
  } else if (run.input.is_array()) {
    iterations = run.input.as_array().size();
  } else if (run.raw_state.Find("ItemReader") == nullptr) {
    return Failed(run, QueryError(asl::QueryFailure{
                           "Map state input must be an array but was: " + run.input.Dump(), ""}));
  }
  int64_t max_concurrency = 0;
  if (state.max_concurrency.present()) {
    Result<double, asl::QueryFailure> n =
        ResolveNumber(run, state.max_concurrency, 0, 2147483647, false);
    if (!n.ok()) return Failed(run, QueryError(n.error()));
    max_concurrency = static_cast<int64_t>(*n);
  }
  run.Inspect("maxConcurrency", json::Value::Int(max_concurrency));
  std::optional<int64_t> tolerated_count;
  if (state.tolerated_failure_count.present()) {
    Result<double, asl::QueryFailure> n =
        ResolveNumber(run, state.tolerated_failure_count, 0, 2147483647, false);
    if (!n.ok()) return Failed(run, QueryError(n.error()));
    tolerated_count = static_cast<int64_t>(*n);
    run.Inspect("toleratedFailureCount", json::Value::Int(*tolerated_count));
  }
  std::optional<double> tolerated_percent;
  if (state.tolerated_failure_percentage.present()) {
    Result<double, asl::QueryFailure> n =
        ResolveNumber(run, state.tolerated_failure_percentage, 0, 100, true);
    if (!n.ok()) return Failed(run, QueryError(n.error()));
    tolerated_percent = *n;
    run.Inspect("toleratedFailurePercentage", json::Value::Double(*n));
  }
  if (!run.mock_result) return Failed(run, MockedError(run));
  MapFailureTolerance tolerance =
      MapFailureTolerance::For(tolerated_count, tolerated_percent, /*distributed=*/false);
  const int64_t failed = run.request.map_iteration_failure_count.value_or(0);
  if (tolerance.applies && !tolerance.Tolerates(static_cast<size_t>(failed), iterations)) {
    return Failed(run, Error{std::string(kStatesExceedToleratedFailureThreshold),
                             "The specified tolerated failure threshold was exceeded"});
  }
  FinishWithResult(run, *run.mock_result);
}

void RunParallel(TestRun& run) {
  std::optional<json::Value> args = Arguments(run);
  if (!args) return;
  if (!run.mock_result) return Failed(run, MockedError(run));
  FinishWithResult(run, *run.mock_result);
}

}  // namespace

void RunJsonata(std::shared_ptr<TestRun> run) {
  const asl::State& state = *run->state;
  switch (state.type) {
    case StateType::kPass:
    case StateType::kSucceed:
      return Finish(*run, nullptr, StateAssign(state), StateOutput(state), state.next_name);
    case StateType::kTask:
      return RunTask(std::move(run));
    case StateType::kChoice:
      return RunChoice(*run);
    case StateType::kWait:
      return RunWait(*run);
    case StateType::kFail:
      return RunFail(*run);
    case StateType::kMap:
      return RunMap(*run);
    case StateType::kParallel:
      return RunParallel(*run);
  }
}

}  // namespace stator::engine::test_state
