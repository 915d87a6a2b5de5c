#include "api/routes/states/activity_common.h"

#include <utility>

#include "api/routes/states/state_machine_common.h"
#include "common/arn.h"

namespace stator::api::states {

std::string EncodeActivity(const Activity& a) {
  json::Array tags;
  tags.reserve(a.tags.size());
  for (const store::Tag& t : a.tags) {
    tags.push_back(json::Value::MakeObject(
        {{"key", json::Value::String(t.key)}, {"value", json::Value::String(t.value)}}));
  }
  json::Object o;
  o.emplace_back("name", json::Value::String(a.name));
  o.emplace_back("creationDate", json::Value::Int(a.creation_date_ms));
  o.emplace_back("tags", json::Value::MakeArray(std::move(tags)));
  if (!a.encryption.empty()) o.emplace_back("encryptionConfiguration", JsonMember(a.encryption));
  return json::Value::MakeObject(std::move(o)).Dump();
}

std::optional<Activity> DecodeActivity(const std::string& arn, const std::string& text) {
  auto parsed = json::Parse(text);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const json::Value& v = *parsed;
  const json::Value* name = v.Find("name");
  const json::Value* created = v.Find("creationDate");
  if (name == nullptr || !name->is_string() || created == nullptr || !created->is_int()) {
    return std::nullopt;
  }
  Activity a;
  a.arn = arn;
  a.name = name->as_string();
  a.creation_date_ms = created->as_int();
  if (const json::Value* tags = v.Find("tags"); tags != nullptr && tags->is_array()) {
    for (const json::Value& t : tags->as_array()) {
      const json::Value* k = t.Find("key");
      const json::Value* val = t.Find("value");
      if (k != nullptr && k->is_string() && val != nullptr && val->is_string()) {
        a.tags.push_back(store::Tag{k->as_string(), val->as_string()});
      }
    }
  }
  if (const json::Value* enc = v.Find("encryptionConfiguration"); enc != nullptr) {
    a.encryption = enc->Dump();
  }
  return a;
}

std::optional<ApiError> CheckActivityArn(const std::string& text) {
  STATOR_TRY(Arn arn, ParseArn(text));
  if (arn.service != "states") return ApiError::InvalidArn("Invalid ARN prefix: " + text);
  if (arn.resource.empty() || arn.resource[0] != "activity") {
    return ApiError::InvalidArn("Resource type not valid in this context: " +
                                (arn.resource.empty() ? std::string() : arn.resource[0]));
  }
  if (arn.resource.size() != 2 || arn.resource[1].empty()) {
    return ApiError::InvalidArn("Invalid ARN prefix: " + text);
  }
  return std::nullopt;
}

ApiResult<std::optional<Activity>> FindActivity(StatesService& service, const std::string& arn) {
  auto stored = service.store().GetRecord(kActivityKind, arn);
  if (!stored.ok()) return StoreFailure(stored.error());
  if (!stored->has_value()) return std::optional<Activity>();
  return DecodeActivity(arn, **stored);
}

ApiError ActivityDoesNotExist(const std::string& arn) {
  return ApiError{"ActivityDoesNotExist", "Activity Does Not Exist: '" + arn + "'", {}};
}

ApiResult<json::Value> UpdateActivityTags(
    StatesService& service, const std::string& arn,
    const std::function<std::optional<ApiError>(std::vector<store::Tag>*)>& change) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto stored = service.store().GetRecord(kActivityKind, arn);
    if (!stored.ok()) return StoreFailure(stored.error());
    if (!stored->has_value()) return ApiError::ResourceNotFound(arn);
    std::optional<Activity> a = DecodeActivity(arn, **stored);
    if (!a) return ApiError::ResourceNotFound(arn);
    if (std::optional<ApiError> e = change(&a->tags)) return std::move(*e);
    Status s = service.store().WriteRecords(
        {store::RecordWrite::IfEquals(kActivityKind, arn, EncodeActivity(*a), **stored)});
    if (s.ok()) return json::Value::EmptyObject();
    if (s.error().error != store::kConditionFailed) return StoreFailure(s.error());
  }
  return ApiError::Internal("The activity's tags kept changing; try again.");
}

}  // namespace stator::api::states
