// The clock of `stator serve --time-scale S` (S = real seconds per execution second), shared
// by everything the server does (creation dates, executions, history timestamps):
//   S == 0  VirtualClock: time moves only when the scheduler has nothing to run, jumping to the
//           next timer (a 60 s Wait passes at once; the history still shows the 60 s);
//   S == 1  SystemClock, the wall clock;
//   other   ScaledClock: starts at the wall-clock time and runs 1/S times as fast.
//
// Thread-safety: the clocks may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include "common/clock.h"

namespace stator::server {

struct ServerClock {
  std::unique_ptr<Clock> clock;
  // How often the scheduler must be woken (real milliseconds; 0: never). The scheduler sleeps
  // until a timer as if clock milliseconds were real ones, which is too long when the clock
  // runs faster than real time; waking it regularly bounds the lateness.
  int64_t tick_millis = 0;
};

ServerClock MakeServerClock(double time_scale);

}  // namespace stator::server
