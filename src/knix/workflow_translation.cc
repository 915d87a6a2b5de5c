#include "knix/workflow_translation.h"

#include <functional>
#include <initializer_list>
#include <string>
#include <utility>

#include "asl/compiler.h"

namespace stator::knix {
namespace {

// Rewrites one state (its nested States already rewritten).
using StateRewrite = std::function<json::Value(const json::Value& state)>;

enum class Semantics : uint8_t { kKnix, kAws };

json::Value WithoutKeys(const json::Value& object, std::initializer_list<std::string_view> keys) {
  json::Object kept;
  for (const json::Member& member : object.as_object()) {
    bool drop = false;
    for (std::string_view key : keys) drop = drop || member.first == key;
    if (!drop) kept.push_back(member);
  }
  return json::Value::MakeObject(std::move(kept));
}

std::string_view TypeOf(const json::Value& state) {
  const json::Value* type = state.Find("Type");
  return type && type->is_string() ? std::string_view(type->as_string()) : std::string_view();
}

json::Value RewriteStates(const json::Value& states, const StateRewrite& rewrite);

// machine.With("States", rewritten) for a {StartAt, States} object; anything else unchanged.
json::Value RewriteMachine(const json::Value& machine, const StateRewrite& rewrite) {
  if (!machine.is_object()) return machine;
  const json::Value* states = machine.Find("States");
  if (!states || !states->is_object()) return machine;
  return machine.With("States", RewriteStates(*states, rewrite));
}

// The state with the States nested in it rewritten (the places NestedStates lists).
json::Value RewriteNested(json::Value state, const StateRewrite& rewrite) {
  const std::string type(TypeOf(state));  // a copy: `state` is replaced below
  if (type == "Parallel") {
    const json::Value* branches = state.Find("Branches");
    if (branches && branches->is_array()) {
      json::Array rewritten;
      for (const json::Value& branch : branches->as_array()) {
        rewritten.push_back(RewriteMachine(branch, rewrite));
      }
      state = state.With("Branches", json::Value::MakeArray(std::move(rewritten)));
    }
  } else if (type == "Map") {
    for (std::string_view key : {"Iterator", "ItemProcessor"}) {
      if (const json::Value* machine = state.Find(key)) {
        state = state.With(key, RewriteMachine(*machine, rewrite));
      }
    }
  }
  return state;
}

json::Value RewriteStates(const json::Value& states, const StateRewrite& rewrite) {
  json::Object out;
  out.reserve(states.as_object().size());
  for (const json::Member& member : states.as_object()) {
    const json::Value& state = member.second;
    if (!state.is_object()) {
      out.push_back(member);  // the compiler reports it
      continue;
    }
    out.emplace_back(member.first, rewrite(RewriteNested(state, rewrite)));
  }
  return json::Value::MakeObject(std::move(out));
}

// One state of a KNIX workflow as the engine runs it (kKnix: the KNIX dialect, KNIX's keys
// kept) or as AWS ASL (kAws: KNIX's keys dropped).
json::Value KnixStateToAws(const json::Value& state, const ArnScope& scope, Semantics semantics) {
  std::string_view type = TypeOf(state);
  if (type == "Task") {
    json::Value out = semantics == Semantics::kKnix
                          ? state
                          : WithoutKeys(state, {"PotentialNext", "KnixNext", "SessionFunction",
                                                "SessionFunctionParameters"});
    const json::Value* resource = out.Find("Resource");
    if (resource && resource->is_string() && !resource->as_string().empty() &&
        !resource->as_string().starts_with("arn:")) {
      out = out.With("Resource",
                     json::Value::String(scope.Of("lambda", "function:" + resource->as_string())));
    }
    return out;
  }
  if (type == "Parallel" && semantics == Semantics::kAws) {
    return WithoutKeys(state, {"WaitForNumBranches"});
  }
  if (type == "Fail" && semantics == Semantics::kKnix) {
    // KNIX's Fail: output = input, a successful end. Succeed's output is its input once
    // InputPath/OutputPath (which KNIX ignores on a Fail) are gone.
    return WithoutKeys(state,
                       {"Error", "Cause", "ErrorPath", "CausePath", "InputPath", "OutputPath"})
        .With("Type", json::Value::String("Succeed"));
  }
  return state;
}

Status CheckCompiles(const json::Value& definition, Semantics semantics = Semantics::kAws) {
  asl::CompileResult compiled = asl::Compile(definition, {.knix = semantics == Semantics::kKnix});
  if (!compiled.ok()) {
    return Error{kInvalidWorkflowError, asl::InvalidDefinitionMessage(compiled.diagnostics)};
  }
  return Status::Ok();
}

Result<json::Value> Translate(const WorkflowDefinition& workflow, const ArnScope& scope,
                              Semantics semantics) {
  json::Value asl = workflow.document;
  if (workflow.format == WorkflowFormat::kSand) {
    STATOR_TRY(asl, SandToAsl(workflow.sand));
  }
  if (!IsAslWorkflow(asl)) {
    return Error{kInvalidWorkflowError, "not an ASL workflow (StartAt and an object States)"};
  }
  if (semantics == Semantics::kAws) {
    for (const json::Member& m : asl.Find("States")->as_object()) {
      if (m.second.is_object() && m.second.Find("KnixNext") != nullptr) {
        return Error{kUnsupportedWorkflowError,
                     "state '" + m.first +
                         "' routes its output to several states (a static fan-out), which "
                         "Step Functions cannot express"};
      }
    }
  }
  StateRewrite rewrite = [&scope, semantics](const json::Value& state) {
    return KnixStateToAws(state, scope, semantics);
  };
  json::Value out = semantics == Semantics::kKnix
                        ? asl
                        : WithoutKeys(asl, {"EnableCheckpoints", "AllowImmediateMessages"});
  out = out.With("States", RewriteStates(*asl.Find("States"), rewrite));
  STATOR_RETURN_IF_ERROR(CheckCompiles(out, semantics));
  return out;
}

}  // namespace

Result<json::Value> ToEngineDefinition(const WorkflowDefinition& workflow, const ArnScope& scope) {
  return Translate(workflow, scope, Semantics::kKnix);
}

Result<json::Value> ExportToAws(const WorkflowDefinition& workflow, const ArnScope& scope) {
  return Translate(workflow, scope, Semantics::kAws);
}

Result<json::Value> ImportFromAws(std::string_view definition_json) {
  Result<json::Value> definition = json::Parse(definition_json);
  if (!definition.ok()) {
    return Error{kInvalidWorkflowError,
                 "the definition is not valid JSON: " + definition.error().cause};
  }
  return ImportFromAws(definition.value());
}

Result<json::Value> ImportFromAws(const json::Value& definition) {
  if (!IsAslWorkflow(definition)) {
    return Error{kInvalidWorkflowError,
                 "not a Step Functions definition (a JSON object with StartAt and an object "
                 "States)"};
  }
  STATOR_RETURN_IF_ERROR(CheckCompiles(definition));
  StateRewrite rewrite = [](const json::Value& state) {
    if (TypeOf(state) != "Task") return state;
    const json::Value* resource = state.Find("Resource");
    if (!resource || !resource->is_string() || !resource->as_string().starts_with("arn:")) {
      return state;
    }
    std::optional<std::string> function = FunctionOfResource(resource->as_string());
    if (!function) return state;  // a service integration or an activity
    return state.With("Resource", json::Value::String(std::move(*function)));
  };
  return definition.With("States", RewriteStates(*definition.Find("States"), rewrite));
}

}  // namespace stator::knix
