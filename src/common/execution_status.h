// ExecutionStatus: where a Step Functions execution stands, as the API names it. One vocabulary
// for the engine (an execution's result), the store (its record) and the API (its answers).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace stator {

enum class ExecutionStatus : uint8_t { kRunning, kSucceeded, kFailed, kTimedOut, kAborted };

// "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"; and back (nullopt for anything else).
const char* ExecutionStatusName(ExecutionStatus s);
std::optional<ExecutionStatus> ParseExecutionStatus(std::string_view name);

}  // namespace stator
