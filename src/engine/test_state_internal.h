// The internals of TestState (test_state.h): the prepared test (test_state.cc validates and
// prepares it) and the running of its state (test_state_run.cc; a JSONata state's in
// test_state_jsonata.cc).
//
// Ownership: a TestRun is shared by the steps of one test (a Task's completion may run on the
// task runner's thread); nothing in it is shared between tests.
// Thread-safety: a TestRun is used by one thread at a time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "asl/context.h"
#include "asl/state_machine.h"
#include "common/api_error.h"
#include "common/json.h"
#include "engine/execution.h"
#include "engine/test_state.h"

namespace stator::engine::test_state {

// The context object and the workflow variables the state's paths see.
class TestContext : public asl::Context {
 public:
  const json::Value& Get() const override { return context; }
  const json::Value* Variable(std::string_view name) const override { return variables.Find(name); }

  json::Value context;
  json::Value variables = json::Value::EmptyObject();
};

struct TestRun {
  TestStateRequest request;
  std::shared_ptr<const asl::StateMachine> machine;
  const asl::State* state = nullptr;
  json::Value raw_state;  // the state's definition JSON
  json::Value input;
  std::optional<json::Value> mock_result;
  std::optional<json::Value> item_reader_data;
  TestContext context;
  TaskRunner* runner = nullptr;
  std::function<void(ApiResult<json::Value>)> done;

  // inspectionData, by member name (written out in the model's order).
  std::map<std::string, json::Value> inspection;
  void Inspect(const std::string& key, json::Value v) { inspection[key] = std::move(v); }
};

// What a JSONata state's expressions see in a test: `$states` ({input, context, result?,
// errorOutput?}) over the test's context object, and the test's variables (looked up by the
// names of the machine's VariableTable ids). The pointed-to values must outlive the scope.
class TestJsonataScope : public asl::JsonataScope {
 public:
  TestJsonataScope(const TestRun* run, const json::Value* input,
                   const json::Value* result = nullptr, const json::Value* error_output = nullptr)
      : run_(run), input_(input), result_(result), error_output_(error_output) {}
  const json::Value* States() const override;
  const json::Value* Variable(uint32_t id) const override;

 private:
  const TestRun* run_;
  const json::Value* input_;
  const json::Value* result_;
  const json::Value* error_output_;
  mutable std::optional<json::Value> states_;
};

// Runs the prepared test and answers run->done.
void Run(std::shared_ptr<TestRun> run);
// The same for a JSONata state (test_state_jsonata.cc).
void RunJsonata(std::shared_ptr<TestRun> run);

// Shared by both: answers the test (inspectionData at DEBUG and TRACE); a failure of the state
// through its Retry and Catch; the error output {"Error", "Cause"?}.
void Answer(TestRun& run, const char* status, const std::optional<json::Value>& output,
            const std::optional<Error>& error, const std::string& next_state);
void Failed(TestRun& run, Error e);
json::Value ErrorOutput(const Error& e);
// A failed JSONata evaluation as the state's error (States.QueryEvaluationError).
Error QueryError(const asl::QueryFailure& failure);
// Merges assigned values ({"name": value, ...}) into the test's variables.
void MergeVariables(TestRun& run, const json::Value& values);
// The mocked errorOutput as an error.
Error MockedError(const TestRun& run);

}  // namespace stator::engine::test_state
