// DescribeActivity: an activity's ARN, name, creation date (and encryption configuration when
// one was given). InvalidArn for what is not an activity ARN, ActivityDoesNotExist for one that
// is not stored.
#include "api/routes/states/activity_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DescribeActivityInput() {
  static const ShapeRef shape = Struct({{"activityArn", ArnShape(), kRequired}});
  return shape;
}

ApiResult<json::Value> DescribeActivity(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "activityArn");
  API_RETURN_IF_ERROR(CheckActivityArn(arn));
  STATOR_TRY(std::optional<Activity> a, FindActivity(service, arn));
  if (!a) return ActivityDoesNotExist(arn);
  json::Object out;
  out.emplace_back("activityArn", json::Value::String(a->arn));
  out.emplace_back("name", json::Value::String(a->name));
  out.emplace_back("creationDate", Timestamp(a->creation_date_ms));
  if (!a->encryption.empty())
    out.emplace_back("encryptionConfiguration", JsonMember(a->encryption));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
