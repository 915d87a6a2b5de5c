// DeleteStateMachineVersion: deletes one version; deleting a missing one succeeds.
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DeleteStateMachineVersionInput() {
  static const ShapeRef shape = Struct({{"stateMachineVersionArn", String(1, 2000), kRequired}});
  return shape;
}

ApiResult<json::Value> DeleteStateMachineVersion(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineVersionArn");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (!parsed.version) {
    return ApiError::InvalidArn("Invalid version ARN: " + arn);
  }
  Status s = service.store().DeleteVersion(parsed.machine_arn, *parsed.version);
  if (!s.ok()) return StoreFailure(s.error());
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
