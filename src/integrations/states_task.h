// StatesTaskRunner: Task states that start executions of the server's own state machines.
//
//   arn:aws:states:::states:startExecution          starts one; the result is its ARN and start
//   arn:aws:states:::states:startExecution.sync     ... and waits for its end: the result
//   arn:aws:states:::states:startExecution.sync:2   describes it (Input/Output as JSON text, or
//                                                   as JSON values with :2); a child that does
//                                                   not succeed fails the task (States.TaskFailed)
//   arn:aws:states:::aws-sdk:sfn:startExecution     the StartExecution response, SDK-style
//
// Parameters as AWS takes them: StateMachineArn (required), Input (a JSON value, serialised; a
// string as it is; absent or null: {}), Name. The child is started through the server's own
// Step Functions operations (StepFunctionsApi, in process, no HTTP), so it gets every check
// StartExecution makes.
//
// Ownership: borrows the StepFunctionsApi (set with SetApi before any execution starts; it
// must outlive every execution that can run a Task here).
// Thread-safety: Start may be called from any thread once the API is set.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "common/api_error.h"
#include "common/json.h"
#include "engine/execution.h"

namespace stator::integrations {

// The Step Functions API of the server a StatesTaskRunner runs in, called in process.
class StepFunctionsApi {
 public:
  virtual ~StepFunctionsApi() = default;
  // Runs `operation` ("StartExecution", "DescribeExecution", ...) on a request body as the AWS
  // JSON protocol takes it, with the same validation; `done` exactly once, from any thread.
  virtual void Call(std::string_view operation, const json::Value& input,
                    std::function<void(ApiResult<json::Value>)> done) = 0;
  // Calls `fn` once the Standard execution `arn` has ended and its end is committed; right
  // away when it is not running.
  virtual void WhenEnded(const std::string& arn, std::function<void()> fn) = 0;
};

class StatesTaskRunner : public engine::TaskRunner {
 public:
  static bool Accepts(const std::string& resource);

  void SetApi(StepFunctionsApi* api) { api_.store(api); }
  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override;

 private:
  std::atomic<StepFunctionsApi*> api_{nullptr};
};

}  // namespace stator::integrations
