// DescribeStateMachine: a state machine, or one of its versions (a version ARN).
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef DescribeStateMachineInput() {
  static const ShapeRef shape = Struct({
      {"stateMachineArn", ArnShape(), kRequired},
      {"includedData", Enum({"ALL_DATA", "METADATA_ONLY"})},
  });
  return shape;
}

namespace {

void AddConfig(const store::StateMachineConfig& c, json::Object* out) {
  out->emplace_back("definition", json::Value::String(c.definition));
  out->emplace_back("roleArn", json::Value::String(c.role_arn));
  AddVariableReferences(c.definition, out);
}

void AddSettings(const store::StateMachineConfig& c, json::Object* out) {
  out->emplace_back("loggingConfiguration", JsonMember(c.logging_configuration));
  out->emplace_back("tracingConfiguration", JsonMember(c.tracing_configuration));
  if (!c.encryption_configuration.empty()) {
    out->emplace_back("encryptionConfiguration", JsonMember(c.encryption_configuration));
  }
}

}  // namespace

ApiResult<json::Value> DescribeStateMachine(StatesService& service, const json::Value& input) {
  std::string arn = *StringMember(input, "stateMachineArn");
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  auto machine = service.store().GetStateMachine(parsed.machine_arn);
  if (!machine.ok()) return StoreFailure(machine.error());
  if (!machine->has_value() || parsed.alias) return ApiError::StateMachineDoesNotExist(arn);
  const store::StateMachine& m = **machine;

  json::Object out;
  if (parsed.version) {
    auto version = service.store().GetVersion(parsed.machine_arn, *parsed.version);
    if (!version.ok()) return StoreFailure(version.error());
    if (!version->has_value()) return ApiError::StateMachineDoesNotExist(arn);
    const store::StateMachineVersion& v = **version;
    out.emplace_back("stateMachineArn", json::Value::String(v.arn()));
    out.emplace_back("name", json::Value::String(m.name));
    out.emplace_back("status", json::Value::String("ACTIVE"));
    AddConfig(v.config, &out);
    out.emplace_back("type", json::Value::String(store::StateMachineTypeName(m.type)));
    out.emplace_back("creationDate", Timestamp(v.creation_date_ms));
    AddSettings(v.config, &out);
    if (!v.revision_id.empty()) out.emplace_back("revisionId", json::Value::String(v.revision_id));
    if (!v.description.empty()) {
      out.emplace_back("description", json::Value::String(v.description));
    }
    return json::Value::MakeObject(std::move(out));
  }
  out.emplace_back("stateMachineArn", json::Value::String(m.arn));
  out.emplace_back("name", json::Value::String(m.name));
  out.emplace_back("status", json::Value::String("ACTIVE"));
  AddConfig(m.config, &out);
  out.emplace_back("type", json::Value::String(store::StateMachineTypeName(m.type)));
  out.emplace_back("creationDate", Timestamp(m.creation_date_ms));
  AddSettings(m.config, &out);
  if (!m.revision_id.empty()) out.emplace_back("revisionId", json::Value::String(m.revision_id));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
