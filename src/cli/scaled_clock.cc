#include "cli/scaled_clock.h"

#include <cmath>
#include <thread>

namespace stator::cli {

ScaledClock::ScaledClock(double real_seconds_per_second)
    : scale_(real_seconds_per_second),
      start_millis_(SystemClock().NowMillis()),
      start_(std::chrono::steady_clock::now()) {}

int64_t ScaledClock::NowMillis() const {
  double real_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  return start_millis_ + static_cast<int64_t>(std::floor(real_ms / scale_));
}

void ScaledClock::AdvanceTo(int64_t millis) {
  // The clock reaches `millis` when real elapsed time reaches (millis - start) * scale.
  auto target = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double, std::milli>(
                                 static_cast<double>(millis - start_millis_) * scale_));
  while (NowMillis() < millis) {
    std::this_thread::sleep_until(target);
    target += std::chrono::microseconds(100);  // rounding: nudge until the reading catches up
  }
}

}  // namespace stator::cli
