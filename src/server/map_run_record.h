// How MapRunService keeps Map Runs in the store (records, store.h): the Map Run itself
// (kMapRunKind, keyed by its ARN: DescribeMapRun's fields, the tolerated-failure settings as
// given, and what failed it), its results once it succeeded (kMapRunResultsKind: the Map state's
// output, for a parent's crash resume), and its place in its execution's list
// (kMapRunByExecutionKind: ListMapRuns, in start order).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/map_runs.h"

namespace stator::server {

inline constexpr const char* kMapRunKind = "states.mapRun";
inline constexpr const char* kMapRunResultsKind = "states.mapRun.results";
inline constexpr const char* kMapRunByExecutionKind = "states.mapRun.byExecution";

struct MapRunRecord {
  api::MapRunInfo info;
  std::optional<int64_t> tolerated_count;
  std::optional<double> tolerated_percent;
  std::string error;  // FAILED / ABORTED
  std::string cause;
};

std::string MapRunRecordJson(const MapRunRecord& record);
// nullopt when `text` is not a record MapRunRecordJson wrote.
std::optional<MapRunRecord> ParseMapRunRecord(const std::string& text);

// "<execution arn>\n<start ms, 16 digits>\n<map run arn>": keys in start order under the
// prefix "<execution arn>\n".
std::string MapRunByExecutionKey(const std::string& execution_arn, int64_t start_ms,
                                 const std::string& map_run_arn);

}  // namespace stator::server
