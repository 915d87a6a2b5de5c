// Runner: fires every enabled schedule on time, each due time exactly once across restarts and
// across the nodes of a cluster.
//
// Each schedule with a next firing has a timer (timers.h) at its fire record's next_ms. When it
// is due, the runner's thread claims the firing with a compare-and-set of the fire record
// (catalog.h): next_ms := the schedule's next firing after now, count + 1. Only the node whose
// write lands runs the target; the others read the new next_ms and wait for it. So a firing is
// run at most once, and a firing claimed and then lost to a crash before its target ran is not
// run again (at most once, as on AWS without a retry policy). A server that was down past
// several due times fires once when it starts (the claim skips to the next time after now), as
// EventBridge does not back-fill.
//
// The set of timers follows the records: read in full at Start, one schedule re-read when this
// node changes it (Changed), and, when other nodes share the store, in full every rescan_ms of
// real time. A timer that turns out stale (the schedule was updated or disabled elsewhere) only
// re-reads it when due.
//
// Virtual time: the timers are the host's, so the clock jumps to a schedule's due time when
// nothing else runs; from the timer's firing until the target has answered (the function
// returned, the execution started) and the schedule's next timer is set, the runner holds the
// clock (Timers::Hold), and the next timer of a schedule is set only once its target has
// answered, so firings never pile up (even when the host lets the clock move on while a slow
// target runs). On a real clock the next timer is set at the claim: a slow target does not
// delay the next firing, as on AWS.
//
// Virtual time never spins: a recurring schedule alone would otherwise keep an idle server
// busy for ever (the clock jumps to its next firing as soon as the last one is done; a target
// that is gone fails as fast as the store can claim). So under virtual time one schedule fires
// at most once per virtual_pacing_ms (Options) of real time: a firing that comes due sooner waits
// on the runner's thread (not holding the clock) and is claimed then, with the due time it had. An
// idle server with a rate(1 minute) schedule runs it ten times a second, 600 times faster
// than real time, at a small cost.
//
// Ownership: borrows the catalog, timers and targets (they must outlive Stop).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "common/mutex.h"
#include "schedules/catalog.h"
#include "schedules/targets.h"
#include "schedules/timers.h"

namespace stator::schedules {

class Runner {
 public:
  struct Options {
    bool shared_store = false;  // other nodes write schedules: rescan every rescan_ms
    int64_t rescan_ms = 1000;
    // Virtual time: the least real time between two firings of one schedule (see above).
    int64_t virtual_pacing_ms = 100;
    std::string region = "us-east-1";
    std::string account = "123456789012";
  };

  Runner(Catalog* catalog, Timers* timers, Targets* targets, Options options);
  ~Runner();  // as Stop
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  void Start();
  // Cancels the timers and stops the thread; waits (a few seconds at most) for targets in flight.
  void Stop();
  // The schedule GROUP/NAME was written or deleted on this node.
  void Changed(const std::string& key);

 private:
  struct Work {
    std::string key;
    bool held = false;  // a timer's firing: Release once handled
    bool rescan = false;
    bool rearm = false;  // a target answered (virtual time): set the schedule's next timer
  };
  // Shared with timer callbacks and target completions, which may outlive a stopped Runner.
  struct Inbox {
    Mutex mu;
    CondVar wake;
    std::deque<Work> queue GUARDED_BY(mu);
    bool stopping GUARDED_BY(mu) = false;
    int64_t in_flight GUARDED_BY(mu) = 0;  // targets running
    // Failed targets are logged once per schedule and minute of real time (under virtual time
    // a schedule whose target is gone fails as fast as the clock jumps): when each schedule
    // last logged one, and how many failures were not logged since.
    std::map<std::string, std::pair<int64_t, int64_t>> failures GUARDED_BY(mu);
  };
  struct Armed {
    Timers::Id id = 0;
    int64_t due_ms = 0;
  };

  void Loop();
  void Handle(const Work& w);
  // Re-reads a schedule and sets (or cancels) its timer.
  void Arm(const std::string& key);
  void SetTimer(const std::string& key, int64_t due_ms);
  void Disarm(const std::string& key);
  void Rescan();
  // Logs a failed target (rate-limited, see Inbox::failures).
  static void LogFailure(Inbox* inbox, const std::string& key, const std::string& target,
                         const std::string& error);
  // A due timer: claims the firing and runs the target. True when a target was started (it
  // releases the hold itself).
  bool Due(const std::string& key);
  void Post(Work w);

  Catalog* const catalog_;
  Timers* const timers_;
  Targets* const targets_;
  const Options options_;
  std::shared_ptr<Inbox> inbox_;
  std::map<std::string, Armed> armed_;  // the runner thread's only
  // Virtual time: when each schedule last fired (real ms), and schedules whose due firing
  // waits for virtual_pacing_ms to pass (real ms): the runner thread's only.
  std::map<std::string, int64_t> last_fired_;
  std::map<std::string, int64_t> deferred_;
  std::thread thread_;
  bool started_ = false;
};

}  // namespace stator::schedules
