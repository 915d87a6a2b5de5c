// DeleteStateMachineVersion: deletes one version; deleting a missing one succeeds. A version an
// alias routes to cannot be deleted (ConflictException naming the aliases).
#include "api/routes/states/alias_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DeleteStateMachineVersionInput() {
  static const ShapeRef shape = Struct({{"stateMachineVersionArn", String(1, 2000), kRequired}});
  return shape;
}

ApiResult<json::Value> DeleteStateMachineVersion(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineVersionArn");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (!parsed.version) {
    return ApiError::InvalidArn("Invalid version ARN: " + arn);
  }
  STATOR_TRY(std::vector<Alias> aliases, ListAliases(service, parsed.machine_arn));
  std::string referencing;
  for (const Alias& a : aliases) {
    for (const RoutingEntry& r : a.routing) {
      if (r.version_arn != arn) continue;
      referencing += (referencing.empty() ? "" : ", ") + a.name;
      break;
    }
  }
  if (!referencing.empty()) {
    return ApiError{"ConflictException",
                    "Version to be deleted must not be referenced by an alias. Current list of "
                    "aliases referencing this version: [" +
                        referencing + "]",
                    {}};
  }
  Status s = service.store().DeleteVersion(parsed.machine_arn, *parsed.version);
  if (!s.ok()) return StoreFailure(s.error());
  return json::Value::EmptyObject();
}

}  // namespace stator::api::states
