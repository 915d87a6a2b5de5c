#include "common/execution_status.h"

namespace stator {

const char* ExecutionStatusName(ExecutionStatus s) {
  switch (s) {
    case ExecutionStatus::kRunning:
      return "RUNNING";
    case ExecutionStatus::kSucceeded:
      return "SUCCEEDED";
    case ExecutionStatus::kFailed:
      return "FAILED";
    case ExecutionStatus::kTimedOut:
      return "TIMED_OUT";
    case ExecutionStatus::kAborted:
      return "ABORTED";
  }
  return "RUNNING";
}

std::optional<ExecutionStatus> ParseExecutionStatus(std::string_view name) {
  for (ExecutionStatus s :
       {ExecutionStatus::kRunning, ExecutionStatus::kSucceeded, ExecutionStatus::kFailed,
        ExecutionStatus::kTimedOut, ExecutionStatus::kAborted}) {
    if (name == ExecutionStatusName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace stator
