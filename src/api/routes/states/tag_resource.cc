// TagResource: adds or overwrites tags of a state machine or an activity (at most 50 per
// resource).
#include "api/routes/states/activity_common.h"
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

namespace {

// Sets `tags` on `stored` (a repeated key overwrites, keeping its position); TooManyTags when
// that would make more than 50.
std::optional<ApiError> MergeTags(const std::string& arn, const std::vector<store::Tag>& tags,
                                  std::vector<store::Tag>* stored) {
  std::vector<store::Tag> merged = *stored;
  for (const store::Tag& t : tags) {
    bool present = false;
    for (store::Tag& e : merged) {
      if (e.key == t.key) {
        e.value = t.value;
        present = true;
      }
    }
    if (!present) merged.push_back(t);
  }
  if (merged.size() > 50) {
    return ApiError{"TooManyTags", "Too many tags: the maximum is 50.", {{"resourceName", arn}}};
  }
  *stored = std::move(merged);
  return std::nullopt;
}

}  // namespace

ApiResult<json::Value> TagResource(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "resourceArn");
  API_RETURN_IF_ERROR(CheckTaggableArn(arn));
  std::vector<store::Tag> tags = TagsFrom(Member(input, "tags"));
  if (!CheckActivityArn(arn)) {
    return UpdateActivityTags(service, arn, [&](std::vector<store::Tag>* stored) {
      return MergeTags(arn, tags, stored);
    });
  }
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
