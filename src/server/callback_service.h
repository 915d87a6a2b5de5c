// CallbackService: the tasks of running executions that wait for someone outside — activity
// tasks waiting for a worker's GetActivityTask, and every Task state waiting for its task token
// (activities once a worker has them, `.waitForTaskToken` integrations) — and the delivery of
// SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat to them (the api::TaskCallbacks).
//
// Task tokens: "<base64url of the execution ARN>.<nonce>.<base64url of HMAC-SHA256(secret,
// ARN \n nonce)>". The nonce comes from the execution's seeded random generator
// (engine::ExecutionOptions::make_task_token), so a resumed execution re-running the attempt
// makes the same token again; the secret (32 random bytes, a store record created once, shared
// by every node on the store) makes tokens unguessable and lets any node tell a token it could
// have made (authentic: TaskTimedOut / TaskDoesNotExist when nothing waits on it) from an
// invalid one (InvalidToken) without a lookup.
//
// Durability: nothing here is stored. A waiting task lives in its execution's committed history
// (…Scheduled, …Started); when the server restarts, the resumed execution dispatches the task
// again with the same token, which registers it here again (an activity task no worker had
// taken is queued again for workers, one a worker holds waits for that worker's token; a
// `.waitForTaskToken` integration is called again: tasks are at least once).
//
// A `.waitForTaskToken` task's own result is not its outcome: its success is ignored, its
// failure fails the task (the integration could not be called). Its outcome is the first of
// SendTaskSuccess / SendTaskFailure; a token whose task is closed (succeeded, failed, past its
// TimeoutSeconds or HeartbeatSeconds, its execution ended) answers TaskTimedOut.
//
// In a cluster the waiting tasks live on the node that runs their execution (it holds the
// lease), and two kinds of records carry what crosses nodes: `states.task_message` ("TOKEN\nID"
// → {"type": success|failure|heartbeat|started, ...}), written by a node that got a call for a
// token it does not hold while the execution is RUNNING, and read (then deleted) by the node
// that holds it every 200 ms; and `states.activity_task` ("ACTIVITY\nTOKEN" → input), each
// activity task not yet taken, which a worker's poll on any node claims by deleting it (one
// winner) — the holder then learns of the worker through a "started" message.
//
// Ownership: borrows the store and the clock (they must outlive it); owns the poll thread.
// Thread-safety: every public method may be called from any thread; completions and poll
// answers are called without the lock held.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "api/task_callbacks.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "engine/execution.h"
#include "integrations/task_router.h"
#include "store/store.h"

namespace stator::server {

class CallbackService : public api::TaskCallbacks {
 public:
  struct Options {
    int64_t poll_millis = 60000;  // GetActivityTask's long poll (AWS: 60 s)
    // This node's id when several nodes share the store (docs/cluster.md; "" = a single
    // server): tokens and activity tasks then cross nodes through store records (below).
    std::string node_id;
  };

  // Loads (or creates, once for the whole store) the token secret.
  static Result<std::unique_ptr<CallbackService>> Open(store::Store* store, const Clock* clock,
                                                       Options options);
  ~CallbackService() override;
  CallbackService(const CallbackService&) = delete;
  CallbackService& operator=(const CallbackService&) = delete;

  // engine::ExecutionOptions::make_task_token.
  std::string MakeToken(const std::string& execution_arn, const std::string& nonce) const;
  // The runner of activity resources (arn:…:states:REGION:ACCOUNT:activity:NAME).
  std::shared_ptr<engine::TaskRunner> activity_runner() { return activity_runner_; }
  static bool IsActivity(const std::string& resource);
  // engine::ExecutionOptions::activity_exists: the activity's store record exists (a store
  // failure counts as existing: the task is scheduled, not the execution failed).
  bool ActivityExists(const std::string& activity_arn) const;
  // integrations::TaskRouter::SetCallbackWrapper for `.waitForTaskToken` tasks.
  integrations::TaskRouter::CallbackWrapper wrapper();
  // Answers every waiting GetActivityTask with no task and every later one at once (a server
  // shutting down: its HTTP server waits for the requests in flight).
  void StopPolls() EXCLUDES(mu_);
  // Closes every task of an execution that ended (their tokens answer TaskTimedOut).
  void ExecutionEnded(const std::string& execution_arn) EXCLUDES(mu_);

