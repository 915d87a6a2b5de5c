// ExecutionService: runs the executions of `stator serve` and keeps Standard ones in the store
// (the api::Executions the Step Functions operations use).
//
// Every execution is an engine::Execution stepped by one engine::Scheduler on a small pool of
// threads owned here: no thread per execution (a Wait, a retry back-off or a timeout is a timer
// in the scheduler), so any number of executions cost memory, not threads. Task states go
// through an integrations::TaskRouter, as in `stator run`: the mock configuration's test case
// when the execution names one (Step Functions Local's "stateMachineArn#TestCase"), else the
// routes Options::configure_router adds (the services this server runs itself: functions,
// DynamoDB, Step Functions), else the UnavailableResourceRunner, which fails the task as AWS
// fails a call to a resource that does not exist.
//
// Standard executions are durable. StartStandard queues the new execution (status RUNNING) on
// the CommitQueue, starts the engine only once that record is committed, and answers after
// that: nothing a client sees depends on an uncommitted step. While it runs, the history events
// of each engine step are queued as they are recorded (group commit: one writer thread, many
// executions' events per transaction); the last step carries the outcome. Running executions
// sit in a live table (StopExecution, idempotent StartExecution) until their outcome is
// committed, so an execution name is always either live here or in the store.
//
// Express executions are not stored (AWS keeps no history of them either): they run without a
// history; a synchronous start answers when the execution ends.
//
// A failed commit stops durable work loudly. The CommitQueue's failure is sticky (nothing is
// committed after it), and its first failure makes this service unhealthy (health(), which the
// server's GET /health reports): it logs the failure, halts every running Standard execution
// where it stands (detached from the scheduler: no more steps, timers or task dispatches; a
// burst already running ends on its own thread, and what it records is refused), and answers
// every waiter of their ends (StopExecution, .sync parents) with the failure. From then on
// StartExecution of a Standard execution, and StopExecution of a running one, fail with
// InternalFailure; Express executions, which are not stored, still run. Nothing is acknowledged
// that is not durable: the store keeps each halted execution RUNNING at its last committed step,
// and a restart with a working store resumes it from there (ResumeRunning).
//
// Executions that were running when the server stopped (a crash, kill -9, or a shutdown)
// resume when it starts again (ResumeRunning): each is re-run from its input over its committed
// history (engine::ExecutionOptions::replay) and carries on from its last committed event, its
// Wait timers included. This works because a Standard execution is deterministic given its
// history: its random generator is seeded from its ARN and start time, and every input it
// takes (a task outcome, a timer) is in its history.
//
// In a cluster (Options::node_id set: several servers on one PostgreSQL database, see
// docs/cluster.md) each RUNNING Standard execution is leased to one node (store.h, Leases). A
// node leases the executions it starts (their creation carries the lease, epoch 1) and writes
// every step fenced by its epoch; a lease thread renews all of the node's leases at once every
// third of the lease time (one statement), halts any live execution whose lease another node took
// (a renewal that no longer returns it, or a commit that reports it fenced), and takes over
// executions whose leases expired (a node that died) or were released (a node that shut down
// cleanly, which releases its leases on the way out), resuming each from its committed history as a
// restart does. StopExecution of an execution another node runs steals its lease (the owner is
// fenced from then on) and closes it here. The store settles races between nodes: a name
// started on two nodes at once is created once (the other start answers as a repeat or
// ExecutionAlreadyExists). A .sync parent waiting for a child run by another node polls the
// store each lease tick.
//
// Ownership: borrows the store and the clock (they must outlive the service); owns the
// scheduler, its threads, the commit queue and the task routers.
// Thread-safety: every public method may be called from any thread; `done` callbacks run on an
// internal thread (the writer or a scheduler thread) and must not block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/executions.h"
#include "asl/state_machine.h"
#include "common/arn.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "engine/executor.h"
#include "engine/scheduler.h"
#include "integrations/mock_config.h"
#include "integrations/task_router.h"
#include "store/commit_queue.h"
#include "store/store.h"

