// MapRunService: the Map Runs of distributed Map states — each item (or ItemBatcher batch) of a
// Map Run runs as a child execution of its own, Standard (stored, listed by ListExecutions with
// the mapRunArn) or Express (in memory), as AWS runs them — and the Map Runs as resources
// (DescribeMapRun, ListMapRuns, UpdateMapRun). It is the engine's DistributedMapRunner for the
// executions of `stator serve` and the api::MapRuns of the Step Functions operations.
//
// A Map Run starts at most MaxConcurrency children at a time (0: up to kMaxChildren), counts
// items and children as DescribeMapRun shows them, and fails with
// States.ExceedToleratedFailureThreshold once its failed items pass ToleratedFailureCount /
// ToleratedFailurePercentage (no failure is tolerated without either), aborting the children
// still running. A child's machine is the ItemProcessor, named "<machine>/<label>" (the Label, or
// the UUID the Map Run ARN holds in its place); a Standard child is stored under its Map Run's ARN
// as its state machine ARN (which is how ListExecutions finds a Map Run's children) and named by a
// version-5 UUID of the Map Run ARN and its index. With a ResultWriter the results go to files
// laid out as AWS lays them out in S3 (there is no S3 here): <results_dir>/<Bucket>/<Prefix>/
// <map run id>/manifest.json, SUCCEEDED_0.json, FAILED_0.json, PENDING_0.json.
//
// Durability: the Map Run is a store record ("states.mapRun", written when it starts, is
// updated and ends; its results kept once it succeeded, for a parent's crash resume); Standard
// children are durable executions. A parent resumed after a restart hands its Map Run over
// again: a run that ended answers from its record; a running one carries on, every child started
// again by name (StartExecution is idempotent for a running child; one that ended is read back
// from the store). Express children, kept in memory, run again.
//
// Ownership: borrows the store, the clock and the execution service (which must outlive it);
// owns one worker thread, on which children are started and their ends are handled.
// Thread-safety: every public method may be called from any thread. Stop() must be called before
// the execution service is destroyed; after it, every method does nothing.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/executions.h"
#include "api/map_runs.h"
#include "common/arn.h"
#include "common/clock.h"
#include "common/execution_status.h"
#include "common/json.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "engine/distributed_map.h"
#include "engine/scheduler.h"
#include "store/store.h"

namespace stator::server {

class MapRunService : public engine::DistributedMapRunner, public api::MapRuns {
 public:
  // The most children a Map Run runs at once (AWS's limit for a Distributed Map).
  static constexpr int64_t kMaxChildren = 10000;

  // `scheduler` (may be null) steps the executions: the service announces its work to it
  // (ExternalStarted/Finished) from a Map Run's hand-over or a child's end until the children
  // that follow run there, so that a virtual clock does not jump past the gap (--time-scale 0).
  MapRunService(store::Store* store, Clock* clock, ArnScope scope, api::Executions* executions,
                std::string results_dir, engine::Scheduler* scheduler = nullptr);
  ~MapRunService() override;
  MapRunService(const MapRunService&) = delete;
  MapRunService& operator=(const MapRunService&) = delete;

  // Stops the worker thread (Map Runs stay RUNNING in the store, picked up after a restart).
  void Stop() EXCLUDES(queue_mu_);

  // engine::DistributedMapRunner
  void Start(engine::MapRunRequest request, engine::MapRunCompletion done) override;
  std::optional<json::Value> Recorded(const std::string& map_run_arn) override;
  void Abort(const std::string& map_run_arn) override;

  // api::MapRuns
  Result<std::optional<api::MapRunInfo>> Describe(const std::string& map_run_arn) override
      EXCLUDES(mu_);
  Result<std::vector<api::MapRunInfo>> ListForExecution(const std::string& execution_arn) override;
  ApiResult<bool> Update(const std::string& map_run_arn, std::optional<int64_t> max_concurrency,
                         std::optional<int64_t> tolerated_failure_count,
                         std::optional<double> tolerated_failure_percentage) override EXCLUDES(mu_);

 private:
  // One child execution of a Map Run (an item or a batch).
  struct Child {
    std::string arn;  // once started
    std::string name;
    int64_t start_ms = 0;
    int64_t stop_ms = 0;
    store::ExecutionStatus status = store::ExecutionStatus::kRunning;
    std::optional<std::string> output;  // JSON text (SUCCEEDED)
    std::string error;
    std::string cause;
    bool started = false;
    bool ended = false;
    bool external = false;  // its end announced external work (ChildEnded finishes it)
  };

  // A Map Run while this service runs it. The request is immutable; everything else is guarded by
  // mu_.
  struct Run {
    engine::MapRunRequest request;
    engine::MapRunCompletion done;
    std::string definition_text;  // the ItemProcessor's JSON text
    api::MapRunInfo info;
    std::optional<int64_t> tolerated_count;
    std::optional<double> tolerated_percent;
    std::vector<Child> children;
    size_t next = 0;      // the next child to start
    size_t running = 0;   // started, not ended
    size_t finished = 0;  // ended
    int64_t failed_items = 0;
    int64_t total_items = 0;
    bool ended = false;  // the Map Run has its outcome (children may still be ending)
    std::string error;   // FAILED: what failed it
    std::string cause;
  };

  void Post(std::function<void()> fn) EXCLUDES(queue_mu_);
  void WorkerLoop() EXCLUDES(queue_mu_);
  // The worker's steps.
  void Begin(std::shared_ptr<Run> run) EXCLUDES(mu_);
  void Launch(const std::shared_ptr<Run>& run) EXCLUDES(mu_);
  void StartChild(const std::shared_ptr<Run>& run, size_t index);
  void ReadChildEnd(const std::shared_ptr<Run>& run, size_t index);
  // A child ended: counts it, then fails, succeeds or goes on with the run (CountChildEnd),
  // and ends the external work its end announced.
  void ChildEnded(const std::shared_ptr<Run>& run, size_t index, Child outcome) EXCLUDES(mu_);
  void CountChildEnd(const std::shared_ptr<Run>& run, size_t index, Child outcome) EXCLUDES(mu_);
  // Ends the run (SUCCEEDED with `output`, or FAILED/ABORTED with `error`) and answers the
  // parent (not for ABORTED).
  void Finish(const std::shared_ptr<Run>& run, Result<json::Value> outcome, bool aborted)
      EXCLUDES(mu_);
  void StopRunningChildren(const std::shared_ptr<Run>& run) EXCLUDES(mu_);
  void Persist(const std::shared_ptr<Run>& run) EXCLUDES(mu_);
  void ExternalStarted();
  void ExternalFinished();
  // ResultWriter: writes the result files; the Map state's output, or the failure.
  Result<json::Value> WriteResults(const std::shared_ptr<Run>& run) EXCLUDES(mu_);

  store::Store* const store_;
  Clock* const clock_;
  const ArnScope scope_;
  api::Executions* const executions_;
  const std::string results_dir_;
  engine::Scheduler* const scheduler_;

  // Every Run's mutable fields are guarded by mu_ too (they are read by Describe and Update).
  Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Run>> runs_ GUARDED_BY(mu_);

  Mutex queue_mu_;
  CondVar queue_cv_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(queue_mu_);
  bool stopping_ GUARDED_BY(queue_mu_) = false;
  std::thread worker_;
};

}  // namespace stator::server