  // api::TaskCallbacks
  void PollActivity(const std::string& activity_arn, const std::string& worker_name,
                    std::function<void(std::optional<ActivityTask>)> done) override EXCLUDES(mu_);
  std::optional<ApiError> Succeed(const std::string& task_token, json::Value output) override
      EXCLUDES(mu_);
  std::optional<ApiError> Fail(const std::string& task_token, const std::string& error,
                               const std::string& cause) override EXCLUDES(mu_);
  std::optional<ApiError> Heartbeat(const std::string& task_token) override EXCLUDES(mu_);

 private:
  class ActivityRunner;
  // A task waiting for a worker or a callback, by token.
  struct Pending {
    std::string execution_arn;
    std::string activity_arn;  // "" for .waitForTaskToken tasks
    std::string input;         // activities: the task's input as JSON text
    bool taken = false;        // activities: a worker has it
    engine::TaskCompletion done;
    std::function<void()> heartbeat;
    std::function<void(json::Value)> started;
    int64_t deadline_ms = 0;   // TimeoutSeconds (clock millis), 0 = none
    int64_t heartbeat_ms = 0;  // HeartbeatSeconds in millis, 0 = none
    int64_t last_beat_ms = 0;
  };
  struct Poller {
    std::string activity_arn;
    std::string worker_name;
    std::chrono::steady_clock::time_point deadline;
    std::function<void(std::optional<ActivityTask>)> done;
  };

  CallbackService(store::Store* store, const Clock* clock, Options options, std::string secret);
  // The execution ARN of an authentic token, else nullopt.
  std::optional<std::string> Verify(const std::string& token) const;
  // Registers a task; for activities hands it to a waiting poller or queues it.
  void Add(const engine::TaskRequest& request, engine::TaskCompletion done, bool activity)
      EXCLUDES(mu_);
  // The error for an authentic token nothing waits on.
  ApiError Closed(const std::string& execution_arn);
  bool ExpiredLocked(const Pending& p, int64_t now) const REQUIRES(mu_);
  void RemoveLocked(const std::string& token) REQUIRES(mu_);
  void PollLoop() EXCLUDES(mu_);
  // Applies a task's outcome, heartbeat or start to a pending task (taken out for outcomes).
  std::optional<ApiError> Apply(const std::string& token, const json::Value& message) EXCLUDES(mu_);
  // Cluster: hands a message for a token another node holds to it (ok when the execution is
  // RUNNING, else why not).
  std::optional<ApiError> Forward(const std::string& token, const std::string& execution_arn,
                                  const json::Value& message);
  // Succeed / Fail / Heartbeat: the message to the task a token names, wherever it waits.
  std::optional<ApiError> Deliver(const std::string& token, const json::Value& message)
      EXCLUDES(mu_);
  bool cluster() const { return !options_.node_id.empty(); }
  // Cluster: applies the messages for the tasks this node holds; drops those of ended
  // executions.
  void PumpMailbox() EXCLUDES(mu_);
  // Cluster: claims a task of `activity_arn` queued by any node (nullopt: none).
  std::optional<ActivityTask> ClaimRemote(const std::string& activity_arn);
  // Cluster: offers remote tasks to the waiting polls.
  void OfferRemote() EXCLUDES(mu_);
  // Cluster: claims a locally queued activity task's record (false: another node's worker
  // took it first).
  bool ClaimRecord(const std::string& activity_arn, const std::string& token);
  // Tells the holder of a task that a worker took it (locally: records ActivityStarted).
  void Started(const std::string& token, const std::string& execution_arn,
               const std::string& worker, std::function<void(json::Value)> started);

  store::Store* const store_;
  const Clock* const clock_;
  const Options options_;
  const std::string secret_;
  std::shared_ptr<engine::TaskRunner> activity_runner_;

  Mutex mu_;
  CondVar poll_cv_;
  std::unordered_map<std::string, Pending> pending_ GUARDED_BY(mu_);
  std::unordered_multimap<std::string, std::string> by_execution_ GUARDED_BY(mu_);
  // Activity ARN → tokens not taken yet, oldest first.
  std::unordered_map<std::string, std::deque<std::string>> queues_ GUARDED_BY(mu_);
  std::map<uint64_t, Poller> pollers_ GUARDED_BY(mu_);  // by arrival
  uint64_t next_poller_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread poll_thread_;
};

}  // namespace stator::server