namespace stator::server {

class ExecutionService : public api::Executions {
 public:
  struct Options {
    int threads = 2;  // scheduler threads
    // When > 0, wakes the scheduler threads this often (real milliseconds): needed with a clock
    // that runs faster than real time but is not virtual (--time-scale below 1), because the
    // scheduler sleeps clock milliseconds as real ones.
    int64_t tick_millis = 0;
    std::shared_ptr<const integrations::MockConfig> mock;  // null: no mocked Task states
    // Called on every TaskRouter the service makes, before use: where the services stator runs
    // itself (functions, DynamoDB) add their resource routes. May be empty.
    std::function<void(integrations::TaskRouter*)> configure_router;
    // This node's name in a cluster; "" = a single server (no leases).
    std::string node_id;
    int64_t lease_ms = 10000;  // a lease's life without renewal (cluster only)
    // Standard executions: engine::ExecutionOptions::make_task_token (task tokens signed by the
    // server, CallbackService), and a call once an execution has ended (its waiting tasks are
    // closed). Each may be empty.
    std::function<std::string(const std::string& execution_arn, const std::string& nonce)>
        make_task_token;
    std::function<void(const std::string& execution_arn)> on_execution_ended;
    std::function<bool(const std::string& activity_arn)> activity_exists;  // see the engine's
  };

  ExecutionService(store::Store* store, Clock* clock, ArnScope scope, Options options);
  // Stops the scheduler threads (running executions stay RUNNING in the store) and commits
  // what is queued.
  ~ExecutionService();
  ExecutionService(const ExecutionService&) = delete;
  ExecutionService& operator=(const ExecutionService&) = delete;

  // api::Executions
  void StartStandard(StartRequest request, std::function<void(ApiResult<Started>)> done) override
      EXCLUDES(cache_mu_, live_mu_);
  ApiResult<Started> StartExpress(StartRequest request) override EXCLUDES(cache_mu_, express_mu_);
  void StartSync(StartRequest request, std::function<void(ApiResult<SyncOutcome>)> done) override
      EXCLUDES(cache_mu_, express_mu_);
  void Stop(const std::string& execution_arn, const std::string& error, const std::string& cause,
            std::function<void(ApiResult<int64_t>)> done) override EXCLUDES(live_mu_);
  void WhenEnded(const std::string& arn, std::function<void()> fn) override EXCLUDES(live_mu_);
  // Runs engine::RunTestState with the routes of executions without mocks (default_router_).
  void TestState(const json::Value& request,
                 std::function<void(ApiResult<json::Value>)> done) override;
  void Redrive(const std::string& execution_arn,
               std::function<void(ApiResult<Redriven>)> done) override EXCLUDES(live_mu_);

  // Resumes every execution the store shows RUNNING (call once, before serving); in a cluster,
  // those whose leases it can take (expired, released, or held by this node id before a
  // restart), then starts the lease thread. Executions that cannot be resumed (their
  // definition no longer compiles) are closed as FAILED. Errors: the store failed.
  Status ResumeRunning() EXCLUDES(live_mu_);

  // Ok, or the store's first failed commit: Standard executions can no longer be made durable
  // (sticky; see the top of this file).
  Status health() const { return queue_.error(); }

  // The scheduler stepping the executions: schedules (server/schedule_host.h) set their timers
  // on it, so that they follow the server's clock as Wait states do.
  engine::Scheduler* scheduler() { return &scheduler_; }

  // Runs the child executions of distributed Map states (server::MapRunService); set once,
  // before ResumeRunning and the first start. Null: the engine runs them as iterations itself.
  void set_map_runner(engine::DistributedMapRunner* runner) { map_runner_ = runner; }

  // Blocks until everything queued for the store so far is committed (tests, shutdown).
  void FlushForTesting() { queue_.Flush(); }

 private:
  // A state machine compiled for running, shared by its executions.
  struct Prepared {
    std::shared_ptr<const asl::StateMachine> machine;
    store::ExecutionMachine snapshot;  // with its content digest as id
  };
  // A running Standard execution: an entry of live_, reached only through it.
  struct Live {
    std::shared_ptr<engine::Execution> execution;  // null until its start is committed
    std::string input_text;
    int64_t start_date_ms = 0;
    // Called once the end is committed (with the stop date), or with the failure that means it
    // never will be.
    std::vector<std::function<void(ApiResult<int64_t>)>> stop_waiters;
    // StartExecution's answer, given once the first events (ExecutionStarted, ...) commit: a
    // client that was told "started" can read them, and a Stop from another node finds them.
    std::function<void(const Status&)> started_waiter;
    int64_t epoch = 0;   // the lease's epoch (cluster), or 0
    uint64_t since = 0;  // lease_round_ when the lease was taken (cluster)
  };
  bool cluster() const { return !options_.node_id.empty(); }

