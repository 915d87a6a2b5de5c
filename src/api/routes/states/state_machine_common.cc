#include "api/routes/states/state_machine_common.h"

#include <cmath>

#include "api/routes/states/map_run_common.h"
#include "asl/compiler.h"

namespace stator::api::states {

ShapeRef ArnShape() { return String(1, 256); }
ShapeRef NameShape() { return String(1, 80); }
ShapeRef DefinitionShape() { return String(1, 1048576); }
ShapeRef StateMachineTypeShape() { return Enum({"STANDARD", "EXPRESS"}); }
ShapeRef VersionDescriptionShape() { return String(0, 256); }

ShapeRef LoggingConfigurationShape() {
  return Struct({
      {"level", Enum({"ALL", "ERROR", "FATAL", "OFF"})},
      {"includeExecutionData", Boolean()},
      {"destinations",
       List(Struct({{"cloudWatchLogsLogGroup", Struct({{"logGroupArn", ArnShape()}})}}))},
  });
}

ShapeRef TracingConfigurationShape() { return Struct({{"enabled", Boolean()}}); }

ShapeRef EncryptionConfigurationShape() {
  return Struct({
      {"kmsKeyId", String(1, 2048)},
      {"kmsDataKeyReusePeriodSeconds", Integer(60, 900)},
      {"type", Enum({"AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY"}), kRequired},
  });
}

ShapeRef TagListShape() {
  return List(Struct({{"key", String(1, 128)}, {"value", String(0, 256)}}));
}

json::Value Timestamp(int64_t epoch_millis) {
  return json::Value::Double(static_cast<double>(epoch_millis) / 1000.0);
}

json::Value JsonMember(const std::string& text) {
  if (text.empty()) return json::Value();
  auto v = json::Parse(text);
  return v.ok() ? std::move(v).value() : json::Value();
}

namespace {

ApiError InvalidLogging(std::string_view detail) {
  return ApiError{
      "InvalidLoggingConfiguration", "Invalid Logging Configuration: " + std::string(detail), {}};
}

}  // namespace

ApiResult<std::string> NormalizeLogging(const json::Value* given) {
  std::string level = "OFF";
  bool include = false;
  const json::Value* destinations = nullptr;
  if (given && given->is_object()) {
    if (const json::Value* l = given->Find("level"); l && l->is_string()) level = l->as_string();
    if (const json::Value* i = given->Find("includeExecutionData"); i && i->is_bool()) {
      include = i->as_bool();
    }
    if (const json::Value* d = given->Find("destinations"); d && d->is_array()) destinations = d;
  }
  size_t n = destinations ? destinations->as_array().size() : 0;
  if (n > 1) return InvalidLogging("Must specify exactly one Log Destination.");
  if (level != "OFF" && n == 0) {
    return InvalidLogging("Must specify exactly one Log Destination if logging level is not OFF.");
  }
  if (n == 1) {
    const json::Value& dest = destinations->as_array()[0];
    const json::Value* group = dest.is_object() ? dest.Find("cloudWatchLogsLogGroup") : nullptr;
    const json::Value* arn = group && group->is_object() ? group->Find("logGroupArn") : nullptr;
    if (!arn || !arn->is_string()) {
      return InvalidLogging("Must specify a CloudWatch Logs Log Group ARN.");
    }
    const std::string& a = arn->as_string();
    if (!a.ends_with(":*")) {
      return InvalidLogging("Log Group ARN must be provided with '*' qualifier.");
    }
  }
  json::Object out;
  out.emplace_back("level", json::Value::String(level));
  out.emplace_back("includeExecutionData", json::Value::Bool(include));
  if (destinations) out.emplace_back("destinations", *destinations);
  return json::Value::MakeObject(std::move(out)).Dump();
}

std::string NormalizeTracing(const json::Value* given) {
  bool enabled = false;
  if (given && given->is_object()) {
    if (const json::Value* e = given->Find("enabled"); e && e->is_bool()) enabled = e->as_bool();
  }
  return json::Value::MakeObject({{"enabled", json::Value::Bool(enabled)}}).Dump();
}

ApiResult<std::string> NormalizeEncryption(const json::Value* given) {
  if (!given || !given->is_object()) return std::string();
  const json::Value* type = given->Find("type");
  const json::Value* key = given->Find("kmsKeyId");
  bool customer = type && type->is_string() && type->as_string() == "CUSTOMER_MANAGED_KMS_KEY";
  if (customer && (!key || !key->is_string())) {
    return ApiError{"InvalidEncryptionConfiguration",
                    "Invalid Encryption Configuration: kmsKeyId must be specified for "
                    "CUSTOMER_MANAGED_KMS_KEY.",
                    {}};
  }
  if (!customer && key && !key->is_null()) {
    return ApiError{"InvalidEncryptionConfiguration",
                    "Invalid Encryption Configuration: kmsKeyId must not be specified for "
                    "AWS_OWNED_KEY.",
                    {}};
  }
  json::Object out;
  for (const char* k : {"kmsKeyId", "kmsDataKeyReusePeriodSeconds", "type"}) {
    if (const json::Value* v = given->Find(k); v && !v->is_null()) out.emplace_back(k, *v);
  }
  return json::Value::MakeObject(std::move(out)).Dump();
}

namespace {

// Express machines cannot wait for callbacks or run nested jobs synchronously.
std::optional<ApiError> CheckExpressStates(const json::Value& states, const std::string& where) {
  if (!states.is_object()) return std::nullopt;
  for (const auto& [name, state] : states.as_object()) {
    if (!state.is_object()) continue;
    std::string at = where + "/" + name;
    if (const json::Value* r = state.Find("Resource"); r && r->is_string()) {
      const std::string& res = r->as_string();
      if (res.ends_with(".waitForTaskToken")) {
        // AWS's wording has two spaces before "at" for this one.
        return ApiError{"InvalidDefinition",
                        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express "
                        "state machine does not support '.waitForTaskToken' service integration  "
                        "at " +
                            at + "/Resource'",
                        {}};
      }
      if (res.ends_with(".sync") || res.find(".sync:") != std::string::npos) {
        return ApiError{"InvalidDefinition",
                        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express "
                        "state machine does not support '.sync' service integration at " +
                            at + "/Resource'",
                        {}};
      }
    }
    if (const json::Value* b = state.Find("Branches"); b && b->is_array()) {
      int i = 0;
      for (const json::Value& branch : b->as_array()) {
        if (const json::Value* s = branch.is_object() ? branch.Find("States") : nullptr) {
          if (auto e = CheckExpressStates(*s, at + "/Branches/" + std::to_string(i) + "/States")) {
            return e;
          }
        }
        ++i;
      }
    }
    for (const char* key : {"ItemProcessor", "Iterator"}) {
      const json::Value* p = state.Find(key);
      if (const json::Value* s = p && p->is_object() ? p->Find("States") : nullptr) {
        if (auto e = CheckExpressStates(*s, at + "/" + key + "/States")) return e;
      }
    }
  }
  return std::nullopt;
}

// The ItemProcessors of distributed Maps whose children are Express executions follow the
// Express rules, in a machine of either type.
std::optional<ApiError> CheckExpressChildren(const json::Value& states, const std::string& where) {
  if (!states.is_object()) return std::nullopt;
  for (const auto& [name, state] : states.as_object()) {
    if (!state.is_object()) continue;
    std::string at = where + "/" + name;
    if (const json::Value* b = state.Find("Branches"); b && b->is_array()) {
      for (size_t i = 0; i < b->as_array().size(); ++i) {
        const json::Value& branch = b->as_array()[i];
        if (const json::Value* s = branch.is_object() ? branch.Find("States") : nullptr) {
          std::string inner = at + "/Branches/" + std::to_string(i) + "/States";
          if (auto e = CheckExpressChildren(*s, inner)) return e;
        }
      }
    }
    for (const char* key : {"ItemProcessor", "Iterator"}) {
      const json::Value* p = state.Find(key);
      const json::Value* s = p && p->is_object() ? p->Find("States") : nullptr;
      if (s == nullptr) continue;
      const json::Value* config = p->Find("ProcessorConfig");
      const json::Value* type =
          config && config->is_object() ? config->Find("ExecutionType") : nullptr;
      const std::string inner = at + "/" + key + "/States";
      if (type && type->is_string() && type->as_string() == "EXPRESS") {
        if (auto e = CheckExpressStates(*s, inner)) return e;
      }
      if (auto e = CheckExpressChildren(*s, inner)) return e;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> CheckDefinition(const std::string& definition,
                                        store::StateMachineType type) {
  asl::CompileResult compiled = asl::Compile(definition);
  if (!compiled.ok()) {
    return ApiError{"InvalidDefinition", asl::InvalidDefinitionMessage(compiled.diagnostics), {}};
  }
  if (auto parsed = json::Parse(definition); parsed.ok()) {
    if (auto e = CheckItemReaders(*parsed)) return e;  // map_run_common.h
    const json::Value* states = parsed->is_object() ? parsed->Find("States") : nullptr;
    if (states != nullptr) {
      if (auto e = CheckExpressChildren(*states, "/States")) return e;
    }
  }
  if (type == store::StateMachineType::kExpress) {
    auto parsed = json::Parse(definition);
    if (parsed.ok() && parsed->is_object()) {
      if (const json::Value* states = parsed->Find("States")) {
        if (auto e = CheckExpressStates(*states, "/States")) return e;
      }
    }
  }
  return std::nullopt;
}

std::optional<ApiError> CheckVersionDescription(const json::Value& input) {
  if (Member(input, "versionDescription") && !BoolMember(input, "publish")) {
    return ApiError::Validation("Version description can only be set when publish is true");
  }
  return std::nullopt;
}

std::vector<store::Tag> TagsFrom(const json::Value* tag_list) {
  std::vector<store::Tag> tags;
  if (!tag_list || !tag_list->is_array()) return tags;
  for (const json::Value& t : tag_list->as_array()) {
    if (!t.is_object()) continue;
    const json::Value* k = t.Find("key");
    const json::Value* v = t.Find("value");
    std::string key = k && k->is_string() ? k->as_string() : "";
    std::string value = v && v->is_string() ? v->as_string() : "";
    bool replaced = false;
    for (store::Tag& existing : tags) {
      if (existing.key == key) {
        existing.value = value;
        replaced = true;
      }
    }
    if (!replaced) tags.push_back(store::Tag{std::move(key), std::move(value)});
  }
  return tags;
}

ApiResult<store::StateMachine> LoadStateMachine(StatesService& service, const std::string& arn) {
  STATOR_TRY(StateMachineArn parsed, ParseStateMachineArn(arn));
  if (parsed.qualified()) return ApiError::StateMachineDoesNotExist(arn);
  auto got = service.store().GetStateMachine(parsed.machine_arn);
  if (!got.ok()) return StoreFailure(got.error());
  if (!got->has_value()) return ApiError::StateMachineDoesNotExist(arn);
  return std::move(**got);
}

namespace {

void CollectVariableReferences(const asl::StateMachine& machine, json::Object* refs) {
  for (const asl::State& state : machine.states) {
    if (!state.variable_references.empty()) {
      json::Array names;
      for (const std::string& name : state.variable_references) {
        names.push_back(json::Value::String(name));
      }
      refs->emplace_back(state.name, json::Value::MakeArray(std::move(names)));
    }
    for (const auto& branch : state.branches) CollectVariableReferences(*branch, refs);
    if (state.iterator) CollectVariableReferences(*state.iterator, refs);
  }
}

}  // namespace

void AddVariableReferences(const std::string& definition, json::Object* out) {
  asl::CompileResult compiled = asl::Compile(definition);
  if (!compiled.ok()) return;  // stored definitions compiled when they were stored
  json::Object refs;
  CollectVariableReferences(*compiled.machine, &refs);
  if (!refs.empty())
    out->emplace_back("variableReferences", json::Value::MakeObject(std::move(refs)));
}

}  // namespace stator::api::states
