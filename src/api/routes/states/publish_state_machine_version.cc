// PublishStateMachineVersion: publishes the current revision of a state machine as a version
// (the newest version when it already holds this revision). A revisionId that is not the
// current one is a ConflictException.
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef PublishStateMachineVersionInput() {
  static const ShapeRef shape = Struct({
      {"stateMachineArn", ArnShape(), kRequired},
      {"revisionId", String()},
      {"description", VersionDescriptionShape()},
  });
  return shape;
}

ApiResult<json::Value> PublishStateMachineVersion(StatesService& service,
                                                  const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineArn");
  STATOR_TRY(store::StateMachine m, LoadStateMachine(service, arn));
  // "INITIAL" names the revision of a machine never updated (which has no revisionId).
  if (auto revision = StringMember(input, "revisionId");
      revision && *revision != (m.revision_id.empty() ? "INITIAL" : m.revision_id)) {
    return ApiError{"ConflictException",
                    "Failed to publish the State Machine version for revision " + *revision +
                        ". The current State Machine revision is " +
                        (m.revision_id.empty() ? "INITIAL" : m.revision_id) + ".",
                    {}};
  }
  store::StateMachineVersion v;
  v.state_machine_arn = m.arn;
  v.config = m.config;
  v.description = StringMember(input, "description").value_or("");
  v.revision_id = m.revision_id;
  v.creation_date_ms = service.NowMillis();
  auto published = service.store().PublishVersion(v);
  if (!published.ok()) {
    if (published.error().error == store::kNotFound) {
      return ApiError::StateMachineDoesNotExist(arn);
    }
    return StoreFailure(published.error());
  }
  return json::Value::MakeObject({
      {"creationDate", Timestamp(published->creation_date_ms)},
      {"stateMachineVersionArn", json::Value::String(published->arn())},
  });
}

}  // namespace stator::api::states
