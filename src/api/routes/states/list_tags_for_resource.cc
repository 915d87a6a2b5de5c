// ListTagsForResource: the tags of a state machine or an activity, in the order their keys were
// first set.
#include "api/routes/states/activity_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "api/routes/states/tag_common.h"

namespace stator::api::states {

ShapeRef ListTagsForResourceInput() {
  static const ShapeRef shape = Struct({{"resourceArn", ArnShape(), kRequired}});
  return shape;
}

ApiResult<json::Value> ListTagsForResource(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "resourceArn");
  API_RETURN_IF_ERROR(CheckTaggableArn(arn));
  std::vector<store::Tag> tags;
  if (!CheckActivityArn(arn)) {
    STATOR_TRY(std::optional<Activity> a, FindActivity(service, arn));
    if (!a) return ApiError::ResourceNotFound(arn);
    tags = std::move(a->tags);
  } else {
    auto stored = service.store().ListTags(arn);
    if (!stored.ok()) return TagStoreError(stored.error(), arn);
    tags = std::move(stored).value();
  }
  json::Array items;
  for (const store::Tag& t : tags) {
    items.push_back(json::Value::MakeObject(
        {{"key", json::Value::String(t.key)}, {"value", json::Value::String(t.value)}}));
  }
  return json::Value::MakeObject({{"tags", json::Value::MakeArray(std::move(items))}});
}

}  // namespace stator::api::states
