// CreateStateMachine: creates a state machine, or returns the existing one when the same
// name is created again with the same definition, type and logging, tracing and encryption
// configuration (roleArn and tags are ignored by that idempotency check, as on AWS).
#include "api/names.h"
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef CreateStateMachineInput() {
  static const ShapeRef shape = Struct({
      {"name", NameShape(), kRequired},
      {"definition", DefinitionShape(), kRequired},
      {"roleArn", ArnShape(), kRequired},
      {"type", StateMachineTypeShape()},
      {"loggingConfiguration", LoggingConfigurationShape()},
      {"tags", TagListShape()},
      {"tracingConfiguration", TracingConfigurationShape()},
      {"publish", Boolean()},
      {"versionDescription", VersionDescriptionShape()},
      {"encryptionConfiguration", EncryptionConfigurationShape()},
  });
  return shape;
}

ApiResult<json::Value> CreateStateMachine(StatesService& service, const json::Value& input) {
  std::string name = *StringMember(input, "name");
  if (!IsValidResourceName(name)) return ApiError::InvalidName(name);
  std::string role_arn = *StringMember(input, "roleArn");
  API_RETURN_IF_ERROR(CheckRoleArn(role_arn));
  API_RETURN_IF_ERROR(CheckVersionDescription(input));

  store::StateMachine m;
  m.name = name;
  m.arn = service.scope().StateMachine(name);
  m.type = store::ParseStateMachineType(StringMember(input, "type").value_or("STANDARD"))
               .value_or(store::StateMachineType::kStandard);
  m.config.definition = *StringMember(input, "definition");
  m.config.role_arn = role_arn;
  STATOR_TRY(m.config.logging_configuration,
             NormalizeLogging(Member(input, "loggingConfiguration")));
  m.config.tracing_configuration = NormalizeTracing(Member(input, "tracingConfiguration"));
  STATOR_TRY(m.config.encryption_configuration,
             NormalizeEncryption(Member(input, "encryptionConfiguration")));
  std::vector<store::Tag> tags = TagsFrom(Member(input, "tags"));
  if (tags.size() > 50) {
    return ApiError{"TooManyTags", "Too many tags: the maximum is 50.", {{"resourceName", m.arn}}};
  }
  API_RETURN_IF_ERROR(CheckDefinition(m.config.definition, m.type));
  m.creation_date_ms = service.NowMillis();

  auto created = service.store().CreateStateMachine(m, tags);
  if (!created.ok()) return StoreFailure(created.error());
  const store::StateMachine& stored = created->machine;
  if (!created->created) {
    const store::StateMachineConfig& a = stored.config;
    const store::StateMachineConfig& b = m.config;
    bool same = stored.type == m.type && a.definition == b.definition &&
                a.logging_configuration == b.logging_configuration &&
                a.tracing_configuration == b.tracing_configuration &&
                a.encryption_configuration == b.encryption_configuration;
    if (!same) {
      return ApiError{
          "StateMachineAlreadyExists", "State Machine Already Exists: '" + stored.arn + "'", {}};
    }
  }

  json::Object out;
  out.emplace_back("stateMachineArn", json::Value::String(stored.arn));
  out.emplace_back("creationDate", Timestamp(stored.creation_date_ms));
  if (BoolMember(input, "publish")) {
    store::StateMachineVersion v;
    v.state_machine_arn = stored.arn;
    v.config = stored.config;
    v.description = StringMember(input, "versionDescription").value_or("");
    v.revision_id = stored.revision_id;
    v.creation_date_ms = stored.creation_date_ms;
    auto published = service.store().PublishVersion(v);
    if (!published.ok()) return StoreFailure(published.error());
    out.emplace_back("stateMachineVersionArn", json::Value::String(published->arn()));
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
