// Diagnostic: one problem found in a state machine definition, in the shape of an entry of
// ValidateStateMachineDefinition's "diagnostics" list.
#pragma once

#include <string>
#include <vector>

namespace stator::asl {

// Diagnostic codes, as AWS names them.
inline constexpr const char* kSchemaValidationFailed = "SCHEMA_VALIDATION_FAILED";
inline constexpr const char* kInvalidJsonDescription = "INVALID_JSON_DESCRIPTION";
inline constexpr const char* kMissingTransitionTarget = "MISSING_TRANSITION_TARGET";
inline constexpr const char* kDuplicateStateName = "DUPLICATE_STATE_NAME";
inline constexpr const char* kUnreachableState = "UNREACHABLE_STATE";
inline constexpr const char* kInvalidResource = "INVALID_RESOURCE";

struct Diagnostic {
  std::string severity = "ERROR";  // "ERROR" or "WARNING"
  std::string code;                // one of the codes above
  std::string message;             // AWS's wording where known
  std::string location;            // JSON pointer into the definition, e.g. /States/Foo/Next

  bool operator==(const Diagnostic&) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace stator::asl
