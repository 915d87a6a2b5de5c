// DescribeStateMachineAlias: an alias's settings and routing configuration.
#include "api/routes/states/alias_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DescribeStateMachineAliasInput() {
  static const ShapeRef shape = Struct({{"stateMachineAliasArn", ArnShape(), kRequired}});
  return shape;
}

ApiResult<json::Value> DescribeStateMachineAlias(StatesService& service, const json::Value& input) {
  STATOR_TRY(Alias a, LoadAlias(service, *StringMember(input, "stateMachineAliasArn")));
  json::Array routing;
  for (const RoutingEntry& r : a.routing) {
    routing.push_back(json::Value::MakeObject({
        {"stateMachineVersionArn", json::Value::String(r.version_arn)},
        {"weight", json::Value::Int(r.weight)},
    }));
  }
  json::Object out;
  out.emplace_back("stateMachineAliasArn", json::Value::String(a.arn));
  out.emplace_back("name", json::Value::String(a.name));
  if (!a.description.empty()) out.emplace_back("description", json::Value::String(a.description));
  out.emplace_back("routingConfiguration", json::Value::MakeArray(std::move(routing)));
  out.emplace_back("creationDate", Timestamp(a.creation_date_ms));
  out.emplace_back("updateDate", Timestamp(a.update_date_ms));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
