// CreateActivity: creates an activity, a task list that workers poll with GetActivityTask.
// Idempotent on the name, as on AWS: creating an existing name again returns that activity
// (its creation date; tags of the repeat are ignored) unless the encryption configuration
// differs, which is ActivityAlreadyExists.
#include "api/names.h"
#include "api/routes/states/activity_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef CreateActivityInput() {
  static const ShapeRef shape = Struct({
      {"name", NameShape(), kRequired},
      {"tags", TagListShape()},
      {"encryptionConfiguration", EncryptionConfigurationShape()},
  });
  return shape;
}

ApiResult<json::Value> CreateActivity(StatesService& service, const json::Value& input) {
  std::string name = *StringMember(input, "name");
  if (!IsValidResourceName(name)) return ApiError::InvalidName(name);
  Activity a;
  a.name = name;
  a.arn = service.scope().Of("states", "activity:" + name);
  a.tags = TagsFrom(Member(input, "tags"));
  if (a.tags.size() > 50) {
    return ApiError{"TooManyTags", "Too many tags: the maximum is 50.", {{"resourceName", a.arn}}};
  }
  STATOR_TRY(a.encryption, NormalizeEncryption(Member(input, "encryptionConfiguration")));
  a.creation_date_ms = service.NowMillis();
  for (int attempt = 0; attempt < 2; ++attempt) {
    STATOR_TRY(std::optional<Activity> existing, FindActivity(service, a.arn));
    if (existing) {
      if (existing->encryption != a.encryption) {
        return ApiError{"ActivityAlreadyExists", "Activity already exists: '" + a.arn + "'", {}};
      }
      return json::Value::MakeObject({{"activityArn", json::Value::String(existing->arn)},
                                      {"creationDate", Timestamp(existing->creation_date_ms)}});
    }
    Status s = service.store().WriteRecords({store::RecordWrite::Put(
        kActivityKind, a.arn, EncodeActivity(a), store::RecordWrite::Condition::kAbsent)});
    if (s.ok()) {
      return json::Value::MakeObject({{"activityArn", json::Value::String(a.arn)},
                                      {"creationDate", Timestamp(a.creation_date_ms)}});
    }
    if (s.error().error != store::kConditionFailed) return StoreFailure(s.error());
    // Another writer created it meanwhile: answer as a repeat.
  }
  return ApiError::Internal("The activity was created and deleted concurrently; try again.");
}

}  // namespace stator::api::states
