#include "api/states_service.h"

#include "api/routes/states/operations.h"

namespace stator::api {

void StatesService::Register(AwsJsonRouter* router) {
  using Fn = ApiResult<json::Value> (*)(StatesService&, const json::Value&);
  struct Entry {
    const char* name;
    ShapeRef (*input)();
    Fn fn;
  };
#define STATOR_OP(Name) \
  Entry { #Name, &states::Name##Input, &states::Name }
  const Entry entries[] = {
      STATOR_OP(CreateStateMachine),
      STATOR_OP(DescribeStateMachine),
      STATOR_OP(UpdateStateMachine),
      STATOR_OP(DeleteStateMachine),
      STATOR_OP(ListStateMachines),
      STATOR_OP(ValidateStateMachineDefinition),
      STATOR_OP(TagResource),
      STATOR_OP(UntagResource),
      STATOR_OP(ListTagsForResource),
      STATOR_OP(PublishStateMachineVersion),
      STATOR_OP(ListStateMachineVersions),
      STATOR_OP(DeleteStateMachineVersion),
      STATOR_OP(CreateStateMachineAlias),
      STATOR_OP(DescribeStateMachineAlias),
      STATOR_OP(UpdateStateMachineAlias),
      STATOR_OP(DeleteStateMachineAlias),
      STATOR_OP(ListStateMachineAliases),
      STATOR_OP(DescribeExecution),
      STATOR_OP(ListExecutions),
      STATOR_OP(GetExecutionHistory),
      STATOR_OP(DescribeStateMachineForExecution),
      STATOR_OP(DescribeMapRun),
      STATOR_OP(ListMapRuns),
      STATOR_OP(UpdateMapRun),
      STATOR_OP(CreateActivity),
      STATOR_OP(DescribeActivity),
      STATOR_OP(DeleteActivity),
      STATOR_OP(ListActivities),
      STATOR_OP(SendTaskSuccess),
      STATOR_OP(SendTaskFailure),
      STATOR_OP(SendTaskHeartbeat),
  };
#undef STATOR_OP
  for (const Entry& e : entries) {
    Fn fn = e.fn;
    router->AddOperation(kStatesTargetPrefix, e.name,
                         JsonOperation{e.input(), [this, fn](const json::Value& in, JsonDone done) {
                                         done(fn(*this, in));
                                       }});
  }

  // Operations that answer later, from another thread.
  using AsyncFn = void (*)(StatesService&, const json::Value&, JsonDone);
  struct AsyncEntry {
    const char* name;
    ShapeRef (*input)();
    AsyncFn fn;
  };
#define STATOR_ASYNC_OP(Name) \
  AsyncEntry { #Name, &states::Name##Input, &states::Name }
  const AsyncEntry async_entries[] = {
      STATOR_ASYNC_OP(StartExecution),  STATOR_ASYNC_OP(StartSyncExecution),
      STATOR_ASYNC_OP(StopExecution),   STATOR_ASYNC_OP(TestState),
      STATOR_ASYNC_OP(GetActivityTask), STATOR_ASYNC_OP(RedriveExecution),
  };
#undef STATOR_ASYNC_OP
  for (const AsyncEntry& e : async_entries) {
    AsyncFn fn = e.fn;
    router->AddOperation(kStatesTargetPrefix, e.name,
                         JsonOperation{e.input(), [this, fn](const json::Value& in, JsonDone done) {
                                         fn(*this, in, std::move(done));
                                       }});
  }
}

}  // namespace stator::api
