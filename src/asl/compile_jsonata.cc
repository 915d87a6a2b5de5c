// DefinitionCompiler: a state whose QueryLanguage is JSONata (its own, or the machine's). Such a
// state has Arguments/Output/Items/ItemSelector/Condition instead of the five JSONPath fields,
// its number and string fields may be "{% %}" expressions, and its expressions may read only the
// $states fields AWS allows where they are ($states.result in the Output and Assign of Task,
// Parallel and Map; $states.errorOutput in a Catcher's Output and Assign).

#include <algorithm>
#include <string_view>

#include "asl/compile_context.h"
#include "asl/validator.h"

namespace stator::asl::internal {

namespace v = validation;

namespace {

// Fields each state type accepts in JSONata.
constexpr std::string_view kPassFields[] = {"Type", "Comment", "QueryLanguage", "Next",
                                            "End",  "Output",  "Assign"};
constexpr std::string_view kTaskFields[] = {
    "Type",     "Comment",        "QueryLanguage",    "Next",       "End",
    "Resource", "Arguments",      "Output",           "Assign",     "Retry",
    "Catch",    "TimeoutSeconds", "HeartbeatSeconds", "Credentials"};
constexpr std::string_view kChoiceFields[] = {"Type",    "Comment", "QueryLanguage", "Choices",
                                              "Default", "Output",  "Assign"};
constexpr std::string_view kWaitFields[] = {"Type",    "Comment",   "QueryLanguage", "Next",  "End",
                                            "Seconds", "Timestamp", "Output",        "Assign"};
constexpr std::string_view kSucceedFields[] = {"Type", "Comment", "QueryLanguage", "Output"};
constexpr std::string_view kFailFields[] = {"Type", "Comment", "QueryLanguage", "Error", "Cause"};
constexpr std::string_view kParallelFields[] = {"Type",   "Comment",  "QueryLanguage", "Next",
                                                "End",    "Branches", "Arguments",     "Output",
                                                "Assign", "Retry",    "Catch"};
constexpr std::string_view kMapFields[] = {"Type",
                                           "Comment",
                                           "QueryLanguage",
                                           "Next",
                                           "End",
                                           "ItemProcessor",
                                           "Items",
                                           "ItemSelector",
                                           "ItemReader",
                                           "ItemBatcher",
                                           "ResultWriter",
                                           "MaxConcurrency",
                                           "ToleratedFailureCount",
                                           "ToleratedFailurePercentage",
                                           "Label",
                                           "Output",
                                           "Assign",
                                           "Retry",
                                           "Catch"};
// Fields only JSONPath states have: named as such when a JSONata state has one.
constexpr std::string_view kJsonPathOnlyFields[] = {"InputPath",
                                                    "OutputPath",
                                                    "Parameters",
                                                    "ResultSelector",
                                                    "ResultPath",
                                                    "Result",
                                                    "ItemsPath",
                                                    "Iterator",
                                                    "TimeoutSecondsPath",
                                                    "HeartbeatSecondsPath",
                                                    "SecondsPath",
                                                    "TimestampPath",
                                                    "ErrorPath",
                                                    "CausePath",
                                                    "MaxConcurrencyPath",
                                                    "ToleratedFailureCountPath",
                                                    "ToleratedFailurePercentagePath"};

FieldList FieldsOf(StateType t) {
  switch (t) {
    case StateType::kPass:
      return kPassFields;
    case StateType::kTask:
      return kTaskFields;
    case StateType::kChoice:
      return kChoiceFields;
    case StateType::kWait:
      return kWaitFields;
    case StateType::kSucceed:
      return kSucceedFields;
    case StateType::kFail:
      return kFailFields;
    case StateType::kParallel:
      return kParallelFields;
    case StateType::kMap:
      return kMapFields;
  }
  return kPassFields;
}

bool Has(FieldList fields, std::string_view f) {
  return std::find(fields.begin(), fields.end(), f) != fields.end();
}

}  // namespace

std::optional<JsonataTemplate> DefinitionCompiler::GetJsonata(const json::Value& obj,
                                                              std::string_view field,
                                                              StatesScope scope,
                                                              const std::string& loc) {
  const json::Value* f = obj.Find(field);
  if (!f) return std::nullopt;
  std::optional<JsonataTemplate> t =
      JsonataTemplate::Compile(*f, std::string(field), v::At(loc, field), scope, diags_, &vars_);
  NoteJsonata(t);
  return t;
}

void DefinitionCompiler::CompileJsonataState(const json::Value& obj, const std::string& loc,
                                             int depth, State* st) {
  st->jsonata = true;
  jsonata_ = true;
  uses_context_ = false;
  const FieldList fields = FieldsOf(st->type);
  for (const json::Member& m : obj.as_object()) {
    if (Has(fields, m.first)) continue;
    if (Has(kJsonPathOnlyFields, m.first)) {
      Schema("The QueryLanguage is set to 'JSONata', but field '" + m.first +
                 "' is only supported for the 'JSONPath' QueryLanguage",
             v::At(loc, m.first));
    } else {
      Schema(v::FieldNotSupported(m.first), v::At(loc, m.first));
    }
  }
  const bool has_result = st->type == StateType::kTask || st->type == StateType::kParallel ||
                          st->type == StateType::kMap;
  const StatesScope out_scope = has_result ? StatesScope::kResult : StatesScope::kInput;
  if (Has(fields, "Assign")) st->assign = GetAssign(obj, loc, out_scope);
  if (st->assign && st->assign->uses_context()) uses_context_ = true;
  if (Has(fields, "Output")) st->output = GetJsonata(obj, "Output", out_scope, loc);
  if (Has(fields, "Arguments")) {
    st->arguments = GetJsonata(obj, "Arguments", StatesScope::kInput, loc);
    // Arguments hand a Task its request and Parallel branches their input: an object or an
    // expression (AWS).
    if (const json::Value* a = obj.Find("Arguments");
        a && !a->is_object() && !JsonataTemplate::IsExpression(*a)) {
      Schema("The value for the field 'Arguments' must be an OBJECT or a JSONata expression",
             v::At(loc, "Arguments"));
    }
  }
  if (Has(fields, "Retry")) CompileRetry(obj, loc, st);
  if (Has(fields, "Catch")) CompileCatch(obj, loc, st);
  if (Has(fields, "Next")) CompileNextEnd(obj, loc, st);

  switch (st->type) {
    case StateType::kPass:
    case StateType::kSucceed:
      break;
    case StateType::kTask:
      CompileTask(obj, loc, st);
      break;
    case StateType::kChoice:
      CompileChoice(obj, loc, st);
      for (const ChoiceRule& r : st->choices) {
        if (r.uses_context()) uses_context_ = true;
      }
      break;
    case StateType::kWait:
      CompileWait(obj, loc, st);
      break;
    case StateType::kFail:
      CompileFail(obj, loc, st);
      break;
    case StateType::kParallel:
      CompileParallel(obj, loc, depth, st);
      break;
    case StateType::kMap:
      CompileMap(obj, loc, depth, st);
      if (const json::Value* items = obj.Find("Items");
          items && !items->is_array() && !JsonataTemplate::IsExpression(*items)) {
        Schema("The value for the field 'Items' must be an ARRAY or a JSONata expression",
               v::At(loc, "Items"));
      }
      break;
  }
  st->jsonata_uses_context = uses_context_;
}

}  // namespace stator::asl::internal
