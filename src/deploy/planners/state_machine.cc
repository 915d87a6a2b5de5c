// The planner of AWS::Serverless::StateMachine and AWS::StepFunctions::StateMachine: a Step
// Functions CreateStateMachine request whose definition has its DefinitionSubstitutions applied,
// named Name / StateMachineName or STACK-LogicalId.
#include <algorithm>

#include "deploy/intrinsics.h"
#include "deploy/planners/planner.h"
#include "deploy/planners/properties.h"
#include "deploy/template.h"

namespace stator::deploy {
namespace {

using json::Value;
using Substitutions = std::vector<std::pair<std::string, std::string>>;

Value Str(std::string s) { return Value::String(std::move(s)); }

// Every string (member names included) with the substitutions applied.
Value SubstituteStrings(const Value& v, const Substitutions& subs) {
  if (v.is_string()) return Str(Substitute(v.as_string(), subs));
  if (v.is_array()) {
    json::Array items;
    for (const Value& i : v.as_array()) items.push_back(SubstituteStrings(i, subs));
    return Value::MakeArray(std::move(items));
  }
  if (v.is_object()) {
    json::Object members;
    for (const auto& [k, m] : v.as_object()) {
      members.emplace_back(Substitute(k, subs), SubstituteStrings(m, subs));
    }
    return Value::MakeObject(std::move(members));
  }
  return v;
}

// The definition text from Definition (inline), DefinitionString, or the DefinitionUri file
// (.json, or .yaml/.yml), substitutions applied.
Result<std::string> Definition(const StackScope& scope, bool sam, const Value& props,
                               const Substitutions& subs, std::set<std::string>* used) {
  const Value* inline_def = props.Find("Definition");
  const Value* uri = sam ? props.Find("DefinitionUri") : nullptr;
  const Value* text_def = sam ? nullptr : props.Find("DefinitionString");
  used->insert(sam ? "DefinitionUri" : "DefinitionString");
  if (!sam && props.Find("DefinitionS3Location")) {
    return Error{"Template",
                 "DefinitionS3Location is not supported: use DefinitionString or Definition"};
  }
  int given = (inline_def != nullptr) + (uri != nullptr) + (text_def != nullptr);
  if (given != 1) {
    return Error{"Template", sam ? "needs exactly one of DefinitionUri and Definition"
                                 : "needs exactly one of DefinitionString and Definition"};
  }
  if (inline_def) {
    if (!inline_def->is_object()) return Error{"Template", "Definition must be a mapping"};
    return SubstituteStrings(*inline_def, subs).Dump();
  }
  if (text_def) {
    STATOR_TRY(std::string text, ScalarText(*text_def, "DefinitionString"));
    return Substitute(text, subs);
  }
  if (!uri->is_string()) {
    return Error{"Template", "DefinitionUri must be a local file (S3 locations are not supported)"};
  }
  std::string path = JoinPath(scope.template_dir, uri->as_string());
  auto text = ReadFile(path);
  if (!text.ok()) return Error{"Template", "DefinitionUri: " + text.error().cause};
  if (path.ends_with(".yaml") || path.ends_with(".yml")) {
    STATOR_TRY(Value v, ParseYaml(*text, path));
    if (!v.is_object()) return Error{"Template", path + ": a definition is a mapping"};
    return SubstituteStrings(v, subs).Dump();
  }
  std::string definition = Substitute(*text, subs);
  auto parsed = json::Parse(definition);
  if (!parsed.ok()) {
    return Error{"Template",
                 path + " (after DefinitionSubstitutions) is not JSON: " + parsed.error().cause};
  }
  return definition;
}

}  // namespace

Status PlanStateMachine(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                        ResourceAttributes* attributes) {
  const Value& props = in.properties;
  bool sam = in.type == "AWS::Serverless::StateMachine";
  p->kind = Kind::kStateMachine;
  const std::string name_key = sam ? "Name" : "StateMachineName";
  const std::string type_key = sam ? "Type" : "StateMachineType";
  const std::string role_key = sam ? "Role" : "RoleArn";
  std::set<std::string> used = {
      name_key, type_key, role_key, "Definition", "DefinitionSubstitutions", "Tags"};
  STATOR_TRY(std::string name, StringProperty(props, name_key));
  if (name.empty()) name = GeneratedName(scope.stack_name, in.logical_id, 80);
  p->name = name;
  p->arn = scope.Arn("states", "stateMachine:" + name);
  STATOR_TRY(std::string type, StringProperty(props, type_key));
  if (type.empty()) type = "STANDARD";
  if (type != "STANDARD" && type != "EXPRESS") {
    return Error{"Template", type_key + " must be STANDARD or EXPRESS, got " + type};
  }
  Substitutions subs;
  if (const Value* s = props.Find("DefinitionSubstitutions")) {
    if (!s->is_object()) return Error{"Template", "DefinitionSubstitutions must be a mapping"};
    for (const auto& [k, v] : s->as_object()) {
      STATOR_TRY(std::string text, ScalarText(v, "DefinitionSubstitutions." + k));
      subs.emplace_back(k, text);
    }
  }
  STATOR_TRY(std::string definition, Definition(scope, sam, props, subs, &used));
  STATOR_TRY(std::string role, StringProperty(props, role_key));
  if (role.empty()) role = scope.ImplicitRoleArn(in.logical_id);
  STATOR_TRY(TagList tags, Tags(scope, props, in.logical_id));
  json::Array tag_list;
  for (auto& [k, v] : tags) {
    tag_list.push_back(Value::MakeObject({{"key", Str(k)}, {"value", Str(v)}}));
  }
  p->request = Value::MakeObject({{"name", Str(name)},
                                  {"definition", Str(definition)},
                                  {"roleArn", Str(role)},
                                  {"type", Str(type)},
                                  {"tags", Value::MakeArray(std::move(tag_list))}});
  STATOR_RETURN_IF_ERROR(PlanEvents(scope, in, role, p, &used));
  NoteIgnored(props, used, p);
  *attributes = RefAndArn(Str(p->arn), p->arn);
  attributes->atts["Name"] = Str(name);
  return Status::Ok();
}

std::string Substitute(const std::string& text, const Substitutions& substitutions) {
  if (substitutions.empty()) return text;
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close != std::string::npos) {
        std::string name = text.substr(i + 2, close - i - 2);
        auto it = std::find_if(substitutions.begin(), substitutions.end(),
                               [&](const auto& s) { return s.first == name; });
        if (it != substitutions.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace stator::deploy
