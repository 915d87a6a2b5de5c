// CreateStateMachineAlias: an alias of one or two versions of a state machine. Idempotent on
// (name, description, routing configuration): the same request again returns the alias; the
// same name with other settings is a ConflictException.
#include "api/routes/states/alias_common.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef CreateStateMachineAliasInput() {
  static const ShapeRef shape = Struct({
      {"description", AliasDescriptionShape()},
      {"name", AliasNameShape(), kRequired},
      {"routingConfiguration", RoutingConfigurationShape(), kRequired},
  });
  return shape;
}

namespace {

json::Value CreatedJson(const Alias& a) {
  return json::Value::MakeObject({
      {"creationDate", Timestamp(a.creation_date_ms)},
      {"stateMachineAliasArn", json::Value::String(a.arn)},
  });
}

bool SameSettings(const Alias& a, const Alias& b) {
  if (a.description != b.description || a.routing.size() != b.routing.size()) return false;
  for (size_t i = 0; i < a.routing.size(); ++i) {
    if (a.routing[i].version_arn != b.routing[i].version_arn ||
        a.routing[i].weight != b.routing[i].weight) {
      return false;
    }
  }
  return true;
}

}  // namespace

ApiResult<json::Value> CreateStateMachineAlias(StatesService& service, const json::Value& input) {
  std::string machine_arn;
  STATOR_TRY(std::vector<RoutingEntry> routing,
             CheckRouting(service, *Member(input, "routingConfiguration"), &machine_arn));
  STATOR_TRY(store::StateMachine machine, LoadStateMachine(service, machine_arn));
  Alias alias;
  alias.name = *StringMember(input, "name");
  alias.arn = machine.arn + ":" + alias.name;
  alias.description = StringMember(input, "description").value_or("");
  alias.routing = std::move(routing);
  alias.creation_date_ms = alias.update_date_ms = service.NowMillis();

  Status put = service.store().WriteRecords({store::RecordWrite::Put(
      kAliasRecordKind, alias.arn, alias.ToRecord(), store::RecordWrite::Condition::kAbsent)});
  if (put.ok()) return CreatedJson(alias);
  if (put.error().error != store::kConditionFailed) return StoreFailure(put.error());
  // The name is taken: the same request again is answered with the alias it created.
  STATOR_TRY(Alias existing, LoadAlias(service, alias.arn));
  if (SameSettings(existing, alias)) return CreatedJson(existing);
  return ApiError{"ConflictException",
                  "Failed to create alias because an alias with the same name and a different "
                  "configuration already exists: '" +
                      alias.arn + "'",
                  {}};
}

}  // namespace stator::api::states
