// ListStateMachines: state machines in name order, maxResults per page (0 or absent: 100),
// with an opaque nextToken (page_token.h).
#include "api/page_token.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef ListStateMachinesInput() {
  // AWS accepts tokens up to 3096 characters (the model says 1024; the service, recorded, 3096).
  static const ShapeRef shape = Struct({
      {"maxResults", Integer(0, 1000)},
      {"nextToken", String(1, 3096)},
  });
  return shape;
}

ApiResult<json::Value> ListStateMachines(StatesService& service, const json::Value& input) {
  int64_t max_results = IntMember(input, "maxResults").value_or(0);
  int limit = max_results <= 0 ? 100 : static_cast<int>(max_results);
  std::string after;
  if (auto token = StringMember(input, "nextToken")) {
    auto key = DecodePageToken("ListStateMachines", *token);
    if (!key) return ApiError::InvalidToken();
    after = *key;
  }
  auto page = service.store().ListStateMachines(after, limit);
  if (!page.ok()) return StoreFailure(page.error());
  json::Array items;
  items.reserve(page->items.size());
  for (const store::StateMachine& m : page->items) {
    items.push_back(json::Value::MakeObject({
        {"stateMachineArn", json::Value::String(m.arn)},
        {"name", json::Value::String(m.name)},
        {"type", json::Value::String(store::StateMachineTypeName(m.type))},
        {"creationDate", Timestamp(m.creation_date_ms)},
    }));
  }
  json::Object out;
  out.emplace_back("stateMachines", json::Value::MakeArray(std::move(items)));
  if (!page->next.empty()) {
    out.emplace_back("nextToken",
                     json::Value::String(EncodePageToken("ListStateMachines", page->next)));
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
