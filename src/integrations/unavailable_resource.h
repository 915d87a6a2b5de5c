// UnavailableResourceRunner: the default TaskRunner of `stator run`, for Task resources that no
// command or mock serves. `stator run` has no AWS services behind it, so every such task fails
// the way AWS fails a call to a resource that does not exist:
//   Lambda function ARN or lambda:invoke  -> Lambda.ResourceNotFoundException,
//       "Function not found: <function ARN> (Service: AWSLambda; Status Code: 404; ...)"
//   states:startExecution(.sync, ...)     -> StepFunctions.StateMachineDoesNotExistException,
//       "State Machine Does Not Exist: '<ARN>' (Service: AWSStepFunctions; Status Code: 400; ...)"
// Resources for which there is no such answer (activities, which would wait for a worker
// forever, other service integrations, unknown ARNs) fail with States.Runtime and a cause that
// names the state and the resource and says how to serve it.
//
// Thread-safety: Start may be called from several threads at once.
#pragma once

#include <string>

#include "engine/execution.h"

namespace stator::integrations {

class UnavailableResourceRunner : public engine::TaskRunner {
 public:
  // account and region complete partial Lambda function names into ARNs.
  UnavailableResourceRunner(std::string account, std::string region);

  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override;

  // The failure for request (what Start passes to done).
  Error FailureFor(const engine::TaskRequest& request) const;

 private:
  std::string account_;
  std::string region_;
};

// The full ARN Lambda resolves a FunctionName parameter to: a name ("f", "f:alias"), a partial
// ARN ("123456789012:function:f") or a full ARN (returned as is).
std::string LambdaFunctionArn(const std::string& function_name, const std::string& account,
                              const std::string& region);

}  // namespace stator::integrations
