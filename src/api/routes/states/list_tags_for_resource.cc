// ListTagsForResource: the tags of a state machine, in the order their keys were first set.
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
  auto tags = service.store().ListTags(arn);
  if (!tags.ok()) return TagStoreError(tags.error(), arn);
  json::Array items;
  for (const store::Tag& t : *tags) {
    items.push_back(json::Value::MakeObject(
        {{"key", json::Value::String(t.key)}, {"value", json::Value::String(t.value)}}));
  }
  return json::Value::MakeObject({{"tags", json::Value::MakeArray(std::move(items))}});
}

}  // namespace stator::api::states
