// Compile: definition JSON text -> diagnostics, and the StateMachine IR when there are none.
//
// Validation follows ValidateStateMachineDefinition: required and unknown fields per state type,
// Next/End rules, missing and unreachable transition targets, Retry/Catch rules, mutually
// exclusive fields, JSONPath / reference-path / intrinsic syntax, state name length and
// uniqueness across the whole machine (branches and item processors included). Every problem is
// reported, not only the first.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/diagnostic.h"
#include "asl/state_machine.h"

namespace stator::asl {

struct CompileResult {
  std::shared_ptr<const StateMachine> machine;  // null when diagnostics has an ERROR
  Diagnostics diagnostics;
  bool ok() const { return machine != nullptr; }
};

struct CompileOptions {
  // The KNIX dialect (knix/workflow_translation.h; shared/design/knix-protocol.md §2): KNIX's
  // own fields on top-level states (Task: PotentialNext, SessionFunction,
  // SessionFunctionParameters, KnixNext; Parallel: WaitForNumBranches) and at the top
  // (AllowImmediateMessages, EnableCheckpoints) compile into State::knix; a top-level Task may
  // have neither Next nor End (it routes nowhere once done); states need not be reachable from
  // StartAt (user code may start any of them). On a nested state these fields are errors.
  bool knix = false;
};

CompileResult Compile(std::string_view definition_json, const CompileOptions& options = {});
// Same, for an already parsed definition.
CompileResult Compile(const json::Value& definition, const CompileOptions& options = {});

// The message InvalidDefinition carries for these diagnostics (CreateStateMachine's wording:
// "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ... at /States/...'").
std::string InvalidDefinitionMessage(const Diagnostics& diagnostics);
// Same, given the definition text as the caller sent it: a few AWS messages quote it (an invalid
// Map Label: "Error=ValueError Args=[...] in definition '<text>'.").
std::string InvalidDefinitionMessage(const Diagnostics& diagnostics,
                                     std::string_view definition_text);

}  // namespace stator::asl
