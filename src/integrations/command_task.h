// CommandTaskRunner: serves a Task state by running a local program (`stator run --task-command
// State=./script`).
//
// Protocol, one process per task attempt:
//   stdin   the task's effective input (after InputPath/Parameters) as compact JSON text;
//   env     the inherited environment plus STATOR_STATE_NAME and STATOR_RESOURCE;
//   stdout  on exit status 0: the task result as JSON text (empty output means null);
//   exit    non-zero: the task fails. If stdout (or else stderr) is a JSON object with a string
//           "Error" (and optionally "Cause"), those are the error and cause; otherwise the error
//           is "States.TaskFailed" and the cause is stderr with its trailing newline removed.
// Invalid JSON on stdout after exit 0 fails the task with States.TaskFailed and a cause that
// says so. A program that cannot be started fails the task with States.TaskFailed. When the
// Task's TimeoutSeconds passes (real time), the process group is killed and the task fails with
// States.Timeout.
//
// Start runs the program synchronously on the calling thread and calls done before returning.
//
// Thread-safety: Start may be called from several threads at once.
#pragma once

#include <string>
#include <vector>

#include "engine/execution.h"

namespace stator::integrations {

class CommandTaskRunner : public engine::TaskRunner {
 public:
  // argv: the program and its arguments (see SplitCommandLine in subprocess.h).
  explicit CommandTaskRunner(std::vector<std::string> argv);

  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override;

  // Runs the command for request and returns the outcome (what Start passes to done).
  engine::TaskOutcome Run(const engine::TaskRequest& request) const;

 private:
  std::vector<std::string> argv_;
  std::string display_;  // the command as shown in causes
};

}  // namespace stator::integrations
