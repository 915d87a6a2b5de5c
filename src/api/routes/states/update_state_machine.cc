// UpdateStateMachine: changes the definition, role, logging, tracing or encryption of a state
// machine. A change gives the machine a new revisionId; `publish` also publishes a version
// (the existing newest one when nothing changed since it was published).
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "common/uuid.h"

namespace stator::api::states {

ShapeRef UpdateStateMachineInput() {
  static const ShapeRef shape = Struct({
      {"stateMachineArn", ArnShape(), kRequired},
      {"definition", DefinitionShape()},
      {"roleArn", ArnShape()},
      {"loggingConfiguration", LoggingConfigurationShape()},
      {"tracingConfiguration", TracingConfigurationShape()},
      {"publish", Boolean()},
      {"versionDescription", VersionDescriptionShape()},
      {"encryptionConfiguration", EncryptionConfigurationShape()},
  });
  return shape;
}

ApiResult<json::Value> UpdateStateMachine(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineArn");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (parsed.qualified()) {
    return ApiError::ValidationWithReason("This API does not support labeled ARNs.",
                                          "API_DOES_NOT_SUPPORT_LABELED_ARNS");
  }
  auto definition = StringMember(input, "definition");
  auto role_arn = StringMember(input, "roleArn");
  const json::Value* logging = Member(input, "loggingConfiguration");
  const json::Value* tracing = Member(input, "tracingConfiguration");
  const json::Value* encryption = Member(input, "encryptionConfiguration");
  if (!definition && !role_arn && !logging && !tracing && !encryption) {
    return ApiError{"MissingRequiredParameter",
                    "Either the definition, the role ARN, the LoggingConfiguration, or the "
                    "TracingConfiguration must be specified",
                    {}};
  }
  if (role_arn) API_RETURN_IF_ERROR(CheckRoleArn(*role_arn));
  API_RETURN_IF_ERROR(CheckVersionDescription(input));
  STATOR_TRY(store::StateMachine m, LoadStateMachine(service, arn));

  store::StateMachineConfig config = m.config;
  if (definition) {
    API_RETURN_IF_ERROR(CheckDefinition(*definition, m.type));
    config.definition = *definition;
  }
  if (role_arn) config.role_arn = *role_arn;
  if (logging) {
    STATOR_TRY(config.logging_configuration, NormalizeLogging(logging));
  }
  if (tracing) config.tracing_configuration = NormalizeTracing(tracing);
  if (encryption) {
    STATOR_TRY(config.encryption_configuration, NormalizeEncryption(encryption));
  }

  int64_t now = service.NowMillis();
  if (config != m.config) {
    m.config = std::move(config);
    m.revision_id = NewUuid();
  }
  m.update_date_ms = now;
  Status s = service.store().UpdateStateMachine(m);
  if (!s.ok()) {
    if (s.error().error == store::kNotFound) return ApiError::StateMachineDoesNotExist(arn);
    return StoreFailure(s.error());
  }

  json::Object out;
  out.emplace_back("updateDate", Timestamp(now));
  if (!m.revision_id.empty()) out.emplace_back("revisionId", json::Value::String(m.revision_id));
  if (BoolMember(input, "publish")) {
    store::StateMachineVersion v;
    v.state_machine_arn = m.arn;
    v.config = m.config;
    v.description = StringMember(input, "versionDescription").value_or("");
    v.revision_id = m.revision_id;
    v.creation_date_ms = now;
    auto published = service.store().PublishVersion(v);
    if (!published.ok()) return StoreFailure(published.error());
    out.emplace_back("stateMachineVersionArn", json::Value::String(published->arn()));
  }
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
