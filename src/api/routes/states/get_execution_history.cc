// GetExecutionHistory: a Standard execution's history events, oldest first (or newest first
// with reverseOrder); maxResults per page (0 or absent: 100), with an opaque nextToken bound to
// the execution and direction it came from. includeExecutionData false leaves out the payload
// fields (input, output, parameters).
#include "api/page_token.h"
#include "api/routes/states/execution_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef GetExecutionHistoryInput() {
  static const ShapeRef shape = Struct({
      {"executionArn", ArnShape(), kRequired},
      {"maxResults", Integer(0, 1000)},
      {"reverseOrder", Boolean()},
      {"nextToken", String(1, 1024)},  // the model's PageToken (ListExecutions' is 3096)
      {"includeExecutionData", Boolean()},
  });
  return shape;
}

namespace {

json::Value EventJson(const store::HistoryEvent& e, bool include_data) {
  json::Object out;
  out.reserve(5);
  out.emplace_back("timestamp", Timestamp(e.timestamp_ms));
  out.emplace_back("type", json::Value::String(e.type));
  out.emplace_back("id", json::Value::Int(e.id));
  out.emplace_back("previousEventId", json::Value::Int(e.previous_event_id));
  if (!e.details_key.empty()) {
    json::Value details = e.details.is_object() ? e.details : json::Value::EmptyObject();
    if (!include_data) {
      json::Object kept;
      for (const auto& [k, v] : details.as_object()) {
        if (k != "input" && k != "output" && k != "parameters") kept.emplace_back(k, v);
      }
      details = json::Value::MakeObject(std::move(kept));
    }
    out.emplace_back(e.details_key, std::move(details));
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace

ApiResult<json::Value> GetExecutionHistory(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "executionArn");
  STATOR_TRY([[maybe_unused]] store::Execution e, LoadExecution(service, arn));
  const bool reverse = BoolMember(input, "reverseOrder");
  const json::Value* include = Member(input, "includeExecutionData");
  const bool include_data = !include || include->as_bool();
  const std::string listing = arn + (reverse ? "\nreverse\n" : "\nforward\n");
  std::string after;
  if (auto token = StringMember(input, "nextToken")) {
    auto key = DecodePageToken("GetExecutionHistory", *token);
    if (!key || key->compare(0, listing.size(), listing) != 0) return ApiError::InvalidToken();
    after = key->substr(listing.size());
  }
  int64_t max_results = IntMember(input, "maxResults").value_or(0);
  int limit = max_results <= 0 ? 100 : static_cast<int>(max_results);
  auto page = service.store().ReadHistory(arn, after, limit, reverse);
  if (!page.ok()) {
    if (page.error().error == store::kNotFound) return ExecutionDoesNotExist(arn);
    return StoreFailure(page.error());
  }
  json::Array events;
  events.reserve(page->items.size());
  for (const store::HistoryEvent& h : page->items) events.push_back(EventJson(h, include_data));
  json::Object out;
  out.emplace_back("events", json::Value::MakeArray(std::move(events)));
  if (!page->next.empty()) {
    out.emplace_back("nextToken", json::Value::String(EncodePageToken("GetExecutionHistory",
                                                                      listing + page->next)));
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
