#include "knix/workflow_definition.h"

#include <set>
#include <utility>

namespace stator::knix {
namespace {

constexpr char kDeployPrefix[] = "Couldn't deploy workflow; ";

// Splits text at every ':'.
std::vector<std::string_view> SplitColons(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
}

}  // namespace

bool IsAslWorkflow(const json::Value& document) {
  if (!document.is_object() || !document.Find("StartAt")) return false;
  const json::Value* states = document.Find("States");
  return states && states->is_object();
}

Result<WorkflowDefinition> ParseWorkflowDefinition(std::string_view json_text) {
  Result<json::Value> document = json::Parse(json_text);
  if (!document.ok()) return Error{kInvalidWorkflowError, "workflow JSON is not valid."};
  return ParseWorkflowDefinition(document.value());
}

Result<WorkflowDefinition> ParseWorkflowDefinition(const json::Value& document) {
  if (!document.is_object()) {
    return Error{kInvalidWorkflowError,
                 std::string("workflow JSON is not valid: a workflow is a JSON object (ASL with "
                             "StartAt and States, or SAND with entry and functions), not ") +
                     document.TypeName()};
  }
  WorkflowDefinition workflow;
  workflow.document = document;
  if (IsAslWorkflow(document)) {
    workflow.format = WorkflowFormat::kAsl;
    return workflow;
  }
  workflow.format = WorkflowFormat::kSand;
  STATOR_TRY(workflow.sand, ParseSandWorkflow(document));
  return workflow;
}

std::optional<std::string> FunctionOfResource(std::string_view resource) {
  if (resource.empty()) return std::nullopt;
  if (!resource.starts_with("arn:")) return std::string(resource);
  // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
  std::vector<std::string_view> parts = SplitColons(resource);
  if ((parts.size() != 7 && parts.size() != 8) || parts[2] != "lambda" || parts[5] != "function" ||
      parts[6].empty() || (parts.size() == 8 && parts[7].empty())) {
    return std::nullopt;
  }
  return std::string(parts[6]);
}

std::vector<const json::Value*> NestedStates(const json::Value& state) {
  std::vector<const json::Value*> nested;
  if (!state.is_object()) return nested;
  const json::Value* type = state.Find("Type");
  if (!type || !type->is_string()) return nested;
  auto add = [&nested](const json::Value* machine) {
    if (!machine || !machine->is_object()) return;
    const json::Value* states = machine->Find("States");
    if (states && states->is_object()) nested.push_back(states);
  };
  if (type->as_string() == "Parallel") {
    const json::Value* branches = state.Find("Branches");
    if (branches && branches->is_array()) {
      for (const json::Value& branch : branches->as_array()) add(&branch);
    }
  } else if (type->as_string() == "Map") {
    add(state.Find("Iterator"));
    add(state.Find("ItemProcessor"));
  }
  return nested;
}

std::vector<std::string> UsedFunctions(const WorkflowDefinition& workflow) {
  std::vector<std::string> used;
  std::set<std::string> seen;
  auto use = [&](std::string_view resource) {
    std::optional<std::string> function = FunctionOfResource(resource);
    if (function && seen.insert(*function).second) used.push_back(std::move(*function));
  };
  if (workflow.format == WorkflowFormat::kSand) {
    for (const SandFunction& f : workflow.sand.functions) use(f.resource);
    return used;
  }
  // Level by level: every state of one level, then the States nested in them.
  std::vector<const json::Value*> level;
  if (const json::Value* states = workflow.document.Find("States"); states && states->is_object()) {
    level.push_back(states);
  }
  while (!level.empty()) {
    std::vector<const json::Value*> deeper;
    for (const json::Value* states : level) {
      for (const json::Member& member : states->as_object()) {
        const json::Value& state = member.second;
        if (!state.is_object()) continue;
        const json::Value* type = state.Find("Type");
        const json::Value* resource = state.Find("Resource");
        if (type && type->is_string() && type->as_string() == "Task" && resource &&
            resource->is_string()) {
          use(resource->as_string());
        }
        for (const json::Value* nested : NestedStates(state)) deeper.push_back(nested);
      }
    }
    level = std::move(deeper);
  }
  return used;
}

std::string DeployFailureMessage(const Error& error) {
  std::string message = kDeployPrefix;
  if (error.error == kWorkflowCheckError) message += kDeployPrefix;
  return message + error.cause;
}

std::string MissingResourcesMessage(const std::vector<std::string>& missing) {
  std::string message = std::string(kDeployPrefix) + kDeployPrefix;
  for (const std::string& name : missing) {
    message += "\nResource has not been uploaded yet: " + name;
  }
  return message;
}

}  // namespace stator::knix
