// ListActivities: activities in ARN (name) order, maxResults per page (0 or absent: 100), with
// an opaque nextToken (page_token.h) as ListStateMachines.
#include "api/page_token.h"
#include "api/routes/states/activity_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef ListActivitiesInput() {
  static const ShapeRef shape = Struct({
      {"maxResults", Integer(0, 1000)},
      {"nextToken", String(1, 3096)},
  });
  return shape;
}

ApiResult<json::Value> ListActivities(StatesService& service, const json::Value& input) {
  int64_t max_results = IntMember(input, "maxResults").value_or(0);
  int limit = max_results <= 0 ? 100 : static_cast<int>(max_results);
  std::string after;
  if (auto token = StringMember(input, "nextToken")) {
    auto key = DecodePageToken("ListActivities", *token);
    if (!key) return ApiError::InvalidToken();
    after = *key;
  }
  auto page = service.store().ListRecords(kActivityKind, "", after, limit);
  if (!page.ok()) return StoreFailure(page.error());
  json::Array items;
  items.reserve(page->items.size());
  for (const store::Record& r : page->items) {
    std::optional<Activity> a = DecodeActivity(r.key, r.value);
    if (!a) continue;
    items.push_back(json::Value::MakeObject({
        {"activityArn", json::Value::String(a->arn)},
        {"name", json::Value::String(a->name)},
        {"creationDate", Timestamp(a->creation_date_ms)},
    }));
  }
  json::Object out;
  out.emplace_back("activities", json::Value::MakeArray(std::move(items)));
  if (!page->next.empty()) {
    out.emplace_back("nextToken",
                     json::Value::String(EncodePageToken("ListActivities", page->next)));
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
