// ListStateMachineAliases: the aliases of a state machine in name order (of a version ARN: the
// aliases that route to that version), paged like the other List* operations.
#include "api/page_token.h"
#include "api/routes/states/alias_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "common/arn.h"

namespace stator::api::states {

ShapeRef ListStateMachineAliasesInput() {
  static const ShapeRef shape = Struct({
      {"stateMachineArn", ArnShape(), kRequired},
      {"nextToken", String(1, 3096)},
      {"maxResults", Integer(0, 1000)},
  });
  return shape;
}

ApiResult<json::Value> ListStateMachineAliases(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineArn");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (parsed.alias) {
    return ApiError::ValidationWithReason("This API does not support labeled ARNs.",
                                          "API_DOES_NOT_SUPPORT_LABELED_ARNS");
  }
  std::string after;
  if (auto token = StringMember(input, "nextToken")) {
    auto key = DecodePageToken("ListStateMachineAliases", *token);
    if (!key || key->rfind(parsed.machine_arn + ":", 0) != 0) return ApiError::InvalidToken();
    after = *key;
  }
  STATOR_TRY(store::StateMachine machine, LoadStateMachine(service, parsed.machine_arn));
  if (parsed.version) {
    auto version = service.store().GetVersion(parsed.machine_arn, *parsed.version);
    if (!version.ok()) return StoreFailure(version.error());
    if (!version->has_value()) return ApiError::StateMachineDoesNotExist(arn);
  }
  int64_t max_results = IntMember(input, "maxResults").value_or(0);
  size_t limit = max_results <= 0 ? 100 : static_cast<size_t>(max_results);
  STATOR_TRY(std::vector<Alias> aliases, ListAliases(service, machine.arn));
  json::Array items;
  std::string next;
  for (const Alias& a : aliases) {
    if (!after.empty() && a.arn <= after) continue;
    if (parsed.version) {
      bool routes_to = false;
      for (const RoutingEntry& r : a.routing) routes_to = routes_to || r.version_arn == arn;
      if (!routes_to) continue;
    }
    if (items.size() == limit) {
      next = EncodePageToken("ListStateMachineAliases", after);
      break;
    }
    after = a.arn;
    items.push_back(json::Value::MakeObject({
        {"stateMachineAliasArn", json::Value::String(a.arn)},
        {"creationDate", Timestamp(a.creation_date_ms)},
    }));
  }
  json::Object out;
  out.emplace_back("stateMachineAliases", json::Value::MakeArray(std::move(items)));
  if (!next.empty()) out.emplace_back("nextToken", json::Value::String(next));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
