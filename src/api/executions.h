// Executions: what the Step Functions operations need of the service that runs executions —
// start one (Standard, Express, or Express synchronously), stop one, learn when one has ended,
// test one state (TestState) — and nothing of how executions run (the engine) or are kept (the
// store's group commit). server::ExecutionService implements it; the routes under routes/states/
// and the in-process Step Functions calls of Task states use it through StatesService.
//
// Contract of every implementation:
//   - A Standard start answers only once the execution's record is durable, and a stop only
//     once the execution's end is: nothing a client is told depends on an uncommitted step.
//   - Every callback runs exactly once, on an internal thread or on the caller's, and must not
//     block.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/api_error.h"
#include "common/json.h"
#include "store/store.h"

namespace stator::api {

class Executions {
 public:
  // What StartExecution / StartSyncExecution resolved from the request.
  struct StartRequest {
    store::StateMachine machine;                        // the unqualified state machine
    std::optional<store::StateMachineVersion> version;  // when started through a version/alias
    std::string alias_arn;                              // when started through an alias
    std::string name;                                   // execution name; "" = a generated UUID
    std::string input_text;                             // the input as sent
    json::Value input;                                  // input_text parsed
    std::string test_case;                              // mock test case; "" = none
    // KNIX workflows (the KNIX front door only): the definition is in the KNIX dialect
    // (asl::CompileOptions::knix), and on_result gets each result a walker delivers as it is
    // delivered (engine::ExecutionOptions::on_result), on the execution's thread; likewise
    // on_walkers_stopped and on_ended (engine::ExecutionOptions's).
    bool knix = false;
    std::function<void(const json::Value& result)> on_result;
    std::function<void(const std::vector<std::string>& states)> on_walkers_stopped;
    std::function<void(const std::string& execution_arn)> on_ended;
  };

  struct Started {
    std::string execution_arn;
    int64_t start_date_ms = 0;
  };

  // How a synchronous (Express) execution ended.
  struct SyncOutcome {
    std::string execution_arn;
    std::string name;
    int64_t start_date_ms = 0;
    int64_t stop_date_ms = 0;
    store::ExecutionStatus status = store::ExecutionStatus::kSucceeded;
    std::optional<json::Value> output;
    std::optional<std::string> error;
    std::optional<std::string> cause;
  };

  // How RedriveExecution went: the execution's redrive count now, and when it was redriven.
  struct Redriven {
    int64_t redrive_count = 0;
    int64_t redrive_date_ms = 0;
  };

  virtual ~Executions() = default;

  // Starts a Standard execution; `done` once its record is committed. Same name and input as a
  // running execution: that execution (idempotent); otherwise an existing name is
  // ExecutionAlreadyExists.
  virtual void StartStandard(StartRequest request,
                             std::function<void(ApiResult<Started>)> done) = 0;

  // Starts an Express execution in the background (not stored).
  virtual ApiResult<Started> StartExpress(StartRequest request) = 0;

  // Runs an Express execution; `done` when it ends.
  virtual void StartSync(StartRequest request,
                         std::function<void(ApiResult<SyncOutcome>)> done) = 0;

  // Stops a Standard execution: `done` with its stop date once its end is committed. An
  // execution that already ended is left as it is (done with its stop date).
  virtual void Stop(const std::string& execution_arn, const std::string& error,
                    const std::string& cause, std::function<void(ApiResult<int64_t>)> done) = 0;

  // Redrives a Standard execution that ended without succeeding (the caller checked that it
  // may be): it runs again on its stored history from the top-level state that did not
  // complete, after an ExecutionRedriven event; `done` once that event is committed.
  // ExecutionNotRedrivable when it is running, or another redrive got there first.
  virtual void Redrive(const std::string& execution_arn,
                       std::function<void(ApiResult<Redriven>)> done) = 0;

  // Calls `fn` once the Standard execution `arn` has ended and its end is committed; right
  // away when it is not running.
  virtual void WhenEnded(const std::string& arn, std::function<void()> fn) = 0;

  // Runs the TestState action on its request body (already checked against the operation's
  // input shape): `done` with the response body, or the API error. A Task state that is not
  // mocked calls its resource as an execution's Task state would.
  virtual void TestState(const json::Value& request,
                         std::function<void(ApiResult<json::Value>)> done) = 0;
};

}  // namespace stator::api
