// Clock: where stator reads the time. Injectable so that tests and --time-scale control time.
//
// Times are milliseconds since the Unix epoch (AWS history timestamps have millisecond precision).
// SystemClock reads the wall clock. VirtualClock only moves when told to: the engine advances it
// to the next timer when nothing else is runnable, so a Wait of 60 s passes instantly while the
// history still shows the 60 s.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

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

}  // namespace stator
