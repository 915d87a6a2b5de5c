// Clock: where stator reads the time. Injectable so that tests and --time-scale control time.
//
// Times are milliseconds since the Unix epoch (AWS history timestamps have millisecond precision).
// SystemClock reads the wall clock. VirtualClock only moves when told to: the engine advances it
// to the next timer when nothing else is runnable, so a Wait of 60 s passes instantly while the
// history still shows the 60 s. ScaledClock (--time-scale S, 0 < S != 1) starts at the wall-clock
// time and runs 1/S times as fast as it (S = real seconds per clock second: 0.01 runs a 60 s Wait
// in 0.6 s).
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace stator {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() const = 0;
  // True when time only moves by AdvanceTo (the scheduler then jumps to the next timer instead of
  // sleeping).
  virtual bool is_virtual() const { return false; }
  virtual void AdvanceTo(int64_t millis) {}
};

class SystemClock : public Clock {
 public:
  int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class VirtualClock : public Clock {
 public:
  explicit VirtualClock(int64_t start_millis) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(std::memory_order_acquire); }
  bool is_virtual() const override { return true; }
  void AdvanceTo(int64_t millis) override {
    int64_t cur = now_.load(std::memory_order_acquire);
    while (millis > cur && !now_.compare_exchange_weak(cur, millis)) {
    }
  }

 private:
  std::atomic<int64_t> now_;
};

class ScaledClock : public Clock {
 public:
  // How the engine waits for this clock's next timer:
  //   kSchedulerSleeps   a plain clock: the scheduler sleeps until the timer as if clock
  //                      milliseconds were real ones, which is too long when S < 1, so its owner
  //                      must wake it regularly (the server does, server/server_clock.h);
  //   kAdvanceToSleeps   it presents itself as virtual, and AdvanceTo sleeps the scaled real
  //                      time until the clock reaches the timer: for one thread that steps
  //                      everything (stator run).
  enum class Waiting { kSchedulerSleeps, kAdvanceToSleeps };

  ScaledClock(double real_seconds_per_second, Waiting waiting)
      : scale_(real_seconds_per_second),
        waiting_(waiting),
        start_millis_(SystemClock().NowMillis()),
        start_(std::chrono::steady_clock::now()) {}

  int64_t NowMillis() const override {
    const double real_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
            .count();
    return start_millis_ + static_cast<int64_t>(real_ms / scale_);
  }
  bool is_virtual() const override { return waiting_ == Waiting::kAdvanceToSleeps; }
  void AdvanceTo(int64_t millis) override {
    if (waiting_ != Waiting::kAdvanceToSleeps) return;
    // The clock reaches `millis` when real elapsed time reaches (millis - start) * scale.
    auto target = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double, std::milli>(
                                   static_cast<double>(millis - start_millis_) * scale_));
    while (NowMillis() < millis) {
      std::this_thread::sleep_until(target);
      target += std::chrono::microseconds(100);  // rounding: nudge until the reading catches up
    }
  }

 private:
  const double scale_;
  const Waiting waiting_;
  const int64_t start_millis_;  // wall-clock time at construction
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace stator
