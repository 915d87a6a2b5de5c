// SAND workflows: KNIX's own workflow format (shared/design/knix-protocol.md §2), parsed into a
// model and, where it can be expressed, converted to an ASL chain of Task states.
//
//   {"name": "wf", "entry": "state_0", "exit": "end",
//    "enable_checkpoints": true, "allow_immediate_messages": false,
//    "functions": [{"name": "state_0", "resource": "function0", "next": ["state_1"],
//                   "potentialNext": [], "isSessionFunction": false,
//                   "sessionFunctionParameters": {...}},
//                  {"name": "state_1", "next": ["end"]}]}
//
// Rules, as KNIX applies them (ManagementService/python/deployWorkflow.py
// check_workflow_functions, SandboxAgent/workflow.py parseSandDescription):
//   - `resource` defaults to `name`; the exit is `exit`, else `end`, else "end";
//   - a function named like the exit: "End of the workflow MUST NOT be a function: X";
//     a name used twice: "The function names should be unique: X" (both checked per function,
//     in order, exit first, as KNIX does; Error::error = kWorkflowCheckError);
//   - every `next` / `potentialNext` entry is the exit or a function: "Faulty workflow
//     description: A uses B, which does not exist!" (KNIX logs that wording when its sandbox
//     refuses the workflow).
// Where KNIX fails with a Python KeyError/TypeError (no `functions`, no `entry`, a wrong type)
// the error names the field instead (kInvalidWorkflowError). `name` is optional here.
//
// SandToAsl gives the same workflow in KNIX's ASL dialect (asl::CompileOptions::knix): one Task
// state per function; `next: [X, ...]` -> Next: X (End: true for the exit) and the rest as
// KnixNext (the exit as "end"); `next: []` -> neither (the state routes nowhere);
// potentialNext -> PotentialNext; isSessionFunction / sessionFunctionParameters ->
// SessionFunction / SessionFunctionParameters.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/result.h"

namespace stator::knix {

// Error::error values of the KNIX workflow modules (Error::cause holds the message).
// KNIX's own deploy checks (duplicate names, a function named like the exit): KNIX wraps these
// twice in "Couldn't deploy workflow; " (see DeployFailureMessage, workflow_definition.h).
inline constexpr char kWorkflowCheckError[] = "KnixWorkflowCheck";
// Not a workflow: invalid JSON, a wrong shape, or (translations) a definition the ASL compiler
// rejects.
inline constexpr char kInvalidWorkflowError[] = "KnixInvalidWorkflow";
// A valid KNIX workflow that stator cannot express (a SAND function named "end" under another
// exit name), or that Step Functions cannot (ExportToAws of a static fan-out).
inline constexpr char kUnsupportedWorkflowError[] = "KnixUnsupportedWorkflow";

struct SandFunction {
  std::string name;               // the state (execution node) name
  std::string resource;           // the function it runs; `name` when the JSON has no `resource`
  std::vector<std::string> next;  // static successors; the exit delivers the result
  std::vector<std::string> potential_next;  // successors user code may pick at run time
  bool is_session_function = false;
  json::Value session_function_parameters;  // as written; null when absent
};

struct SandWorkflow {
  std::string name;  // "" when absent
  std::string entry;
  std::string exit = "end";
  std::optional<bool> enable_checkpoints;        // as written; KNIX's default is true
  std::optional<bool> allow_immediate_messages;  // as written; KNIX's default is false
  std::vector<SandFunction> functions;           // in document order
};

// Parses a SAND description (a JSON object). Errors as described above.
Result<SandWorkflow> ParseSandWorkflow(const json::Value& document);

// The equivalent KNIX-dialect ASL (plain function names as Resources, KNIX flags as
// EnableCheckpoints / AllowImmediateMessages when the SAND sets them): one Task state per
// function, named like it, in document order; StartAt = entry; routes as described above.
// kUnsupportedWorkflowError for a function named "end" under another exit name.
Result<json::Value> SandToAsl(const SandWorkflow& sand);

}  // namespace stator::knix
