// TaskCallbacks: what the activity and callback operations (GetActivityTask, SendTaskSuccess,
// SendTaskFailure, SendTaskHeartbeat) need of the service that holds the tasks waiting for a
// worker or a callback: hand out an activity's next task, and deliver a task token's outcome
// or heartbeat to the execution waiting on it. Nothing of the engine: server::CallbackService
// implements it.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/api_error.h"
#include "common/json.h"

namespace stator::api {

class TaskCallbacks {
 public:
  // A task handed to an activity worker.
  struct ActivityTask {
    std::string task_token;
    std::string input;  // JSON text
  };

  virtual ~TaskCallbacks() = default;

  // Long poll: `done` with the activity's next task as soon as one is scheduled (at once when
  // one waits), or with nullopt when none came within the poll time (60 s, as AWS). The caller
  // has checked that the activity exists. `done` runs exactly once, on any thread.
  virtual void PollActivity(const std::string& activity_arn, const std::string& worker_name,
                            std::function<void(std::optional<ActivityTask>)> done) = 0;

  // The outcome of the task a token names: InvalidToken (not a token this server made),
  // TaskDoesNotExist (its execution does not exist), TaskTimedOut (the task is closed: it timed
  // out, succeeded, failed or its execution ended).
  virtual std::optional<ApiError> Succeed(const std::string& task_token, json::Value output) = 0;
  virtual std::optional<ApiError> Fail(const std::string& task_token, const std::string& error,
                                       const std::string& cause) = 0;
  // Resets the task's HeartbeatSeconds timer; the same errors.
  virtual std::optional<ApiError> Heartbeat(const std::string& task_token) = 0;
};

}  // namespace stator::api
