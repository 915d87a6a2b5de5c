// What the state machine operations share: the shapes of common members, normalisation of the
// configuration members (as DescribeStateMachine returns them), definition checks, and the
// lookups that turn a client's ARN into a stored machine or version with AWS's errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/aws_json/api_error.h"
#include "api/aws_json/shape.h"
#include "api/states_service.h"
#include "common/arn.h"
#include "common/json.h"
#include "store/store.h"

namespace stator::api::states {

// Member shapes from the service model.
ShapeRef ArnShape();               // Arn: string 1..256
ShapeRef NameShape();              // Name: string 1..80
ShapeRef DefinitionShape();        // Definition: string 1..1048576
ShapeRef StateMachineTypeShape();  // STANDARD | EXPRESS
ShapeRef LoggingConfigurationShape();
ShapeRef TracingConfigurationShape();
ShapeRef EncryptionConfigurationShape();
ShapeRef TagListShape();
ShapeRef VersionDescriptionShape();  // string 0..256

// AWS timestamps: epoch seconds with milliseconds, a JSON number.
json::Value Timestamp(int64_t epoch_millis);

// Canonical JSON text of the configuration members, defaults filled in as AWS describes them
// ({"level":"OFF","includeExecutionData":false}, {"enabled":false}); `given` may be null.
ApiResult<std::string> NormalizeLogging(const json::Value* given);
std::string NormalizeTracing(const json::Value* given);
ApiResult<std::string> NormalizeEncryption(const json::Value* given);  // "" when not given

// InvalidDefinition unless `definition` compiles (and, for EXPRESS, uses no integration
// pattern Express does not support).
std::optional<ApiError> CheckDefinition(const std::string& definition,
                                        store::StateMachineType type);

// ValidationException when `versionDescription` is given without `publish: true` (Create and
// UpdateStateMachine: AWS documents that a version description needs a version to publish).
std::optional<ApiError> CheckVersionDescription(const json::Value& input);

// The tags of a TagList member (duplicates: the last value wins, first position kept).
std::vector<store::Tag> TagsFrom(const json::Value* tag_list);

// The state machine an unqualified ARN names: InvalidArn or StateMachineDoesNotExist.
ApiResult<store::StateMachine> LoadStateMachine(StatesService& service, const std::string& arn);

// Input members: nullptr / nullopt when absent or JSON null (shapes have checked the types).
inline const json::Value* Member(const json::Value& input, std::string_view key) {
  const json::Value* v = input.Find(key);
  return v && !v->is_null() ? v : nullptr;
}
inline std::optional<std::string> StringMember(const json::Value& input, std::string_view key) {
  const json::Value* v = Member(input, key);
  return v && v->is_string() ? std::optional<std::string>(v->as_string()) : std::nullopt;
}
inline std::optional<int64_t> IntMember(const json::Value& input, std::string_view key) {
  const json::Value* v = Member(input, key);
  return v && v->is_number() ? std::optional<int64_t>(static_cast<int64_t>(v->as_double()))
                             : std::nullopt;
}
inline bool BoolMember(const json::Value& input, std::string_view key) {
  const json::Value* v = Member(input, key);
  return v && v->is_bool() && v->as_bool();
}

// The JSON value of a stored JSON text member.
json::Value JsonMember(const std::string& text);

// Adds DescribeStateMachine's "variableReferences" for a stored definition to `out`: for every
// state at any depth that reads workflow variables, {"StateName": ["var", ...]} (names sorted).
// Adds nothing when no state reads one.
void AddVariableReferences(const std::string& definition, json::Object* out);

}  // namespace stator::api::states
