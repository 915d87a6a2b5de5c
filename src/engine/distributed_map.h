// DistributedMapRunner: how an Execution hands a distributed Map state's items to child
// executions (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED), as AWS runs them: the engine
// resolves the items (ItemsPath, ItemSelector, ItemBatcher), the concurrency and the tolerated
// failures, records MapStateStarted and MapRunStarted, and gives the rest — one child
// execution per item or batch, MaxConcurrency, counting failures against the tolerance,
// ResultWriter — to the runner, whose single answer ends the Map Run (MapRunSucceeded with the
// results, or MapRunFailed with the error).
//
// The engine does no I/O, so the runner is the caller's: server::MapRunService starts real
// Standard or Express executions and keeps the Map Run as a resource (DescribeMapRun). Without a
// runner (`stator run`, unit tests) the engine runs the iterations itself, as frames that record
// no history.
//
// Crash resume: Start may be called again for a Map Run it has seen (a parent resumed after a
// restart dispatches its Map Run again when its end was not recorded): the runner must pick the
// run up where it stands (children it already started are not started twice). Recorded gives the
// results of a Map Run that succeeded, for a replay that reaches its MapRunSucceeded.
//
// Ownership: requests are moved in; the runner outlives the executions that use it.
// Thread-safety: every method may be called from any thread; `done` may be called from any
// thread, exactly once, and must not block.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/result.h"

namespace stator::engine {

struct MapRunRequest {
  std::string map_run_arn;
  std::string execution_arn;       // the parent execution
  std::string state_machine_name;  // the parent's state machine
  std::string role_arn;
  std::string state_name;
  std::string label;  // the state's Label, or ""
  bool express = false;
  json::Value definition;  // the ItemProcessor as written (without ProcessorConfig)
  // One input per child execution (an item after ItemSelector, or a batch) and how many items
  // each holds (1 without ItemBatcher).
  std::vector<json::Value> inputs;
  std::vector<int64_t> items_per_input;
  int64_t max_concurrency = 0;  // 0: no limit
  std::optional<int64_t> tolerated_failure_count;
  std::optional<double> tolerated_failure_percentage;
  json::Value result_writer;  // the ResultWriter object as written, or null
};

// The Map Run's outcome: the results array in item order (with ResultWriter, the object AWS
// returns instead: {"MapRunArn", "ResultWriterDetails"}), or the error that failed the run.
using MapRunCompletion = std::function<void(Result<json::Value>)>;

class DistributedMapRunner {
 public:
  virtual ~DistributedMapRunner() = default;
  // Runs (or picks up again, see above) the Map Run; `done` once it ended.
  virtual void Start(MapRunRequest request, MapRunCompletion done) = 0;
  // The outcome of a Map Run that succeeded, if the runner kept it; else nullopt.
  virtual std::optional<json::Value> Recorded(const std::string& map_run_arn) = 0;
  // The parent no longer waits (it was stopped, or the Map state was aborted): the runner aborts
  // the children still running and ends the Map Run as ABORTED; `done` is not called.
  virtual void Abort(const std::string& map_run_arn) = 0;
};

}  // namespace stator::engine
