// InstancePool: the bookkeeping of one function's instances, with no process in it — which
// instances are starting, idle or busy, which invocation each busy one runs and until when, the
// invocations waiting for one — and the decisions taken from it: run an invocation on an idle
// instance, queue it or throttle it; fork instances on demand and spares ahead of demand (within
// the concurrency); time busy instances out; reap idle ones; give up on a runtime whose
// instances exit as they start.
//
// What it decides is done by its Host (FunctionRuntime's per-function workers; a fake in
// instance_pool_test.cc): starting an instance, writing an invocation to one, stopping one,
// answering a timed-out invocation. Host calls never call back into the pool.
//
// Rules (docs/functions.md, "The runtime"):
// - Submit runs a call on the first idle instance when none is waiting; otherwise it queues the
//   call, unless it would be throttled: `concurrency` calls already busy or waiting (and the
//   call does not ask to queue), or `max_queued` waiting.
// - Settle hands waiting calls to idle instances and starts instances for the rest, up to
//   `concurrency` instances. Three instances in a row that exit before they are ready fail
//   the waiting calls; an instance that cannot be started fails them when no other instance
//   will serve them.
// - While a call is running, `spares` instances are kept idle or starting (within the
//   concurrency, when the Host can fork them): a concurrent call then finds one ready.
// - A retired pool (its function changed or was deleted) keeps no spares, stops its idle
//   instances once nothing waits, and starts instances only for calls already waiting in it;
//   its busy instances finish their calls.
//
// Thread-safety: none; the owner serialises every call (FunctionRuntime holds its mutex).
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "common/result.h"
#include "functions/runtime.h"

namespace stator::functions {

// An invocation and where its result goes.
struct Call {
  Invocation inv;
  InvokeCallback done;
  uint64_t serial = 0;  // unique in its runtime: a late platform reply finds its call by it
};

// Callbacks to run once the owner's lock is released.
using Completions = std::vector<std::pair<InvokeCallback, Result<InvocationResult>>>;

class InstancePool {
 public:
  using Id = uint64_t;  // an instance's number in its pool, from 1
  enum class State : uint8_t { kStarting, kIdle, kBusy };

  struct Limits {
    size_t concurrency = 10;  // instances
    size_t spares = 1;
    size_t max_queued = 10000;     // waiting calls
    int64_t timeout_us = 3000000;  // a call's time on its instance
  };

  class Host {
   public:
    virtual ~Host() = default;
    // Starts instance `id` (spare: ahead of demand; it pre-warms). Errors: it could not be
    // started (the pool then has no such instance).
    virtual Status StartInstance(Id id, bool spare) = 0;
    // Writes `call` to instance `id`, now busy for at most Limits::timeout_us.
    virtual void Dispatch(Id id, const Call& call) = 0;
    // Stops instance `id`; kill: it may be running something (else it is idle and exits once
    // its socket closes).
    virtual void StopInstance(Id id, bool kill) = 0;
    // Instance `id` ran past its deadline: answer `call`, started at started_us, into *done.
    // (The pool then stops the instance.)
    virtual void TimedOut(Id id, Call call, int64_t started_us, Completions* done) = 0;
    // Whether spares may be started now (the runtime is ready to fork them).
    virtual bool CanStartSpares() const = 0;
    // The time in µs (a steady clock).
    virtual int64_t NowUs() const = 0;
  };

  // What the pool knows of one instance.
  struct Slot {
    Id id = 0;
    State state = State::kStarting;
    bool spare = false;        // started ahead of demand
    Call call;                 // busy: what it runs
    int64_t started_us = 0;    // busy: when the call was dispatched
    int64_t deadline_us = 0;   // busy: when it times out
    int64_t last_used_us = 0;  // idle: since when
  };

  // now_us: the pool's creation time (its first last_active_us).
  InstancePool(Limits limits, Host* host, int64_t now_us);
  InstancePool(const InstancePool&) = delete;
  InstancePool& operator=(const InstancePool&) = delete;

  // A new call: dispatched, queued or throttled (TooManyRequestsException into *done).
  void Submit(Call call, Completions* done);

  // Instance id (starting) is ready.
  void Ready(Id id, Completions* done);
  // Instance id (busy) answered its call, whose callback the caller has taken. remove: the
  // instance must not be used again (it is stopped, killed); otherwise it is idle.
  void Answered(Id id, bool remove, Completions* done);
  // Instance id is gone or unusable (its socket closed, it spoke nonsense, it could not be
  // spawned). The caller has answered its call if it was busy; the instance is stopped, killed.
  // A starting instance counts as one that exited as it started (three in a row fail the
  // waiting calls), unless with_its_zygote: it died because the zygote forking it did.
  void Lost(Id id, Completions* done, bool with_its_zygote = false);
  // A new zygote is ready: the instances that exited as they started were the old one's.
  void ZygoteReady() { spawn_failures_ = 0; }

  // Busy instances past their deadline are timed out (Host::TimedOut) and stopped; idle ones
  // unused for idle_us are stopped. Returns the earliest deadline still ahead, or `horizon`.
  int64_t Expire(int64_t idle_us, int64_t horizon, Completions* done);

  // Dispatches waiting calls to idle instances, starts instances for the rest, keeps spares,
  // stops a retired pool's idle instances.
  void Settle(Completions* done);

  // The runtime failed to start: its starting instances are stopped, and the waiting calls
  // are handed to the caller to answer.
  std::deque<Call> FailStarting();
  // Every call (running or waiting) gets `error`; every instance is stopped, killed.
  void Shutdown(const Error& error, Completions* done);

  void Retire() { retired_ = true; }
  bool retired() const { return retired_; }

  const Slot* Find(Id id) const;
  Call* RunningCall(Id id);  // nullptr unless busy
  bool empty() const { return instances_.empty(); }
  size_t size() const { return instances_.size(); }
  size_t waiting() const { return waiting_.size(); }
  // When a call was last dispatched (or the pool created).
  int64_t last_active_us() const { return last_active_us_; }
  // The earliest deadline of a busy instance, or `horizon`.
  int64_t NextDeadline(int64_t horizon) const;

 private:
  Slot* FindMutable(Id id);
  void Dispatch(Slot* inst, Call call);
  // Starts one instance; Host errors are returned.
  Status Start(bool spare);
  void Remove(Id id, bool kill);
  void FailWaiting(const Error& error, Completions* done);
  void KeepSpares();

  Limits limits_;
  Host* host_;
  std::vector<Slot> instances_;  // in the order they were started
  std::deque<Call> waiting_;
  Id next_id_ = 1;
  int spawn_failures_ = 0;  // instances in a row that exited before they were ready
  bool retired_ = false;
  int64_t last_active_us_ = 0;
};

}  // namespace stator::functions
