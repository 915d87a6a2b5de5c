// ScaledClock: a clock for `stator run --time-scale S` with 0 < S != 1, where S is real seconds
// per execution second (0.01 runs a 60 s Wait in 0.6 s).
//
// It starts at the wall-clock time and then advances at 1/S of real speed. It presents itself as
// virtual (is_virtual), so the engine calls AdvanceTo instead of sleeping; AdvanceTo sleeps the
// scaled real time until the clock reaches the target. (S == 0 is VirtualClock, S == 1 is
// SystemClock; see common/clock.h.)
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace stator::cli {

class ScaledClock : public Clock {
 public:
  explicit ScaledClock(double real_seconds_per_second);

  int64_t NowMillis() const override;
  bool is_virtual() const override { return true; }
  void AdvanceTo(int64_t millis) override;

 private:
  double scale_;
  int64_t start_millis_;  // wall-clock time at construction
  std::chrono::steady_clock::time_point start_;
};

}  // namespace stator::cli
