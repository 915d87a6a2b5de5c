// UntagResource: removes tags by key; keys that are not set are ignored.
#include <algorithm>

#include "api/routes/states/activity_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "api/routes/states/tag_common.h"

namespace stator::api::states {

ShapeRef UntagResourceInput() {
  static const ShapeRef shape = Struct({
      {"resourceArn", ArnShape(), kRequired},
      {"tagKeys", List(String(1, 128)), kRequired},
  });
  return shape;
}

ApiResult<json::Value> UntagResource(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "resourceArn");
  API_RETURN_IF_ERROR(CheckTaggableArn(arn));
  std::vector<std::string> keys;
  for (const json::Value& k : Member(input, "tagKeys")->as_array()) {
    if (k.is_string()) keys.push_back(k.as_string());
  }
  if (!CheckActivityArn(arn)) {
    return UpdateActivityTags(service, arn, [&](std::vector<store::Tag>* stored) {
      std::erase_if(*stored, [&](const store::Tag& t) {
        return std::find(keys.begin(), keys.end(), t.key) != keys.end();
      });
      return std::optional<ApiError>();
    });
  }
  Status s = service.store().UntagResource(arn, keys);
  if (!s.ok()) return TagStoreError(s.error(), arn);
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
