// TagResource: adds or overwrites tags of a state machine (at most 50 per resource).
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "api/routes/states/tag_common.h"

namespace stator::api::states {

ShapeRef TagResourceInput() {
  static const ShapeRef shape = Struct({
      {"resourceArn", ArnShape(), kRequired},
      {"tags", TagListShape(), kRequired},
  });
  return shape;
}

ApiResult<json::Value> TagResource(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "resourceArn");
  API_RETURN_IF_ERROR(CheckTaggableArn(arn));
  std::vector<store::Tag> tags = TagsFrom(Member(input, "tags"));
  auto existing = service.store().ListTags(arn);
  if (!existing.ok()) return TagStoreError(existing.error(), arn);
  size_t total = existing->size();
  for (const store::Tag& t : tags) {
    bool present = false;
    for (const store::Tag& e : *existing) present = present || e.key == t.key;
    if (!present) ++total;
  }
  if (total > 50) {
    return ApiError{"TooManyTags", "Too many tags: the maximum is 50.", {{"resourceName", arn}}};
  }
  Status s = service.store().TagResource(arn, tags);
  if (!s.ok()) return TagStoreError(s.error(), arn);
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
