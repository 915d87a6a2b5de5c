// FunctionRuntime::Impl and its per-function Workers, declared for the files that implement
// them: runtime.cc (the reactor thread, the zygote, instances and their calls) and
// platform_calls.cc (an invocation's platform calls, 'P' and 'Q' frames). Internal to
// src/functions; nothing else includes it.
//
// Ownership and thread-safety: as FunctionRuntime (runtime.h); everything a Workers holds is
// guarded by its runtime's lock (Impl::mu).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "functions/frame.h"
#include "functions/instance.h"
#include "functions/instance_pool.h"
#include "functions/invocation_log.h"
#include "functions/network_channel.h"
#include "functions/reactor.h"
#include "functions/runtime.h"
#include "functions/sandbox.h"
#include "functions/zygote.h"

namespace stator::functions {

// Microseconds of the steady clock.
inline int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Platform calls to hand to their invocations' handlers once the runtime's lock is released.
using PlatformCalls = std::vector<std::function<void()>>;

// Lines for the output sinks of running invocations (runtime.h), to deliver once the runtime's
// lock is released.
using OutputLines = std::vector<std::pair<OutputSink, std::string>>;

class FunctionRuntime::Impl {
 public:
  class Workers;

  // What a platform call's reply goes through: it reaches the runtime while the runtime lives
  // (rt is cleared, under mu, first thing in ~Impl). Lock order: ReplyGate::mu, then Impl::mu.
  struct ReplyGate {
    Mutex mu;
    Impl* rt GUARDED_BY(mu) = nullptr;
  };

  ~Impl();

  RuntimeOptions options;
  Sandbox sandbox;
  std::string python_exe;
  std::string runtime_dir;  // the runtime's scripts (runtime_script.h)
  std::optional<Reactor> reactor;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> next_serial{1};
  const std::shared_ptr<ReplyGate> gate = std::make_shared<ReplyGate>();

  mutable Mutex mu;
  std::string endpoint GUARDED_BY(mu);
  Upstream upstream GUARDED_BY(mu);  // length 0: no network channel
  std::unordered_map<std::string, std::unique_ptr<Workers>> pools GUARDED_BY(mu);
  std::vector<std::unique_ptr<Workers>> retired GUARDED_BY(mu);
  std::vector<pid_t> zombies GUARDED_BY(mu);
  FunctionLogs logs GUARDED_BY(mu) = FunctionLogs(0);
  // When the reactor next reads the output of the running invocations that have an output
  // sink (NowUs); 0 while none runs.
  int64_t next_output_poll_us GUARDED_BY(mu) = 0;

  // Sandboxed zygotes get a network namespace of their own and reach the server through the
  // network channel.
  bool Relayed() const REQUIRES(mu) { return sandbox.sandboxed() && upstream.length > 0; }

  // The pool of fn's current revision (a new one when fn changed: the old one retires).
  InstancePool& PoolOf(const FunctionPtr& fn) REQUIRES(mu);
  void RetireLocked(const std::string& name) REQUIRES(mu);
  int64_t Tick(Completions* done) REQUIRES(mu);
  // Once next_output_poll_us is due: the new lines of every running invocation with an output
  // sink, into *lines; the next poll is armed while one runs.
  void PollOutputs(int64_t now, OutputLines* lines) REQUIRES(mu);
  void Run() EXCLUDES(mu);
  // Writes a platform call's reply ('Q') when the call (serial) still runs on instance id of w.
  // (function: w's name, where the runtime keeps w while it is current).
  static void Reply(const std::shared_ptr<ReplyGate>& gate, const std::string& function,
                    const Workers* w, uint64_t id, uint64_t serial, int64_t call_id,
                    Result<json::Value> result);
};

// One function's workers: its zygote, the server's side of its instances, and their
// InstancePool, whose Host it is. Everything in it is guarded by its runtime's lock (Impl::mu).
class FunctionRuntime::Impl::Workers final : public InstancePool::Host {
 public:
  Workers(Impl* rt, FunctionPtr function)
      : rt_(rt),
        fn_(std::move(function)),
        pool_(PoolLimits(rt->options, *fn_), this, functions::NowUs()) {}
  ~Workers() override = default;

  // Tells the analysis that rt->mu, which the caller holds, is this one's lock rt_->mu: a
  // Workers belongs to the runtime that made it, which reaches it only under its lock.
  void AssertLockHeldBy(const Impl* rt) const REQUIRES(rt->mu) ASSERT_CAPABILITY(rt_->mu) {
    assert(rt == rt_);
  }

  const std::string& name() const { return fn_->config.name; }
  const FunctionPtr& fn() const { return fn_; }
  InstancePool& pool() REQUIRES(rt_->mu) { return pool_; }
  Zygote::State zygote_state() const REQUIRES(rt_->mu) { return zygote_.state(); }

