// UpdateStateMachineAlias: a new description and/or routing configuration for an alias (its
// versions must belong to the alias's state machine). Executions already started keep the
// version they were routed to.
#include "api/routes/states/alias_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "common/arn.h"

namespace stator::api::states {

ShapeRef UpdateStateMachineAliasInput() {
  static const ShapeRef shape = Struct({
      {"stateMachineAliasArn", ArnShape(), kRequired},
      {"description", AliasDescriptionShape()},
      {"routingConfiguration", RoutingConfigurationShape()},
  });
  return shape;
}

ApiResult<json::Value> UpdateStateMachineAlias(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineAliasArn");
  const json::Value* description = Member(input, "description");
  const json::Value* routing = Member(input, "routingConfiguration");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (!parsed.alias) return ApiError::InvalidArn("Invalid alias ARN: " + arn);
  if (!description && !routing) {
    return ApiError::ValidationWithReason(
        "Either the description or the routing configuration must be specified.",
        "MISSING_REQUIRED_PARAMETER");
  }
  std::vector<RoutingEntry> entries;
  if (routing) {
    std::string machine_arn;
    STATOR_TRY(entries, CheckRouting(service, *routing, &machine_arn));
    if (machine_arn != parsed.machine_arn) {
      return ApiError::ValidationWithReason(
          "Routing configuration must contain state machine version ARNs of the alias's state "
          "machine. Received: [" +
              entries.front().version_arn +
              (entries.size() > 1 ? ", " + entries.back().version_arn : std::string()) + "]",
          "INVALID_ROUTING_CONFIGURATION");
    }
  }
  // Compare-and-set against the record read, so that a concurrent update is not lost.
  for (;;) {
    std::string before;
    STATOR_TRY(Alias a, LoadAlias(service, arn, &before));
    if (description) a.description = description->as_string();
    if (routing) a.routing = entries;
    a.update_date_ms = service.NowMillis();
    Status put = service.store().WriteRecords(
        {store::RecordWrite::IfEquals(kAliasRecordKind, arn, a.ToRecord(), before)});
    if (put.ok()) return json::Value::MakeObject({{"updateDate", Timestamp(a.update_date_ms)}});
    if (put.error().error != store::kConditionFailed) return StoreFailure(put.error());
  }
}

}  // namespace stator::api::states
