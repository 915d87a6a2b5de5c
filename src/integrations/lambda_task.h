// LambdaTaskRunner: Task states that call functions, run in-process on the FunctionRuntime (no
// HTTP between the engine and a worker).
//
// Resources it serves (Accepts):
//   arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]  result = the function's payload;
//       a handler error fails the task with error = its errorType, cause = the error JSON
//   arn:aws:states:::lambda:invoke  Parameters {FunctionName, Payload, Qualifier,
//       InvocationType, LogType, ClientContext}; result = {ExecutedVersion, Payload,
//       SdkHttpMetadata, SdkResponseMetadata, StatusCode} as Step Functions returns it
//   NAME  (KNIX: a bare function name) as a function ARN
// Errors as Step Functions reports them: Lambda.ResourceNotFoundException,
// Lambda.TooManyRequestsException, Lambda.ServiceException, Lambda.Unknown (a function that
// timed out: its payload has no error type Step Functions recognises).
// Task invocations wait for a free instance rather than being throttled.
//
// An output observer (SetOutputObserver, before the first Start) may give each invocation a
// Task makes an output sink (runtime.h), which gets the function's log lines while it runs: the
// KNIX front door keeps its workflows' logs with it.
//
// Ownership: borrows the registry and the runtime (they must outlive it).
// Thread-safety: Start may be called from any thread; completions (and output sinks) run on the
// runtime's thread.
#pragma once

#include <functional>
#include <string>

#include "engine/execution.h"
#include "functions/registry.h"
#include "functions/runtime.h"

namespace stator::integrations {

class LambdaTaskRunner : public engine::TaskRunner {
 public:
  LambdaTaskRunner(functions::FunctionRegistry* registry, functions::FunctionRuntime* runtime,
                   std::string region, std::string account)
      : registry_(registry),
        runtime_(runtime),
        region_(std::move(region)),
        account_(std::move(account)) {}

  // True for the resources above.
  static bool Accepts(const std::string& resource);

  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override;

  // Asked for each invocation a Task makes (but an Event invocation of lambda:invoke), with the
  // Task's request and the invocation's request id: the invocation's output sink, or an empty
  // one (then its log comes with its result only).
  using OutputObserver = std::function<functions::OutputSink(const engine::TaskRequest& request,
                                                             const std::string& request_id)>;
  void SetOutputObserver(OutputObserver observer) { output_observer_ = std::move(observer); }

  // Prepares each invocation a Task makes for the platform (runtime.h: the handler of its
  // platform calls, its context, its time limit) and answers what to call once that invocation
  // is over, before the Task completes (may be empty); an error fails the Task with it. Set
  // before the first Start.
  using Ended = std::function<void()>;
  using Platform = std::function<Result<Ended>(const engine::TaskRequest& request,
                                               functions::Invocation* invocation)>;
  void SetPlatform(Platform platform) { platform_ = std::move(platform); }

 private:
  functions::FunctionRegistry* registry_;
  functions::FunctionRuntime* runtime_;
  std::string region_;
  std::string account_;
  OutputObserver output_observer_;
  Platform platform_;
};

}  // namespace stator::integrations