  // InstancePool::Host (called by pool_, under the lock)
  Status StartInstance(InstancePool::Id id, bool spare) override REQUIRES(rt_->mu);
  void Dispatch(InstancePool::Id id, const Call& call) override REQUIRES(rt_->mu);
  void StopInstance(InstancePool::Id id, bool kill) override REQUIRES(rt_->mu);
  void TimedOut(InstancePool::Id id, Call call, int64_t started_us, Completions* done) override
      REQUIRES(rt_->mu);
  bool CanStartSpares() const override REQUIRES(rt_->mu) {
    return zygote_.state() == Zygote::State::kReady;
  }
  int64_t NowUs() const override { return functions::NowUs(); }

  // Reactor events.
  void OnInstance(Instance* inst, uint32_t events, Completions* done, PlatformCalls* calls)
      REQUIRES(rt_->mu);
  // A reply to platform call call_id of the call `serial`, if instance id still runs it.
  void SendReply(InstancePool::Id id, uint64_t serial, int64_t call_id,
                 const Result<json::Value>& result) REQUIRES(rt_->mu);
  void OnControl(Completions* done) REQUIRES(rt_->mu);
  // The instance is gone: its call (if it ran one) fails with Runtime.ExitError, and the pool
  // loses it.
  // with_its_zygote: it died because its zygote did (not counted as a spawn failure).
  void Lose(Instance* inst, Completions* done, bool with_its_zygote = false) REQUIRES(rt_->mu);
  void OnNetwork() REQUIRES(rt_->mu);
  // The new lines of its running calls that have an output sink, into *lines. false: none has.
  bool PollOutput(OutputLines* lines) REQUIRES(rt_->mu);

  // Kills the zygote (wait: and reaps it; else it joins Impl::zombies) and closes its sockets.
  void StopZygote(bool wait) REQUIRES(rt_->mu);
  // Every call fails (the server is shutting down); every process is killed and reaped.
  void Shutdown(Completions* done) REQUIRES(rt_->mu);

 private:
  static InstancePool::Limits PoolLimits(const RuntimeOptions& o, const Function& fn) {
    InstancePool::Limits l;
    l.concurrency = static_cast<size_t>(std::max(o.concurrency, 0));
    l.spares = static_cast<size_t>(std::max(o.spares, 0));
    l.max_queued = o.max_queued;
    l.timeout_us = fn.config.timeout_seconds * 1000000;
    return l;
  }

  Status StartZygote() REQUIRES(rt_->mu);
  void CloseNetwork() REQUIRES(rt_->mu);
  // Hands the instance to the zygote. Errors: the zygote cannot be reached.
  Status SendSpawn(Instance* inst) REQUIRES(rt_->mu);
  void Destroy(InstancePool::Id id, bool kill) REQUIRES(rt_->mu);
  // Arms or disarms output readiness after a write; a failure drops the instance (its socket
  // is shut down, so that the reactor sees it close).
  void AfterWrite(Instance* inst, Instance::Write w) REQUIRES(rt_->mu);
  void OnResult(Instance* inst, Frame& f, Completions* done) REQUIRES(rt_->mu);
  // A 'P' frame of the instance's running call: queued for the call's handler (or answered
  // with an error when it has none). false: the frame is malformed.
  bool OnPlatformCall(Instance* inst, Call* call, Frame& f, PlatformCalls* calls) REQUIRES(rt_->mu);
  // The instance's call ended without an answer (timeout, death).
  void FailCall(Instance* inst, Call call, int64_t started_us, const std::string& type,
                const std::string& message, bool timed_out, const char* status, Completions* done)
      REQUIRES(rt_->mu);
  // The zygote failed to start (error_json: the error object): everything waiting fails.
  void FailInit(const std::string& error_json, Completions* done) REQUIRES(rt_->mu);
  // What completes `call` (its callback is taken): with an output sink, the sink first gets
  // `rest` (the lines it has not had), then the callback runs.
  static InvokeCallback Completion(Call* call, std::string_view rest);
  // Instance id's call (which has an output sink) is over: it is no longer polled.
  void StopStreaming(InstancePool::Id id) REQUIRES(rt_->mu);

  Impl* const rt_;
  const FunctionPtr fn_;
  Zygote zygote_ GUARDED_BY(rt_->mu);
  Reactor::Token control_watch_ GUARDED_BY(rt_->mu) = 0;
  Reactor::Token network_watch_ GUARDED_BY(rt_->mu) = 0;
  // By id: in start order.
  std::map<InstancePool::Id, std::unique_ptr<Instance>> instances_ GUARDED_BY(rt_->mu);
  // The instances running a call that has an output sink, with that call's serial.
  std::vector<std::pair<InstancePool::Id, uint64_t>> streaming_ GUARDED_BY(rt_->mu);
  InstancePool pool_ GUARDED_BY(rt_->mu);
};

using Workers = FunctionRuntime::Impl::Workers;

}  // namespace stator::functions
