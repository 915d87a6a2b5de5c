// DeleteStateMachine: deletes a state machine with its versions, aliases and tags. Deleting one
// that does not exist succeeds (the call is idempotent).
#include "api/routes/states/alias_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DeleteStateMachineInput() {
  static const ShapeRef shape = Struct({{"stateMachineArn", ArnShape(), kRequired}});
  return shape;
}

ApiResult<json::Value> DeleteStateMachine(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineArn");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (parsed.qualified()) {
    return ApiError::ValidationWithReason("This API does not support labeled ARNs.",
                                          "API_DOES_NOT_SUPPORT_LABELED_ARNS");
  }
  // Executions (next step) will keep the machine in DELETING until the running ones end.
  STATOR_TRY(std::vector<Alias> aliases, ListAliases(service, parsed.machine_arn));
  if (!aliases.empty()) {
    std::vector<store::RecordWrite> deletes;
    for (const Alias& a : aliases)
      deletes.push_back(store::RecordWrite::Delete(kAliasRecordKind, a.arn));
    Status d = service.store().WriteRecords(deletes);
    if (!d.ok()) return StoreFailure(d.error());
  }
  Status s = service.store().DeleteStateMachine(parsed.machine_arn);
  if (!s.ok()) return StoreFailure(s.error());
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
