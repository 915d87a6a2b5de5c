// What the execution operations share: member shapes, resolving the state machine a start
// names, parsing the execution input, finding an execution, and the execution's JSON as
// DescribeExecution and ListExecutions show it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/aws_json/api_error.h"
#include "api/aws_json/shape.h"
#include "api/executions.h"
#include "api/states_service.h"
#include "common/json.h"
#include "store/store.h"

namespace stator::api::states {

// The execution input quota: 256 KiB of UTF-8 text.
inline constexpr size_t kMaxExecutionInputBytes = 256 * 1024;

// SensitiveData: at most 262144 UTF-16 code units (the API model's bound, checked with the
// request); the quota is in UTF-8 bytes, checked by ResolveStart.
ShapeRef ExecutionInputShape();
ShapeRef TraceHeaderShape();   // 0..256
ShapeRef IncludedDataShape();  // ALL_DATA | METADATA_ONLY

// StartExecution / StartSyncExecution: the state machine (or version) the stateMachineArn
// names, the execution name and the input. A "#TestCase" suffix on the ARN picks a test case of
// the server's mock configuration (as Step Functions Local does). Errors: InvalidArn,
// StateMachineDoesNotExist, InvalidName, InvalidExecutionInput.
ApiResult<Executions::StartRequest> ResolveStart(StatesService& service, const json::Value& input);

// The stored execution an executionArn names: InvalidArn or ExecutionDoesNotExist.
ApiResult<store::Execution> LoadExecution(StatesService& service, const std::string& arn);

ApiError ExecutionDoesNotExist(const std::string& arn);
ApiError StateMachineTypeNotSupported();

// How often an execution was redriven and when last: a store record (kind "states.redrive",
// key the execution ARN) written by RedriveExecution; none: never redriven.
inline constexpr const char* kRedriveRecordKind = "states.redrive";
struct RedriveInfo {
  int64_t count = 0;
  int64_t date_ms = 0;  // the last redrive's
  // RedriveExecution's idempotency: the client tokens of the last 10 redrives, with their dates.
  std::vector<std::pair<std::string, int64_t>> tokens;
};
ApiResult<RedriveInfo> LoadRedriveInfo(StatesService& service, const std::string& execution_arn);
Status SaveRedriveInfo(StatesService& service, const std::string& execution_arn,
                       const RedriveInfo& info);

// Why RedriveExecution would refuse `e` now (its redriveStatusReason, AWS's wording), or
// nullopt when it may be redriven: RUNNING or SUCCEEDED, ended over 14 days ago, started over a
// year ago, a history of 24,999 events or more, a state machine that is gone.
ApiResult<std::optional<std::string>> NotRedrivableReason(StatesService& service,
                                                          const store::Execution& e);

// DescribeExecution's answer (`include_data` false: without input and output);
// `not_redrivable`: NotRedrivableReason's.
json::Value DescribeExecutionJson(const store::Execution& e, bool include_data,
                                  const RedriveInfo& redrive,
                                  const std::optional<std::string>& not_redrivable);
// An ExecutionListItem.
json::Value ExecutionListItemJson(const store::Execution& e, const RedriveInfo& redrive);

}  // namespace stator::api::states
