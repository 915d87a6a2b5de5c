// TimerTriggers: the clock of KNIX's timer triggers (knix-protocol.md §1.7; KNIX's
// TriggersFrontend/src/timer_trigger.rs). A timer trigger whose record lists at least one
// associated workflow is *armed*: every timer_interval_ms, one node of the cluster (or the
// single server) claims the tick and calls Fire, which delivers the timer event to the
// trigger's workflows (KnixService::DeliverTimer).
//
// Ticks are claimed in the store, so that a trigger fires once per interval across every node
// sharing it: each armed trigger has a tick record
//   knix.trigger_ticks  USER/NAME  {"next_ms": N, "count": C}
// and a node whose timer is due claims the tick with a compare-and-set of that record
// (next_ms := now + interval, count + 1); the node whose write lands fires, the others see the
// new next_ms and wait for it. A tick record that does not exist is never claimed: arming
// creates it (next_ms one interval ahead), deleting the trigger deletes it, so a trigger that
// another node deleted does not come back. Arming an armed trigger whose next_ms has passed
// (after a restart, or when it gets its first workflow again) moves next_ms to one interval
// ahead: ticks that nobody was there to fire are not caught up.
//
// Time is the wall clock (system_clock, milliseconds since the epoch), whatever the server's
// clock is: under `--time-scale 0` (virtual time) or a scaled clock timers still tick in real
// time. A timer trigger is an event source outside the workflows, as KNIX's TriggersFrontend
// is; following a virtual clock that jumps to the next due timer would make it spin.
//
// The set of armed triggers is read from the trigger records at Start, re-read for one trigger
// when this node changes it (Changed), and, when other nodes share the store, re-read in full
// every Options::rescan_ms (so that a change made on another node takes effect within that).
//
// Ownership: borrows the store (must outlive it); owns its thread (Start/Stop).
// Thread-safety: every method may be called from any thread; Fire runs on the timer thread,
// never under a lock of this class, and must not block for long.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "common/result.h"
#include "store/store.h"

namespace stator::knix {

inline constexpr const char* kTriggersKind = "knix.triggers";
inline constexpr const char* kTriggerTicksKind = "knix.trigger_ticks";

// KNIX's smallest timer interval (TriggersFrontend refuses smaller ones).
inline constexpr int64_t kMinTimerIntervalMs = 20;

class TimerTriggers {
 public:
  // Delivers one claimed tick of the trigger USER/NAME.
  using Fire = std::function<void(const std::string& key)>;
  struct Options {
    bool shared_store = false;  // other nodes change trigger records: rescan them
    int64_t rescan_ms = 1000;
  };

  TimerTriggers(store::Store* store, Fire fire, Options options);
  ~TimerTriggers();  // as Stop
  TimerTriggers(const TimerTriggers&) = delete;
  TimerTriggers& operator=(const TimerTriggers&) = delete;

  // Arms the triggers the records say are armed and starts the timer thread.
  void Start() EXCLUDES(mu_);
  // Stops the thread; Fire is not called once it has returned.
  void Stop() EXCLUDES(mu_);

  // The record of trigger `key` was written or deleted on this node: armed or disarmed now.
  void Changed(const std::string& key) EXCLUDES(mu_);

  // How many ticks the trigger has fired (its tick record's count; 0 without one).
  Result<int64_t> Count(const std::string& key);

  static int64_t WallMillis();

 private:
  struct Armed {
    int64_t interval_ms = 0;
    int64_t due_ms = 0;  // wall clock: when to try to claim the next tick
  };

  void Run() EXCLUDES(mu_);
  // Reads the trigger record and its tick record: the trigger's Armed state, or nullopt when
  // it is not armed. Creates (or moves forward) the tick record as arming does.
  std::optional<Armed> Load(const std::string& key);
  // Tries to claim the tick of an armed trigger that is due; calls fire_ when claimed. The
  // trigger's next due time, or nullopt when its record says it is no longer armed (changed
  // on another node).
  std::optional<int64_t> Tick(const std::string& key, int64_t interval_ms);
  void Reload(const std::string& key) EXCLUDES(mu_);
  void Rescan() EXCLUDES(mu_);

  store::Store* const store_;
  const Fire fire_;
  const Options options_;
  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool started_ GUARDED_BY(mu_) = false;
  std::set<std::string> changed_ GUARDED_BY(mu_);  // keys to re-read
  std::map<std::string, Armed> armed_;             // the timer thread's only
  std::thread thread_;
};

}  // namespace stator::knix