  ApiResult<std::shared_ptr<const Prepared>> Prepare(const StartRequest& r) EXCLUDES(cache_mu_);
  ApiResult<std::shared_ptr<integrations::TaskRouter>> RouterFor(const StartRequest& r);
  std::shared_ptr<integrations::TaskRouter> NewRouter() const;
  engine::ExecutionOptions EngineOptions(const StartRequest& r, const std::string& name,
                                         int64_t start_ms) const;
  // Runs on the thread of the execution: queues its new history events.
  void OnEvents(const std::string& arn, int64_t epoch, std::vector<engine::HistoryEvent> events);
  // Answers the start of `arn` (Live::started_waiter), if not answered yet.
  void AnswerStart(const std::string& arn, const Status& s) EXCLUDES(live_mu_);
  void OnStandardFinished(const std::string& arn, int64_t epoch, engine::Execution* execution);
  // Creates the engine execution of a Standard execution: its events go to the store, and its
  // end closes it there. `runner` stays alive as long as the execution.
  std::shared_ptr<engine::Execution> NewStandard(std::shared_ptr<const asl::StateMachine> machine,
                                                 engine::ExecutionOptions options,
                                                 std::shared_ptr<integrations::TaskRouter> runner,
                                                 int64_t epoch);
  // Prepares one execution RUNNING in the store to resume (in the live table, not started), or
  // closes it as FAILED when it cannot resume (then null).
  // `compiled` caches machines by ExecutionMachine::id across the executions being resumed.
  using CompiledMachines =
      std::unordered_map<std::string, std::shared_ptr<const asl::StateMachine>>;
  // Redrive: the same with `redrive_count` set, which makes the re-run a new redrive of the
  // execution (its stored history cut after the last completed top-level state); receives the
  // execution's redrive count. (A resumed execution that was redriven before keeps its cuts.)
  Result<std::shared_ptr<engine::Execution>> Resume(const store::Execution& e,
                                                    CompiledMachines* compiled, int64_t epoch,
                                                    int64_t* redrive_count = nullptr)
      EXCLUDES(live_mu_);
  // Cluster (execution_service_cluster.cc): the thread of the lease rounds.
  void StartLeaseThread();
  // Cluster: takes over what it can (ClaimExpiredLeases, `own` on the first call) and resumes it.
  Status ClaimAndResume(bool own) EXCLUDES(live_mu_);
  // Cluster: the lease thread's round: renew (when `renew`), claim, poll remote waiters.
  void LeaseRound(bool renew) EXCLUDES(live_mu_);
  // Cluster: renews this node's leases and halts the live executions whose lease moved.
  void RenewLeases() EXCLUDES(live_mu_);
  // Cluster: takes live executions out and detaches them (their lease moved to another node).
  void Halt(const std::vector<std::string>& arns, const char* why) EXCLUDES(live_mu_);
  // The CommitQueue's report listener (writer thread): existing names and fenced executions.
  void OnReport(const store::CommitReport& report) EXCLUDES(live_mu_);
  // The CommitQueue's failure listener (writer thread): halts every live Standard execution and
  // answers the waiters of their ends with the failure.
  void OnStoreFailure(const Status& failure) EXCLUDES(live_mu_);
  // Closes an execution that is RUNNING in the store but not live here (left by a restart).
  void StopOrphan(const store::Execution& e, const std::string& error, const std::string& cause,
                  int64_t epoch, std::function<void(ApiResult<int64_t>)> done);

  store::Store* const store_;
  Clock* const clock_;
  const ArnScope scope_;
  const Options options_;
  engine::Scheduler scheduler_;
  std::shared_ptr<integrations::TaskRouter> default_router_;  // no mocks: the same for everyone

  Mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Prepared>> prepared_ GUARDED_BY(cache_mu_);

  Mutex live_mu_;
  // By ARN. Held by value, so that what a Live holds is reached only through the map.
  std::unordered_map<std::string, Live> live_ GUARDED_BY(live_mu_);
  // Cluster: starts whose name another node created first (OnReport), until their `done` runs.
  std::unordered_set<std::string> existed_ GUARDED_BY(live_mu_);
  // Cluster: WhenEnded callbacks for executions another node runs, polled each lease round.
  std::unordered_map<std::string, std::vector<std::function<void()>>> remote_waiters_
      GUARDED_BY(live_mu_);
  uint64_t lease_round_ GUARDED_BY(live_mu_) = 0;
  Mutex express_mu_;
  // Running Express executions (nothing else holds them while they wait).
  std::unordered_map<engine::Execution*, std::shared_ptr<engine::Execution>> express_
      GUARDED_BY(express_mu_);

  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  std::thread ticker_;
  Mutex lease_mu_;
  CondVar lease_cv_;  // wakes the lease thread when stopping
  bool lease_stop_ GUARDED_BY(lease_mu_) = false;
  std::thread lease_thread_;
  store::CommitQueue queue_;  // last: destroyed (drained) first
  engine::DistributedMapRunner* map_runner_ = nullptr;
};

}  // namespace stator::server
