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
// again with the same token, which registers it here again (an activity task is queued again
// for workers; a `.waitForTaskToken` integration is called again: tasks are at least once).
//
// A `.waitForTaskToken` task's own result is not its outcome: its success is ignored, its
// failure fails the task (the integration could not be called). Its outcome is the first of
// SendTaskSuccess / SendTaskFailure; a token whose task is closed (succeeded, failed, past its
// TimeoutSeconds or HeartbeatSeconds, its execution ended) answers TaskTimedOut.
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
  // Takes the pending task of a token out (closing it), or answers why not.
  Result<Pending, ApiError> Take(const std::string& token) EXCLUDES(mu_);
  // The error for an authentic token nothing waits on.
  ApiError Closed(const std::string& execution_arn);
  bool ExpiredLocked(const Pending& p, int64_t now) const REQUIRES(mu_);
  void RemoveLocked(const std::string& token) REQUIRES(mu_);
  void PollLoop() EXCLUDES(mu_);

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
