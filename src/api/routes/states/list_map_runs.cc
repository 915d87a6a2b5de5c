// ListMapRuns: the Map Runs an execution started, in the order they started; maxResults per page
// (0 or absent: 100), with an opaque nextToken bound to the execution.
#include "api/page_token.h"
#include "api/routes/states/execution_common.h"
#include "api/routes/states/map_run_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef ListMapRunsInput() {
  static const ShapeRef shape = Struct({
      {"executionArn", ArnShape(), kRequired},
      {"maxResults", Integer(0, 1000)},
      {"nextToken", String(1, 3096)},
  });
  return shape;
}

ApiResult<json::Value> ListMapRuns(StatesService& service, const json::Value& input) {
  const std::string arn = *StringMember(input, "executionArn");
  STATOR_TRY(store::Execution execution, LoadExecution(service, arn));
  size_t skip = 0;
  if (auto token = StringMember(input, "nextToken")) {
    auto key = DecodePageToken("ListMapRuns", *token);
    const std::string listing = arn + "\n";
    if (!key || key->compare(0, listing.size(), listing) != 0) return ApiError::InvalidToken();
    skip = std::stoull("0" + key->substr(listing.size()));
  }
  std::vector<MapRunInfo> runs;
  if (service.map_runs() != nullptr) {
    auto listed = service.map_runs()->ListForExecution(execution.arn);
    if (!listed.ok()) return StoreFailure(listed.error());
    runs = std::move(listed).value();
  }
  int64_t max_results = IntMember(input, "maxResults").value_or(0);
  const size_t limit = max_results <= 0 ? 100 : static_cast<size_t>(max_results);
  json::Array items;
  size_t i = skip;
  for (; i < runs.size() && items.size() < limit; ++i) {
    const MapRunInfo& r = runs[i];
    json::Object o;
    o.emplace_back("executionArn", json::Value::String(r.execution_arn));
    o.emplace_back("mapRunArn", json::Value::String(r.map_run_arn));
    o.emplace_back("stateMachineArn", json::Value::String(r.state_machine_arn));
    o.emplace_back("startDate", Timestamp(r.start_date_ms));
    if (r.status != "RUNNING") o.emplace_back("stopDate", Timestamp(r.stop_date_ms));
    items.push_back(json::Value::MakeObject(std::move(o)));
  }
  json::Object out;
  out.emplace_back("mapRuns", json::Value::MakeArray(std::move(items)));
  if (i < runs.size()) {
    out.emplace_back("nextToken", json::Value::String(EncodePageToken(
                                      "ListMapRuns", arn + "\n" + std::to_string(i))));
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
