// Error policy: which ASL errors Retry and Catch may handle, how ErrorEquals matches an error
// name, and how long a retrier waits before the next attempt.
//
// Rules (as Step Functions applies them):
//   - States.Runtime and States.DataLimitExceeded are terminal: no retrier or catcher handles
//     them, whatever its ErrorEquals says; the execution fails.
//   - "States.ALL" matches every other error.
//   - "States.TaskFailed" matches every other error except States.Timeout (and
//     States.HeartbeatTimeout, which is a kind of timeout).
//   - "States.Timeout" matches States.Timeout and States.HeartbeatTimeout.
//   - Any other name matches exactly (case-sensitive).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "asl/state_machine.h"

namespace stator::engine {

// Well-known error names.
inline constexpr std::string_view kStatesAll = "States.ALL";
inline constexpr std::string_view kStatesRuntime = "States.Runtime";
inline constexpr std::string_view kStatesDataLimitExceeded = "States.DataLimitExceeded";
inline constexpr std::string_view kStatesTaskFailed = "States.TaskFailed";
inline constexpr std::string_view kStatesTimeout = "States.Timeout";
inline constexpr std::string_view kStatesHeartbeatTimeout = "States.HeartbeatTimeout";
inline constexpr std::string_view kStatesNoChoiceMatched = "States.NoChoiceMatched";
// A JSONata expression failed, or gave a value of the wrong type (JSONata states).
inline constexpr std::string_view kStatesQueryEvaluationError = "States.QueryEvaluationError";
inline constexpr std::string_view kStatesExceedToleratedFailureThreshold =
    "States.ExceedToleratedFailureThreshold";

// True for errors that fail the execution outright (never retried or caught).
bool IsTerminalError(std::string_view error);

// True when one of error_equals matches error (terminal errors never match).
bool ErrorMatches(const std::vector<std::string>& error_equals, std::string_view error);

// The delay before retry number `attempt` (1-based) of retrier r, in milliseconds:
// IntervalSeconds * BackoffRate^(attempt-1), capped by MaxDelaySeconds; with JitterStrategy FULL
// a uniformly random value in [0, that]. random01 is a number in [0, 1) used for the jitter.
int64_t RetryDelayMillis(const asl::Retrier& r, int64_t attempt, double random01);

}  // namespace stator::engine
