#include "engine/error_policy.h"

#include <cmath>

namespace stator::engine {

bool IsTerminalError(std::string_view error) {
  return error == kStatesRuntime || error == kStatesDataLimitExceeded;
}

bool ErrorMatches(const std::vector<std::string>& error_equals, std::string_view error) {
  if (IsTerminalError(error)) return false;
  const bool is_timeout = error == kStatesTimeout || error == kStatesHeartbeatTimeout;
  for (const std::string& e : error_equals) {
    if (e == kStatesAll) return true;
    if (e == error) return true;
    if (e == kStatesTaskFailed && !is_timeout) return true;
    if (e == kStatesTimeout && is_timeout) return true;
  }
  return false;
}

int64_t RetryDelayMillis(const asl::Retrier& r, int64_t attempt, double random01) {
  double seconds = static_cast<double>(r.interval_seconds) *
                   std::pow(r.backoff_rate, static_cast<double>(attempt - 1));
  if (r.max_delay_seconds && seconds > static_cast<double>(*r.max_delay_seconds)) {
    seconds = static_cast<double>(*r.max_delay_seconds);
  }
  // Guard against overflow from large backoff exponents: cap at one year.
  constexpr double kMaxSeconds = 365.0 * 24 * 3600;
  if (!(seconds < kMaxSeconds)) seconds = kMaxSeconds;
  if (r.jitter == asl::JitterStrategy::kFull) seconds *= random01;
  return static_cast<int64_t>(std::llround(seconds * 1000.0));
}

}  // namespace stator::engine
