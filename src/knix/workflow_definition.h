// A KNIX workflow definition: the JSON text uploadWorkflowJSON stored (base64-decoded by the
// caller) parsed into a model, the functions it uses, and KNIX's deploy-failure wording
// (shared/design/knix-protocol.md §2; KNIX: ManagementService/python/deployWorkflow.py).
//
// Two formats. ASL is detected as KNIX does (is_asl_workflow): a JSON object with `StartAt` and
// an object `States`. Anything else is SAND (sand_workflow.h). ASL is KNIX's dialect: a Task's
// Resource is a plain function name (several states may share one), plus KNIX-only keys
// (top level EnableCheckpoints, AllowImmediateMessages; Task PotentialNext, SessionFunction,
// SessionFunctionParameters; Parallel WaitForNumBranches). Parsing keeps the document exactly as
// written (KNIX-only keys included) and checks only what detection and the SAND rules need; the
// rest of ASL is checked by asl::Compile when the workflow is translated
// (workflow_translation.h).
//
// Resources. A Task Resource names a function when it is a plain name (KNIX's way) or a Lambda
// function ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], as an imported
// AWS definition has it); any other ARN (arn:aws:states:::dynamodb:putItem,
// arn:aws:states:::lambda:invoke, an activity) is a service integration, not a function of the
// user: stator runs it as Step Functions does, and deploy does not check it (a lambda:invoke's
// Parameters.FunctionName is resolved when the task runs, as on AWS).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "knix/sand_workflow.h"

namespace stator::knix {

enum class WorkflowFormat : uint8_t { kAsl, kSand };

struct WorkflowDefinition {
  WorkflowFormat format = WorkflowFormat::kAsl;
  json::Value document;  // the parsed JSON as uploaded, KNIX-only keys included
  SandWorkflow sand;     // kSand: the parsed description; empty for kAsl
};

// KNIX's is_asl_workflow: an object with `StartAt` and an object `States`.
bool IsAslWorkflow(const json::Value& document);

// Parses the workflow JSON text. Errors (Error::error from sand_workflow.h, cause in KNIX's
// wording where KNIX has one):
//   not JSON                -> kInvalidWorkflowError "workflow JSON is not valid."
//   JSON but not an object  -> kInvalidWorkflowError "workflow JSON is not valid: ..."
//   SAND problems           -> as listed in sand_workflow.h
Result<WorkflowDefinition> ParseWorkflowDefinition(std::string_view json_text);
// Same, for an already parsed document.
Result<WorkflowDefinition> ParseWorkflowDefinition(const json::Value& document);

// The function a Task Resource names: a plain name as is; a Lambda function ARN's NAME
// (qualifier dropped); nullopt for any other ARN (a service integration, an activity).
std::optional<std::string> FunctionOfResource(std::string_view resource);

// The functions the workflow uses, each once, in KNIX's order (first use wins): ASL: the
// Resource of every Task state (FunctionOfResource; other Resources are not functions), the
// top-level states first, then those nested in Parallel `Branches[].States` and Map
// `Iterator.States` / `ItemProcessor.States`, level by level (KNIX itself looks one level deep
// only). SAND: each function's resource, in document order. Malformed parts (a state that is
// not an object, a Resource that is not a string) are skipped: the compiler reports them.
std::vector<std::string> UsedFunctions(const WorkflowDefinition& workflow);

// The `States` objects nested directly in one ASL state: each Parallel `Branches[].States`, a
// Map's `Iterator.States` and `ItemProcessor.States`. Pointers into `state`; malformed parts are
// skipped.
std::vector<const json::Value*> NestedStates(const json::Value& state);

// deployWorkflow's failure message for a parse or translation error, exactly as KNIX words it:
// "Couldn't deploy workflow; " + cause; KNIX's own checks (kWorkflowCheckError) carry the prefix
// twice, as KNIX's deployWorkflow.py raises it and then wraps the exception again:
// "Couldn't deploy workflow; Couldn't deploy workflow; The function names should be unique: f".
std::string DeployFailureMessage(const Error& error);

// deployWorkflow's failure message when some used functions do not exist (missing: in the order
// UsedFunctions gave them; must not be empty). KNIX's exact text, prefix doubled as above:
// "Couldn't deploy workflow; Couldn't deploy workflow; \nResource has not been uploaded yet: A"
// followed by "\nResource has not been uploaded yet: B" for each further name.
std::string MissingResourcesMessage(const std::vector<std::string>& missing);

// deployWorkflow's failure message when no workflow JSON was uploaded.
inline constexpr char kNoWorkflowJsonMessage[] =
    "Couldn't deploy workflow; workflow JSON does not exist.";

}  // namespace stator::knix
