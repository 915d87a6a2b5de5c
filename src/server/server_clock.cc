#include "server/server_clock.h"

#include <cmath>

namespace stator::server {

ScaledClock::ScaledClock(double real_seconds_per_second)
    : scale_(real_seconds_per_second),
      start_millis_(SystemClock().NowMillis()),
      start_(std::chrono::steady_clock::now()) {}

int64_t ScaledClock::NowMillis() const {
  double real_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  return start_millis_ + static_cast<int64_t>(std::floor(real_ms / scale_));
}

ServerClock MakeServerClock(double time_scale) {
  ServerClock c;
  if (time_scale == 0) {
    c.clock = std::make_unique<VirtualClock>(SystemClock().NowMillis());
  } else if (time_scale == 1) {
    c.clock = std::make_unique<SystemClock>();
  } else {
    c.clock = std::make_unique<ScaledClock>(time_scale);
    if (time_scale < 1) c.tick_millis = 5;
  }
  return c;
}

}  // namespace stator::server
