#include "server/server_clock.h"

namespace stator::server {

ServerClock MakeServerClock(double time_scale) {
  ServerClock c;
  if (time_scale == 0) {
    c.clock = std::make_unique<VirtualClock>(SystemClock().NowMillis());
  } else if (time_scale == 1) {
    c.clock = std::make_unique<SystemClock>();
  } else {
    c.clock = std::make_unique<ScaledClock>(time_scale, ScaledClock::Waiting::kSchedulerSleeps);
    if (time_scale < 1) c.tick_millis = 5;
  }
  return c;
}

}  // namespace stator::server
