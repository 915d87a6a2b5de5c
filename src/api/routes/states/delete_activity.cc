// DeleteActivity: deletes an activity and its tags; deleting one that does not exist succeeds,
// as on AWS. Tasks already scheduled on it stay where they are (workers can still finish them
// with their tokens); GetActivityTask on the deleted ARN answers ActivityDoesNotExist.
#include "api/routes/states/activity_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DeleteActivityInput() {
  static const ShapeRef shape = Struct({{"activityArn", ArnShape(), kRequired}});
  return shape;
}

ApiResult<json::Value> DeleteActivity(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "activityArn");
  API_RETURN_IF_ERROR(CheckActivityArn(arn));
  Status s = service.store().WriteRecords({store::RecordWrite::Delete(kActivityKind, arn)});
  if (!s.ok()) return StoreFailure(s.error());
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
