// DeleteStateMachineAlias: deletes an alias (not the versions it routes to); deleting a missing
// alias succeeds, as on AWS.
#include "api/routes/states/alias_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "common/arn.h"

namespace stator::api::states {

ShapeRef DeleteStateMachineAliasInput() {
  static const ShapeRef shape = Struct({{"stateMachineAliasArn", ArnShape(), kRequired}});
  return shape;
}

ApiResult<json::Value> DeleteStateMachineAlias(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineAliasArn");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (!parsed.alias) return ApiError::InvalidArn("Invalid alias ARN: " + arn);
  Status s = service.store().WriteRecords({store::RecordWrite::Delete(kAliasRecordKind, arn)});
  if (!s.ok()) return StoreFailure(s.error());
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
