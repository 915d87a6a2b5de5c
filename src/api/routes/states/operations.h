// The Step Functions operations stator serves: for each, its input shape (the members and
// constraints of botocore's service model that the server enforces) and its implementation,
// one file per operation in this folder.
#pragma once

#include "api/aws_json/api_error.h"
#include "api/aws_json/router.h"
#include "api/aws_json/shape.h"
#include "api/states_service.h"
#include "common/json.h"

namespace stator::api::states {

#define STATOR_STATES_OPERATION(Name) \
  ShapeRef Name##Input();             \
  ApiResult<json::Value> Name(StatesService& service, const json::Value& input)

STATOR_STATES_OPERATION(CreateStateMachine);
STATOR_STATES_OPERATION(DescribeStateMachine);
STATOR_STATES_OPERATION(UpdateStateMachine);
STATOR_STATES_OPERATION(DeleteStateMachine);
STATOR_STATES_OPERATION(ListStateMachines);
STATOR_STATES_OPERATION(ValidateStateMachineDefinition);
STATOR_STATES_OPERATION(TagResource);
STATOR_STATES_OPERATION(UntagResource);
STATOR_STATES_OPERATION(ListTagsForResource);
STATOR_STATES_OPERATION(PublishStateMachineVersion);
STATOR_STATES_OPERATION(ListStateMachineVersions);
STATOR_STATES_OPERATION(DeleteStateMachineVersion);
STATOR_STATES_OPERATION(CreateStateMachineAlias);
STATOR_STATES_OPERATION(DescribeStateMachineAlias);
STATOR_STATES_OPERATION(UpdateStateMachineAlias);
STATOR_STATES_OPERATION(DeleteStateMachineAlias);
STATOR_STATES_OPERATION(ListStateMachineAliases);

STATOR_STATES_OPERATION(DescribeExecution);
STATOR_STATES_OPERATION(ListExecutions);
STATOR_STATES_OPERATION(GetExecutionHistory);
STATOR_STATES_OPERATION(DescribeStateMachineForExecution);

STATOR_STATES_OPERATION(DescribeMapRun);
STATOR_STATES_OPERATION(ListMapRuns);
STATOR_STATES_OPERATION(UpdateMapRun);
STATOR_STATES_OPERATION(CreateActivity);
STATOR_STATES_OPERATION(DescribeActivity);
STATOR_STATES_OPERATION(DeleteActivity);
STATOR_STATES_OPERATION(ListActivities);
STATOR_STATES_OPERATION(SendTaskSuccess);
STATOR_STATES_OPERATION(SendTaskFailure);
STATOR_STATES_OPERATION(SendTaskHeartbeat);

// Operations that answer later (once an execution's record is committed, or it has ended).
#define STATOR_STATES_ASYNC_OPERATION(Name) \
  ShapeRef Name##Input();                   \
  void Name(StatesService& service, const json::Value& input, JsonDone done)

STATOR_STATES_ASYNC_OPERATION(StartExecution);
STATOR_STATES_ASYNC_OPERATION(StartSyncExecution);
STATOR_STATES_ASYNC_OPERATION(StopExecution);
STATOR_STATES_ASYNC_OPERATION(TestState);
STATOR_STATES_ASYNC_OPERATION(GetActivityTask);  // a long poll
STATOR_STATES_ASYNC_OPERATION(RedriveExecution);

#undef STATOR_STATES_ASYNC_OPERATION
#undef STATOR_STATES_OPERATION

}  // namespace stator::api::states
