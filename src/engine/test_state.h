// TestState: runs one state of a definition once, as Step Functions' TestState action does, and
// answers with its outcome (status, output or error and cause, nextState) and, at inspection
// level DEBUG or TRACE, the data at each step of the state's input and output processing.
//
// The state is either the whole definition (one state's JSON) or, with stateName, a state (at any
// depth) of a complete state machine definition. What it does:
//   - Pass, Wait, Choice, Succeed, Fail run as in an execution (a Wait does not wait);
//   - a Task calls its resource through the TaskRunner (the server's routes: functions, DynamoDB,
//     ...), or takes mock.result / mock.errorOutput instead; a mocked result is first validated
//     against the API's output shape (test_state_shapes.h);
//   - Map and Parallel must be mocked: the mock is the state's result (Map: an array, or with a
//     ResultWriter an object; Parallel: an array with one item per branch), then
//     stateConfiguration.mapIterationFailureCount is weighed against the tolerated failure
//     threshold (when the Map sets one).
// A failure goes through the state's Retry (a matching retrier with attempts left, counting
// stateConfiguration.retrierRetryCount as done: status RETRIABLE, with the back-off) and Catch
// (status CAUGHT_ERROR, nextState the catcher's Next), else status FAILED.
//
// The context object is the request's `context` when given, else one made for the test: an
// Express execution of a state machine with generated names, started now, with the request's
// input and roleArn. Workflow variables are the request's `variables`; the state's Assign shows
// in inspectionData.variables.
//
// A JSONata state (QueryLanguage JSONata, its own or the machine's) runs the same way with
// Arguments, Output and Assign over $states ({input, context, result, errorOutput}), its
// catchers' Output and Assign over $states.errorOutput; a failed expression is
// States.QueryEvaluationError.
//
// Errors are the API's: InvalidDefinition (the definition, a Map/Parallel state without a mock),
// ValidationException (the checks of test_state.cc's Prepare, in AWS's order and with AWS's
// messages where recorded), InvalidExecutionInput (input that is not JSON). docs/api.md (TestState)
// lists them.
//
// Thread-safety: RunTestState may be called from any thread; `done` runs on the caller's thread
// (mocked and local states) or on the task runner's (a Task that calls its resource).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/api_error.h"
#include "common/json.h"
#include "engine/execution.h"
#include "engine/test_state_shapes.h"

namespace stator::engine {

enum class InspectionLevel { kInfo, kDebug, kTrace };

struct TestStateRequest {
  std::string definition;  // as sent
  std::optional<std::string> state_name;
  std::optional<std::string> role_arn;
  std::optional<std::string> input;  // JSON text; absent: {}
  InspectionLevel level = InspectionLevel::kInfo;
  bool reveal_secrets = false;
  std::optional<std::string> variables;  // JSON text of an object
  std::optional<std::string> context;    // JSON text of the context object

  struct Mock {
    std::optional<std::string> result;  // JSON text
    bool has_error_output = false;
    std::optional<std::string> error;
    std::optional<std::string> cause;
    MockValidationMode mode = MockValidationMode::kStrict;
  };
  std::optional<Mock> mock;

  std::optional<int64_t> retrier_retry_count;
  std::optional<std::string> error_caused_by_state;
  std::optional<int64_t> map_iteration_failure_count;
  std::optional<std::string> map_item_reader_data;  // JSON text

  // Where the test runs: ARNs of the made-up context object, and its times.
  std::string partition = "aws";
  std::string region = "us-east-1";
  std::string account = "123456789012";
  int64_t now_ms = 0;
};

// Reads TestState's request body (members as botocore's TestStateInput names them, already
// checked against its shape) into a request; the environment fields keep their defaults.
TestStateRequest TestStateRequestFromJson(const json::Value& body);

// Runs the test; `done` gets TestState's response body ({"status", "output"?, "error"?,
// "cause"?, "nextState"?, "inspectionData"?}) or the API error. `runner` calls the resources of
// unmocked Task states; it must outlive the call.
void RunTestState(const TestStateRequest& request, TaskRunner* runner,
                  std::function<void(ApiResult<json::Value>)> done);

}  // namespace stator::engine
