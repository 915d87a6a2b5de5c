// What the Map Run operations (describe_map_run.cc, list_map_runs.cc, update_map_run.cc) and the
// execution operations share about distributed Maps: a Map Run's JSON, a child execution's
// answer as AWS shows it, and the definition-time rejection of ItemReader (stator has no S3).
#pragma once

#include <optional>
#include <string>

#include "api/map_runs.h"
#include "api/states_service.h"
#include "common/api_error.h"
#include "common/json.h"

namespace stator::api::states {

// DescribeMapRun's answer.
json::Value DescribeMapRunJson(const MapRunInfo& info);

// The Map Run `arn` names: InvalidArn when it is not a Map Run ARN, ResourceNotFound when there
// is none.
ApiResult<MapRunInfo> LoadMapRun(StatesService& service, const std::string& arn);

// An execution's (Describe/List) answer `execution`; for a distributed Map's child (stored
// under its Map Run's ARN): stateMachineArn as AWS shows it (the labelled machine
// "<machine>/<label>") and, when add_map_run_arn, mapRunArn. Others are returned unchanged.
json::Value ChildExecutionJson(json::Value execution, bool add_map_run_arn);

// InvalidDefinition when a Map state of `definition` has an ItemReader: it reads its items from
// Amazon S3, which stator does not emulate.
std::optional<ApiError> CheckItemReaders(const json::Value& definition);

}  // namespace stator::api::states
