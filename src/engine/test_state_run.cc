// TestState: running the prepared state once (test_state.h describes the outcome).
#include <string>
#include <utility>
#include <vector>

#include "common/time_format.h"
#include "engine/error_policy.h"
#include "engine/map_policy.h"
#include "engine/payload_io.h"
#include "engine/test_state_internal.h"

namespace stator::engine::test_state {
namespace {

using asl::StateType;

// inspectionData's members in the order of the API model (InspectionData).
constexpr const char* kInspectionOrder[] = {
    "input",
    "afterArguments",
    "afterInputPath",
    "afterParameters",
    "result",
    "afterResultSelector",
    "afterResultPath",
    "request",
    "response",
    "variables",
    "errorDetails",
    "afterItemsPath",
    "afterItemSelector",
    "afterItemBatcher",
    "afterItemsPointer",
    "toleratedFailureCount",
    "toleratedFailurePercentage",
    "maxConcurrency",
};

// Members that hold a JSON payload (sent as JSON text, SensitiveData in the model).
bool IsPayload(std::string_view key) {
  return key != "request" && key != "response" && key != "errorDetails" &&
         key != "toleratedFailureCount" && key != "toleratedFailurePercentage" &&
         key != "maxConcurrency";
}

}  // namespace

void Answer(TestRun& run, const char* status, const std::optional<json::Value>& output,
            const std::optional<Error>& error, const std::string& next_state) {
  json::Object out;
  if (output) out.emplace_back("output", json::Value::String(output->Dump()));
  if (error) {  // each left out when empty (a Fail state without Cause)
    if (!error->error.empty()) out.emplace_back("error", json::Value::String(error->error));
    if (!error->cause.empty()) out.emplace_back("cause", json::Value::String(error->cause));
  }
  if (run.request.level != InspectionLevel::kInfo) {
    if (!run.context.variables.as_object().empty()) {
      run.Inspect("variables", run.context.variables);
    }
    json::Object data;
    for (const char* key : kInspectionOrder) {
      auto it = run.inspection.find(key);
      if (it == run.inspection.end()) continue;
      if (IsPayload(key)) {
        data.emplace_back(key, json::Value::String(it->second.Dump()));
      } else {
        data.emplace_back(key, it->second);
      }
    }
    out.emplace_back("inspectionData", json::Value::MakeObject(std::move(data)));
  }
  if (!next_state.empty()) out.emplace_back("nextState", json::Value::String(next_state));
  out.emplace_back("status", json::Value::String(status));
  run.done(json::Value::MakeObject(std::move(out)));
}

Error QueryError(const asl::QueryFailure& failure) {
  return Error{std::string(kStatesQueryEvaluationError), failure.cause};
}

Error MockedError(const TestRun& run) {
  const TestStateRequest::Mock& m = *run.request.mock;
  return Error{m.error.value_or(""), m.cause.value_or("")};
}

void MergeVariables(TestRun& run, const json::Value& values) {
  json::Value vars = run.context.variables;
  for (const json::Member& m : values.as_object()) vars = vars.With(m.first, m.second);
  run.context.variables = std::move(vars);
}

json::Value ErrorOutput(const Error& e) {
  json::Object o;
  o.emplace_back("Error", json::Value::String(e.error));
  if (!e.cause.empty()) o.emplace_back("Cause", json::Value::String(e.cause));
  return json::Value::MakeObject(std::move(o));
}

namespace {

// Evaluates an Assign and merges its values into the test's variables.
Status Assign(TestRun& run, const asl::Assignment& assign, const json::Value& input) {
  Result<json::Value> values = assign.Evaluate(input, run.context);
  if (!values.ok()) return std::move(values).error();
  MergeVariables(run, *values);
  return Status::Ok();
}

// A JSONata catcher: its Assign and Output over $states.errorOutput (both see the variables as
// they were), the error output when it has no Output. A failing expression fails the test.
void CatchJsonata(TestRun& run, const asl::Catcher& catcher, const Error& e) {
  const json::Value error_output = ErrorOutput(e);
  TestJsonataScope scope(&run, &run.input, nullptr, &error_output);
  std::optional<json::Value> values;
  if (catcher.assign) {
    Result<json::Value, asl::QueryFailure> v = catcher.assign->EvaluateJsonata(scope);
    if (!v.ok()) return Answer(run, "FAILED", std::nullopt, QueryError(v.error()), "");
    values = std::move(v).value();
  }
  json::Value out = error_output;
  if (catcher.output) {
    Result<json::Value, asl::QueryFailure> o = catcher.output->Evaluate(scope);
    if (!o.ok()) return Answer(run, "FAILED", std::nullopt, QueryError(o.error()), "");
    out = std::move(o).value();
  }
  if (values) MergeVariables(run, *values);
  Answer(run, "CAUGHT_ERROR", std::move(out), e, catcher.next_name);
}

}  // namespace

// A failure of the state: Retry, then Catch (Task, Map, Parallel), else FAILED.
void Failed(TestRun& run, Error e) {
  const asl::State& state = *run.state;
  const bool handles = state.type == StateType::kTask || state.type == StateType::kMap ||
                       state.type == StateType::kParallel;
  if (handles) {
    json::Object details;  // errorDetails: the retrier that matched (if any), the catcher
    for (size_t i = 0; i < state.retry.size(); ++i) {
      const asl::Retrier& retrier = state.retry[i];
      if (!ErrorMatches(retrier.error_equals, e.error)) continue;
      const int64_t done_attempts = run.request.retrier_retry_count.value_or(0);
      if (done_attempts < retrier.max_attempts) {
        asl::Retrier plain = retrier;  // the back-off before jitter
        plain.jitter = asl::JitterStrategy::kNone;
        const int64_t delay_ms = RetryDelayMillis(plain, done_attempts + 1, 0);
        run.Inspect("errorDetails",
                    json::Value::MakeObject({
                        {"retryBackoffIntervalSeconds", json::Value::Int(delay_ms / 1000)},
                        {"retryIndex", json::Value::Int(static_cast<int64_t>(i))},
                    }));
        return Answer(run, "RETRIABLE", std::nullopt, e, "");
      }
      // Its attempts are used up: AWS still names it.
      details.emplace_back("retryIndex", json::Value::Int(static_cast<int64_t>(i)));
      break;  // the first matching retrier decides
    }
    for (size_t i = 0; i < state.catchers.size(); ++i) {
      const asl::Catcher& catcher = state.catchers[i];
      if (!ErrorMatches(catcher.error_equals, e.error)) continue;
      if (state.jsonata) {
        details.emplace_back("catchIndex", json::Value::Int(static_cast<int64_t>(i)));
        run.Inspect("errorDetails", json::Value::MakeObject(std::move(details)));
        return CatchJsonata(run, catcher, e);
      }
      json::Value error_output = ErrorOutput(e);
      if (catcher.assign) {
        Status assigned = Assign(run, *catcher.assign, error_output);
        if (!assigned.ok()) return Answer(run, "FAILED", std::nullopt, assigned.error(), "");
      }
      details.emplace_back("catchIndex", json::Value::Int(static_cast<int64_t>(i)));
      run.Inspect("errorDetails", json::Value::MakeObject(std::move(details)));
      Result<json::Value> out =
          ApplyResultPathField(catcher.result_path, run.input, std::move(error_output));
      if (!out.ok()) return Answer(run, "FAILED", std::nullopt, out.error(), "");
      return Answer(run, "CAUGHT_ERROR", std::move(out).value(), e, catcher.next_name);
    }
    if (!details.empty()) run.Inspect("errorDetails", json::Value::MakeObject(std::move(details)));
  }
  Answer(run, "FAILED", std::nullopt, e, "");
}

namespace {

// The rest of a state that produced `result`: ResultSelector, Assign, ResultPath, OutputPath.
// `show_result`: inspectionData.result shows it (as AWS shows it: a Task's result, a Pass
// state's Result field; not a Map's or Parallel's mock).
void Finish(TestRun& run, json::Value result, bool show_result = true) {
  const asl::State& state = *run.state;
  if (show_result) run.Inspect("result", result);
  if (state.result_selector) {
    Result<json::Value> selected = state.result_selector->Evaluate(result, run.context);
    if (!selected.ok()) return Failed(run, std::move(selected).error());
    result = std::move(selected).value();
  }
  run.Inspect("afterResultSelector", result);
  if (state.assign) {
    Status assigned = Assign(run, *state.assign, result);
    if (!assigned.ok()) return Failed(run, std::move(assigned).error());
  }
  Result<json::Value> out = ApplyResultPathField(state.result_path, run.input, std::move(result));
  if (!out.ok()) return Failed(run, std::move(out).error());
  run.Inspect("afterResultPath", *out);
  Result<json::Value> output = ApplyInputOutputPath(state.output_path, *out, run.context);
  if (!output.ok()) return Failed(run, std::move(output).error());
  Answer(run, "SUCCEEDED", std::move(output).value(), std::nullopt, state.next_name);
}

// InputPath, recorded; nullopt when it failed (the test is answered).
std::optional<json::Value> EffectiveInput(TestRun& run) {
  Result<json::Value> eff = ApplyInputOutputPath(run.state->input_path, run.input, run.context);
  if (!eff.ok()) {
    Failed(run, std::move(eff).error());
    return std::nullopt;
  }
  run.Inspect("afterInputPath", *eff);
  return std::move(eff).value();
}

// A Pass state with a Result takes it as its result, without input processing (AWS shows no
// afterInputPath then); otherwise its result is the effective input after Parameters.
void RunPass(TestRun& run) {
  const asl::State& state = *run.state;
  if (state.result) return Finish(run, *state.result);
  std::optional<json::Value> eff = EffectiveInput(run);
  if (!eff) return;
  json::Value result = *eff;
  if (state.parameters) {
    Result<json::Value> parameters = state.parameters->Evaluate(*eff, run.context);
    if (!parameters.ok()) return Failed(run, std::move(parameters).error());
    result = std::move(parameters).value();
  }
  run.Inspect("afterParameters", result);
  Finish(run, std::move(result), /*show_result=*/false);
}

// Leaves a state that passes its (effective) input on: Choice, Wait, Succeed.
void PassOn(TestRun& run, json::Value eff, const asl::Assignment* assign, const std::string& next) {
  if (assign != nullptr) {
    Status assigned = Assign(run, *assign, eff);
    if (!assigned.ok()) return Failed(run, std::move(assigned).error());
  }
  Result<json::Value> output = ApplyInputOutputPath(run.state->output_path, eff, run.context);
  if (!output.ok()) return Failed(run, std::move(output).error());
  Answer(run, "SUCCEEDED", std::move(output).value(), std::nullopt, next);
}

void RunChoice(TestRun& run) {
  const asl::State& state = *run.state;
  std::optional<json::Value> eff = EffectiveInput(run);
  if (!eff) return;
  for (const asl::ChoiceRule& rule : state.choices) {
    Result<bool> matches = rule.Evaluate(*eff, run.context);
    if (!matches.ok()) return Failed(run, std::move(matches).error());
    if (*matches) return PassOn(run, std::move(*eff), rule.assign(), rule.next_name());
  }
  if (state.default_name.empty()) {
    return Failed(run, Error{std::string(kStatesNoChoiceMatched), "No Matches!"});
  }
  PassOn(run, std::move(*eff), state.assign ? &*state.assign : nullptr, state.default_name);
}

// A Wait state's time, checked as an execution checks it; the test does not wait.
void RunWait(TestRun& run) {
  const asl::State& state = *run.state;
  std::optional<json::Value> eff = EffectiveInput(run);
  if (!eff) return;
  auto runtime = [](std::string cause) {
    return Error{std::string(kStatesRuntime), std::move(cause)};
  };
  if (state.wait_seconds.path) {
    std::optional<json::Value> v = EvaluatePath(*state.wait_seconds.path, *eff, run.context);
    if (!v) return Failed(run, NoResultsForPath(state.wait_seconds.path->text()));
    if (!v->is_int() || v->as_int() < 0) {
      return Failed(run, runtime("The SecondsPath parameter does not reference a valid integer "
                                 "value: " +
                                 state.wait_seconds.path->text()));
    }
  } else if (state.wait_timestamp && !ParseTimestamp(*state.wait_timestamp)) {
    return Failed(run, runtime("The Timestamp parameter does not reference a valid ISO-8601 "
                               "extended offset date-time format string: " +
                               *state.wait_timestamp));
  } else if (state.wait_timestamp_path) {
    std::optional<json::Value> v = EvaluatePath(*state.wait_timestamp_path, *eff, run.context);
    if (!v) return Failed(run, NoResultsForPath(state.wait_timestamp_path->text()));
    if (!v->is_string() || !ParseTimestamp(v->as_string())) {
      return Failed(run, runtime("The TimestampPath parameter does not reference a valid ISO-8601 "
                                 "extended offset date-time format string: " +
                                 state.wait_timestamp_path->text()));
    }
  }
  PassOn(run, std::move(*eff), state.assign ? &*state.assign : nullptr, state.next_name);
}

void RunFail(TestRun& run) {
  const asl::State& state = *run.state;
  run.Inspect("afterInputPath", run.input);  // a Fail state has no InputPath
  auto resolve = [&](const asl::StringField& field, const char* what,
                     std::string* out) -> std::optional<Error> {
    if (field.value) {
      *out = *field.value;
    } else if (field.path) {
      std::optional<json::Value> v = EvaluatePath(*field.path, run.input, run.context);
      if (!v) return NoResultsForPath(field.path->text());
      if (!v->is_string()) {
        return Error{std::string(kStatesRuntime),
                     std::string("The ") + what + " field refers to value \"" + MessageText(*v) +
                         "\" which is not a valid string: " + field.path->text()};
      }
      *out = v->as_string();
    } else if (field.call) {
      Result<json::Value> v = field.call->Evaluate(run.input, run.context);
      if (!v.ok()) return std::move(v).error();
      *out = v->is_string() ? v->as_string() : v->Dump();
    }
    return std::nullopt;
  };
  Error e;
  if (auto err = resolve(state.error, "ErrorPath", &e.error)) return Failed(run, *err);
  if (auto err = resolve(state.cause, "CausePath", &e.cause)) return Failed(run, *err);
  Answer(run, "FAILED", std::nullopt, e, "");
}

void RunTask(std::shared_ptr<TestRun> shared) {
  TestRun& run = *shared;
  const asl::State& state = *run.state;
  std::optional<json::Value> eff = EffectiveInput(run);
  if (!eff) return;
  json::Value parameters = *eff;
  if (state.parameters) {
    Result<json::Value> p = state.parameters->Evaluate(*eff, run.context);
    if (!p.ok()) return Failed(run, std::move(p).error());
    parameters = std::move(p).value();
  }
  run.Inspect("afterParameters", parameters);
  if (run.request.mock) {
    if (run.mock_result) return Finish(run, *run.mock_result);
    return Failed(run, MockedError(run));
  }
  TaskRequest request;
  request.state_name = state.name;
  request.resource = state.resource;
  request.parameters = std::move(parameters);
  if (state.timeout_seconds.value) {
    request.timeout_seconds = static_cast<int64_t>(*state.timeout_seconds.value);
  }
  if (state.heartbeat_seconds.value) {
    request.heartbeat_seconds = static_cast<int64_t>(*state.heartbeat_seconds.value);
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
    Finish(*shared, std::move(outcome).value());
  });
}

// An integer field of a Map state (MaxConcurrency, ToleratedFailureCount), resolved.
Result<int64_t> ResolveInt(TestRun& run, const asl::NumberField& field, const json::Value& input,
                           const char* name, int64_t min_value = 0) {
  if (field.value) return static_cast<int64_t>(*field.value);
  std::optional<json::Value> v = EvaluatePath(*field.path, input, run.context);
  if (!v) return NoResultsForPath(field.path->text());
  std::optional<int64_t> n = IntegerValue(*v);
  if (!n || *n < min_value) {
    return Error{std::string(kStatesRuntime),
                 std::string("The ") + name + " field refers to value \"" + MessageText(*v) +
                     "\" which is not a valid integer: " + field.path->text()};
  }
  return *n;
}

void RunMap(TestRun& run) {
  const asl::State& state = *run.state;
  std::optional<json::Value> eff = EffectiveInput(run);
  if (!eff) return;
  json::Value items = *eff;
  if (run.item_reader_data && run.raw_state.Find("ItemReader") != nullptr) {
    items = *run.item_reader_data;
  } else if (state.items_path) {
    std::optional<json::Value> v = EvaluatePath(*state.items_path, *eff, run.context);
    if (!v) return Failed(run, NoResultsForPath(state.items_path->text()));
    items = std::move(*v);
  }
  if (!items.is_array()) {
    // The path as evaluated: a context path "$$.x" is "$.x" on the context object.
    std::string path = state.items_path ? state.items_path->text() : "$";
    if (path.rfind("$$", 0) == 0) path.erase(0, 1);
    return Failed(run, Error{std::string(kStatesRuntime),
                             "Reference path \"" + path + "\" must point to array."});
  }
  run.Inspect("afterItemsPath", items);
  // Each item through the ItemSelector, then (with an ItemBatcher) into batches: the
  // iterations the Map would run.
  size_t iterations = items.as_array().size();
  if (state.parameters || state.item_batcher) {
    std::vector<json::Value> selected;
    int64_t index = 0;
    for (const json::Value& item : items.as_array()) {
      if (!state.parameters) {
        selected.push_back(item);
        continue;
      }
      TestContext item_context;
      item_context.variables = run.context.variables;
      item_context.context = run.context.context.With(
          "Map", json::Value::MakeObject({{"Item", json::Value::MakeObject({
                                                       {"Index", json::Value::Int(index++)},
                                                       {"Value", item},
                                                   })}}));
      Result<json::Value> v = state.parameters->Evaluate(*eff, item_context);
      if (!v.ok()) return Failed(run, std::move(v).error());
      selected.push_back(std::move(v).value());
    }
    if (state.parameters) run.Inspect("afterItemSelector", json::Value::MakeArray(selected));
    if (state.item_batcher) {
      const asl::ItemBatcher& batcher = *state.item_batcher;
      MapBatchLimits limits;
      if (batcher.max_items_per_batch.present()) {
        Result<int64_t> n =
            ResolveInt(run, batcher.max_items_per_batch, *eff, "MaxItemsPerBatchPath", 1);
        if (!n.ok()) return Failed(run, std::move(n).error());
        limits.max_items = *n;
      }
      if (batcher.max_input_bytes_per_batch.present()) {
        Result<int64_t> n = ResolveInt(run, batcher.max_input_bytes_per_batch, *eff,
                                       "MaxInputBytesPerBatchPath", 1);
        if (!n.ok()) return Failed(run, std::move(n).error());
        limits.max_bytes = *n;
      }
      if (batcher.batch_input) {
        Result<json::Value> batch_input = batcher.batch_input->Evaluate(*eff, run.context);
        if (!batch_input.ok()) return Failed(run, std::move(batch_input).error());
        limits.batch_input = std::move(batch_input).value();
      }
      std::vector<json::Value> batches = BatchMapItems(std::move(selected), limits);
      iterations = batches.size();
      run.Inspect("afterItemBatcher", json::Value::MakeArray(std::move(batches)));
    }
  }
  int64_t max_concurrency = 0;
  if (state.max_concurrency.present()) {
    Result<int64_t> n = ResolveInt(run, state.max_concurrency, *eff, "MaxConcurrencyPath");
    if (!n.ok()) return Failed(run, std::move(n).error());
    max_concurrency = *n;
  }
  run.Inspect("maxConcurrency", json::Value::Int(max_concurrency));
  std::optional<int64_t> tolerated_count;
  if (state.tolerated_failure_count.present()) {
    Result<int64_t> n =
        ResolveInt(run, state.tolerated_failure_count, *eff, "ToleratedFailureCountPath");
    if (!n.ok()) return Failed(run, std::move(n).error());
    tolerated_count = *n;
    run.Inspect("toleratedFailureCount", json::Value::Int(*n));
  }
  std::optional<double> tolerated_percent;
  if (state.tolerated_failure_percentage.present()) {
    if (state.tolerated_failure_percentage.value) {
      tolerated_percent = *state.tolerated_failure_percentage.value;
    } else {
      const asl::JsonPath& path = *state.tolerated_failure_percentage.path;
      std::optional<json::Value> v = EvaluatePath(path, *eff, run.context);
      if (!v) return Failed(run, NoResultsForPath(path.text()));
      std::optional<double> n = NumberValue(*v);
      if (!n || *n < 0 || *n > 100) {
        return Failed(
            run, Error{std::string(kStatesRuntime),
                       "The ToleratedFailurePercentagePath field refers to value \"" +
                           MessageText(*v) + "\" which is not a valid percentage: " + path.text()});
      }
      tolerated_percent = *n;
    }
    const double p = *tolerated_percent;  // a double, as AWS shows it (1.0)
    run.Inspect("toleratedFailurePercentage", json::Value::Double(p));  // 1.0, as AWS shows it
  }
  if (!run.mock_result) return Failed(run, MockedError(run));
  // The test's own threshold: only what the state sets (no distributed-mode default).
  MapFailureTolerance tolerance =
      MapFailureTolerance::For(tolerated_count, tolerated_percent, /*distributed=*/false);
  const int64_t failed = run.request.map_iteration_failure_count.value_or(0);
  if (tolerance.applies && !tolerance.Tolerates(static_cast<size_t>(failed), iterations)) {
    return Failed(run, Error{std::string(kStatesExceedToleratedFailureThreshold),
                             "The specified tolerated failure threshold was exceeded"});
  }
  Finish(run, *run.mock_result, /*show_result=*/false);
}

void RunParallel(TestRun& run) {
  std::optional<json::Value> eff = EffectiveInput(run);
  if (!eff) return;
  if (!run.mock_result) return Failed(run, MockedError(run));
  Finish(run, *run.mock_result, /*show_result=*/false);
}

}  // namespace

void Run(std::shared_ptr<TestRun> run) {
  run->Inspect("input", run->input);
  if (run->state->jsonata) return RunJsonata(std::move(run));
  switch (run->state->type) {
    case StateType::kPass:
      return RunPass(*run);
    case StateType::kTask:
      return RunTask(std::move(run));
    case StateType::kChoice:
      return RunChoice(*run);
    case StateType::kWait:
      return RunWait(*run);
    case StateType::kSucceed: {
      std::optional<json::Value> eff = EffectiveInput(*run);
      if (!eff) return;
      return PassOn(*run, std::move(*eff), nullptr, "");
    }
    case StateType::kFail:
      return RunFail(*run);
    case StateType::kMap:
      return RunMap(*run);
    case StateType::kParallel:
      return RunParallel(*run);
  }
}

}  // namespace stator::engine::test_state
