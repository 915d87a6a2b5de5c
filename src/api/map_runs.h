// MapRuns: what the Map Run operations (DescribeMapRun, ListMapRuns, UpdateMapRun, and
// ListExecutions by mapRunArn) need of the service that runs distributed Map states' child
// executions — the Map Runs as resources — and nothing of how they run.
// server::MapRunService implements it; StatesService reaches it through map_runs().
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/result.h"

namespace stator::api {

// A Map Run's item or child-execution counters (DescribeMapRun's itemCounts / executionCounts).
struct MapRunCounts {
  int64_t pending = 0;
  int64_t running = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t timed_out = 0;
  int64_t aborted = 0;
  int64_t total = 0;
  int64_t results_written = 0;
};

// A Map Run as DescribeMapRun and ListMapRuns show it.
struct MapRunInfo {
  std::string map_run_arn;
  std::string execution_arn;      // the parent execution
  std::string state_machine_arn;  // the children's: "…:stateMachine:<machine>/<label>"
  std::string status;             // RUNNING, SUCCEEDED, FAILED, ABORTED
  int64_t start_date_ms = 0;
  int64_t stop_date_ms = 0;  // 0 while RUNNING
  int64_t max_concurrency = 0;
  int64_t tolerated_failure_count = 0;
  double tolerated_failure_percentage = 0;
  MapRunCounts items;
  MapRunCounts executions;
};

// The children's state machine name a Map Run ARN holds ("…:mapRun:<machine>/<label>:<id>" →
// "<machine>/<label>"), or nullopt when `arn` is not a Map Run ARN.
std::optional<std::string> MapRunMachineName(std::string_view arn);
// The children's state machine ARN ("…:stateMachine:<machine>/<label>"), or nullopt.
std::optional<std::string> MapRunStateMachineArn(std::string_view arn);

class MapRuns {
 public:
  virtual ~MapRuns() = default;
  // The Map Run, or nullopt when there is none. Errors: the store failed.
  virtual Result<std::optional<MapRunInfo>> Describe(const std::string& map_run_arn) = 0;
  // The Map Runs `execution_arn` started, in the order they started.
  virtual Result<std::vector<MapRunInfo>> ListForExecution(const std::string& execution_arn) = 0;
  // UpdateMapRun: changes a running Map Run's MaxConcurrency and tolerated failures (those
  // given); the new limits apply to the children that start or fail from now on.
  // ResourceNotFound when there is no such Map Run.
  virtual ApiResult<bool> Update(const std::string& map_run_arn,
                                 std::optional<int64_t> max_concurrency,
                                 std::optional<int64_t> tolerated_failure_count,
                                 std::optional<double> tolerated_failure_percentage) = 0;
};

}  // namespace stator::api
