// ListStateMachineVersions: the versions of a state machine, newest first, paged like the
// other List* operations (maxResults 0 or absent: 100; opaque nextToken).
#include "api/page_token.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef ListStateMachineVersionsInput() {
  static const ShapeRef shape = Struct({
      {"stateMachineArn", ArnShape(), kRequired},
      {"nextToken", String(1, 3096)},
      {"maxResults", Integer(0, 1000)},
  });
  return shape;
}

ApiResult<json::Value> ListStateMachineVersions(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineArn");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (parsed.qualified()) {
    return ApiError::ValidationWithReason("This API does not support labeled ARNs.",
                                          "API_DOES_NOT_SUPPORT_LABELED_ARNS");
  }
  int64_t max_results = IntMember(input, "maxResults").value_or(0);
  size_t limit = max_results <= 0 ? 100 : static_cast<size_t>(max_results);
  int64_t below = INT64_MAX;  // resume with versions numbered below this one
  if (auto token = StringMember(input, "nextToken")) {
    auto key = DecodePageToken("ListStateMachineVersions", *token);
    if (!key || key->rfind(parsed.machine_arn + ":", 0) != 0) return ApiError::InvalidToken();
    below = std::stoll(key->substr(parsed.machine_arn.size() + 1));
  }
  auto versions = service.store().ListVersions(parsed.machine_arn);
  if (!versions.ok()) return StoreFailure(versions.error());
  json::Array items;
  std::string next;
  for (const store::StateMachineVersion& v : *versions) {
    if (v.version >= below) continue;
    if (items.size() == limit) {
      next = EncodePageToken("ListStateMachineVersions",
                             parsed.machine_arn + ":" + std::to_string(v.version + 1));
      break;
    }
    items.push_back(json::Value::MakeObject({
        {"stateMachineVersionArn", json::Value::String(v.arn())},
        {"creationDate", Timestamp(v.creation_date_ms)},
    }));
  }
  json::Object out;
  out.emplace_back("stateMachineVersions", json::Value::MakeArray(std::move(items)));
  if (!next.empty()) out.emplace_back("nextToken", json::Value::String(next));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
