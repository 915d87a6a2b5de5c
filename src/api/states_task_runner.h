// StatesTaskRunner: Task states that start executions of this server's own state machines.
//
//   arn:aws:states:::states:startExecution          starts one; the result is its ARN and start
//   arn:aws:states:::states:startExecution.sync     ... and waits for its end: the result
//   arn:aws:states:::states:startExecution.sync:2   describes it (Input/Output as JSON text, or
//                                                   as JSON values with :2); a child that does
//                                                   not succeed fails the task (States.TaskFailed)
//   arn:aws:states:::aws-sdk:sfn:startExecution     the StartExecution response, SDK-style
//
// Parameters as AWS takes them: StateMachineArn (required), Input (a JSON value, serialised; a
// string as it is; absent or null: {}), Name. The child is started in-process through the same
// operations the API serves (no HTTP), so it gets every check StartExecution makes.
//
// Ownership: borrows the StatesService (set with SetService before any execution starts).
// Thread-safety: Start may be called from any thread once the service is set.
#pragma once

#include <atomic>
#include <string>

#include "engine/execution.h"

namespace stator::api {

class StatesService;

class StatesTaskRunner : public engine::TaskRunner {
 public:
  static bool Accepts(const std::string& resource);

  void SetService(StatesService* service) { service_.store(service); }
  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override;

 private:
  std::atomic<StatesService*> service_{nullptr};
};

}  // namespace stator::api
