// StatesService: the Step Functions API (the "AWSStepFunctions" AWS JSON 1.0 target) over a
// Store. It owns no state of its own: state machines and executions live in the store, running
// executions in an Executions service (executions.h), the clock tells the time, the scope gives
// ARNs their partition, region and account.
//
// Each operation is one file under routes/states/ (routes/states/operations.h lists them).
//
// Ownership: borrows store, clock, execution service and task callbacks, which must outlive it.
// Thread-safety: thread-safe; operations may run concurrently.
#pragma once

#include "api/aws_json/router.h"
#include "api/executions.h"
#include "api/map_runs.h"
#include "api/task_callbacks.h"
#include "common/arn.h"
#include "common/clock.h"
#include "store/store.h"

namespace stator::api {

inline constexpr const char* kStatesTargetPrefix = "AWSStepFunctions";

class StatesService {
 public:
  StatesService(store::Store* store, const Clock* clock, ArnScope scope, Executions* executions)
      : store_(store), clock_(clock), scope_(std::move(scope)), executions_(executions) {}

  // Adds every operation to the router under kStatesTargetPrefix.
  void Register(AwsJsonRouter* router);

  store::Store& store() { return *store_; }
  Executions& executions() { return *executions_; }
  // The Map Runs of distributed Map states (null: none are kept; the Map Run operations then
  // find none). Set before Register's operations are called; not owned.
  void set_map_runs(MapRuns* map_runs) { map_runs_ = map_runs; }
  MapRuns* map_runs() { return map_runs_; }
  // The tasks waiting for activity workers and callbacks; set once before serving (without
  // it, the activity and callback operations answer InternalFailure).
  void set_task_callbacks(TaskCallbacks* callbacks) { callbacks_ = callbacks; }
  TaskCallbacks* task_callbacks() { return callbacks_; }
  int64_t NowMillis() const { return clock_->NowMillis(); }
  const ArnScope& scope() const { return scope_; }

 private:
  store::Store* store_;
  const Clock* clock_;
  ArnScope scope_;
  Executions* executions_;
  MapRuns* map_runs_ = nullptr;
  TaskCallbacks* callbacks_ = nullptr;
};

}  // namespace stator::api
