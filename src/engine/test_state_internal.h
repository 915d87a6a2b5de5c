// The internals of TestState (test_state.h): the prepared test (test_state.cc validates and
// prepares it) and the running of its state (test_state_run.cc).
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

// Runs the prepared test and answers run->done.
void Run(std::shared_ptr<TestRun> run);

}  // namespace stator::engine::test_state
