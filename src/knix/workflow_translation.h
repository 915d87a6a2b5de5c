// Moving KNIX workflows into stator's engine and between KNIX and AWS Step Functions
// (issue 13 §3, §4). Three translations of a KNIX workflow (workflow_definition.h):
//
//   ToEngineDefinition  the definition the engine runs for the KNIX front door, in the KNIX
//                       dialect (asl::CompileOptions::knix: KNIX's own keys kept and run, see
//                       below), KNIX's semantics: Resources as Lambda ARNs, and every Fail state
//                       becomes a Succeed state (KNIX's Fail passes its input through as the
//                       output and ends the workflow or branch successfully; KNIX ignores its
//                       InputPath/OutputPath, Error and Cause, so those are dropped and Comment
//                       kept: FunctionWorker/python/StateUtils.py, tests/asl_Fail).
//   ExportToAws         the AWS-ready definition a KNIX user takes to Step Functions: the same
//                       Resource rewrite and KNIX-only keys dropped, states otherwise as written
//                       (a Fail state stays a Fail state and, on AWS, fails the execution).
//   ImportFromAws       an AWS definition back to KNIX: every Lambda function ARN Resource
//                       (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) becomes
//                       NAME, nested Parallel/Map states included; any other Resource
//                       (arn:aws:states:::dynamodb:putItem, arn:aws:states:::lambda:invoke with
//                       its Parameters.FunctionName, ...) is kept: stator runs it as AWS does.
//
// Resource rewrite (both directions out of KNIX): a Task Resource that is a plain name NAME
// becomes scope.Of("lambda", "function:NAME") = arn:aws:lambda:REGION:ACCOUNT:function:NAME; a
// Resource that already is an ARN (a Lambda function or a service integration) is kept.
//
// KNIX-only keys (top level EnableCheckpoints, AllowImmediateMessages; Task PotentialNext,
// KnixNext, SessionFunction, SessionFunctionParameters; Parallel WaitForNumBranches) are kept by
// ToEngineDefinition (the engine runs them: engine/executor_knix.cc; on nested states the KNIX
// dialect rejects them) and left out of ExportToAws, since AWS rejects unknown fields: an
// export/import round trip gives back the workflow without them (otherwise unchanged). A
// workflow that needs them (a Task without Next or End, states reached only through
// PotentialNext) then does not compile as AWS ASL, and the error says why.
//
// SAND workflows go through SandToAsl (sand_workflow.h) first.
//
// Every result is checked with asl::Compile (ToEngineDefinition: in the KNIX dialect): a
// definition it rejects is kInvalidWorkflowError with asl::InvalidDefinitionMessage's text
// ("Invalid State Machine Definition: ...").
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "common/arn.h"
#include "common/json.h"
#include "common/result.h"
#include "knix/workflow_definition.h"

namespace stator::knix {

// The definition the engine runs for this KNIX workflow (KNIX semantics, see above).
Result<json::Value> ToEngineDefinition(const WorkflowDefinition& workflow, const ArnScope& scope);

// The AWS Step Functions definition for this KNIX workflow (AWS semantics, see above).
Result<json::Value> ExportToAws(const WorkflowDefinition& workflow, const ArnScope& scope);

// The KNIX workflow document (ASL with plain function names) for an AWS definition. Errors
// (kInvalidWorkflowError): not JSON; not a definition (an object with StartAt and an object
// States); a definition asl::Compile rejects.
Result<json::Value> ImportFromAws(std::string_view definition_json);
Result<json::Value> ImportFromAws(const json::Value& definition);

}  // namespace stator::knix
