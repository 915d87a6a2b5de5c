// DefinitionCompiler: one state of each type (JSONPath query language).

#include <algorithm>
#include <string_view>

#include "asl/compile_context.h"
#include "asl/utf8.h"
#include "asl/validator.h"
#include "common/time_format.h"

namespace stator::asl::internal {

namespace v = validation;

namespace {

constexpr int64_t kMaxSeconds = 99999999;
constexpr int kMaxNesting = 40;

// Fields each state type accepts (JSONPath). The JSONata-only fields are reported separately with
// a clearer message.
constexpr std::string_view kPassFields[] = {
    "Type", "Comment", "QueryLanguage", "InputPath",  "OutputPath", "Next",
    "End",  "Result",  "ResultPath",    "Parameters", "Assign"};
constexpr std::string_view kTaskFields[] = {"Type",
                                            "Comment",
                                            "QueryLanguage",
                                            "InputPath",
                                            "OutputPath",
                                            "Next",
                                            "End",
                                            "Resource",
                                            "Parameters",
                                            "ResultSelector",
                                            "ResultPath",
                                            "Retry",
                                            "Catch",
                                            "TimeoutSeconds",
                                            "TimeoutSecondsPath",
                                            "HeartbeatSeconds",
                                            "HeartbeatSecondsPath",
                                            "Credentials",
                                            "Assign"};
constexpr std::string_view kChoiceFields[] = {"Type",       "Comment", "QueryLanguage", "InputPath",
                                              "OutputPath", "Choices", "Default",       "Assign"};
constexpr std::string_view kWaitFields[] = {
    "Type", "Comment", "QueryLanguage", "InputPath", "OutputPath",    "Next",
    "End",  "Seconds", "SecondsPath",   "Timestamp", "TimestampPath", "Assign"};
constexpr std::string_view kSucceedFields[] = {"Type", "Comment", "QueryLanguage", "InputPath",
                                               "OutputPath"};
constexpr std::string_view kFailFields[] = {"Type",      "Comment", "QueryLanguage", "Error",
                                            "ErrorPath", "Cause",   "CausePath"};
constexpr std::string_view kParallelFields[] = {
    "Type",     "Comment",    "QueryLanguage",  "InputPath",  "OutputPath", "Next",  "End",
    "Branches", "Parameters", "ResultSelector", "ResultPath", "Retry",      "Catch", "Assign"};
constexpr std::string_view kMapFields[] = {"Type",
                                           "Comment",
                                           "QueryLanguage",
                                           "InputPath",
                                           "OutputPath",
                                           "Next",
                                           "End",
                                           "Iterator",
                                           "ItemProcessor",
                                           "ItemsPath",
                                           "ItemSelector",
                                           "Parameters",
                                           "ItemReader",
                                           "ItemBatcher",
                                           "ResultWriter",
                                           "MaxConcurrency",
                                           "MaxConcurrencyPath",
                                           "ToleratedFailureCount",
                                           "ToleratedFailureCountPath",
                                           "ToleratedFailurePercentage",
                                           "ToleratedFailurePercentagePath",
                                           "Label",
                                           "ResultPath",
                                           "ResultSelector",
                                           "Retry",
                                           "Catch",
                                           "Assign"};
constexpr std::string_view kJsonataOnlyFields[] = {"Arguments", "Output", "Items"};

constexpr bool Contains(FieldList fields, std::string_view field) {
  for (std::string_view f : fields) {
    if (f == field) return true;
  }
  return false;
}

// Which of the fields that every state type accepting them compiles alike (CompileState) a type
// accepts: read off its field list when the program is compiled.
struct SharedFields {
  bool input_path, output_path, assign, result_path, result_selector, retry, catch_, next;
};
constexpr SharedFields SharedFieldsOf(FieldList fields) {
  return {Contains(fields, "InputPath"),      Contains(fields, "OutputPath"),
          Contains(fields, "Assign"),         Contains(fields, "ResultPath"),
          Contains(fields, "ResultSelector"), Contains(fields, "Retry"),
          Contains(fields, "Catch"),          Contains(fields, "Next")};
}

struct TypeInfo {
  std::string_view name;
  StateType type;
  FieldList fields;
  SharedFields shared;
};
constexpr TypeInfo kTypes[] = {
    {"Task", StateType::kTask, kTaskFields, SharedFieldsOf(kTaskFields)},
    {"Wait", StateType::kWait, kWaitFields, SharedFieldsOf(kWaitFields)},
    {"Pass", StateType::kPass, kPassFields, SharedFieldsOf(kPassFields)},
    {"Succeed", StateType::kSucceed, kSucceedFields, SharedFieldsOf(kSucceedFields)},
    {"Fail", StateType::kFail, kFailFields, SharedFieldsOf(kFailFields)},
    {"Choice", StateType::kChoice, kChoiceFields, SharedFieldsOf(kChoiceFields)},
    {"Parallel", StateType::kParallel, kParallelFields, SharedFieldsOf(kParallelFields)},
    {"Map", StateType::kMap, kMapFields, SharedFieldsOf(kMapFields)},
};

// Characters a Map Label may not contain (as recorded against AWS).
bool IsInvalidLabelChar(uint32_t c) {
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  static constexpr std::string_view kBad = " ?*<>{}[]:;,\\|^~$#%&`\"";
  return c < 0x80 && kBad.find(static_cast<char>(c)) != std::string_view::npos;
}

// Python's repr() of one character, without the quotes: how AWS prints it in the Label message.
std::string PythonCharRepr(uint32_t c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    default:
      break;
  }
  if (c < 0x20 || (c >= 0x7f && c <= 0xa0)) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\x%02x", c);
    return buf;
  }
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  }
  return out;
}

// The code points of UTF-8 text (see utf8.h).
std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) out.push_back(NextCodePoint(s, &i));
  return out;
}

}  // namespace

std::vector<std::string_view> AllStateFields() {
  std::vector<std::string_view> out;
  auto add = [&out](std::string_view f) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  for (const TypeInfo& t : kTypes) {
    for (std::string_view f : t.fields) add(f);
  }
  for (std::string_view f : kJsonataOnlyFields) add(f);
  return out;
}

void DefinitionCompiler::CompileState(const std::string& name, const json::Value& obj,
                                      const std::string& loc, int depth, State* st) {
  // A nested state (Parallel branch, Map processor) compiles in its own query language; the
  // enclosing state's mode comes back afterwards.
  struct RestoreMode {
    DefinitionCompiler* c;
    bool jsonata, uses_context;
    ~RestoreMode() {
      c->jsonata_ = jsonata;
      c->uses_context_ = uses_context;
    }
  } restore{this, jsonata_, uses_context_};
  jsonata_ = false;
  st->name = name;
  if (!obj.is_object()) {
    Schema("State must be an object, but was " + std::string(v::JsonTypeName(obj)), loc);
    return;
  }
  const json::Value* type = obj.Find("Type");
  if (!type) {
    Schema(v::FieldsRequired({"Type"}), loc);
    return;
  }
  const TypeInfo* info = nullptr;
  if (type->is_string()) {
    for (const TypeInfo& t : kTypes) {
      if (t.name == type->as_string()) info = &t;
    }
  }
  if (!info) {
    Schema(
        "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, "
        "Choice, Parallel, Map]",
        v::At(loc, "Type"));
    return;
  }
  st->type = info->type;
  if (auto c = GetString(obj, "Comment", loc)) st->comment = *c;

  bool jsonata = default_jsonata_;
  if (const json::Value* ql = obj.Find("QueryLanguage")) {
    if (!ql->is_string() || (ql->as_string() != "JSONPath" && ql->as_string() != "JSONata")) {
      Schema(v::ValueOneOf({"JSONPath", "JSONata"}), v::At(loc, "QueryLanguage"));
    } else if (ql->as_string() == "JSONata") {
      jsonata = true;
    } else if (default_jsonata_) {
      Schema("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
             loc);
    }
  }
  if (jsonata) {
    CompileJsonataState(obj, loc, depth, st);
    return;
  }

  // Fields no JSONPath state accepts get a specific message; the rest of the unknown ones the
  // generic one.
  for (const json::Member& m : obj.as_object()) {
    for (std::string_view f : kJsonataOnlyFields) {
      if (m.first == f) {
        Schema("The QueryLanguage is set to 'JSONPath', but field '" + m.first +
                   "' is only supported for the 'JSONata' QueryLanguage",
               v::At(loc, m.first));
      }
    }
  }
  {
    // CheckFields, minus the fields reported above.
    for (const json::Member& m : obj.as_object()) {
      bool jsonata_only = false;
      for (std::string_view f : kJsonataOnlyFields) jsonata_only |= m.first == f;
      if (jsonata_only) continue;
      if (!Contains(info->fields, m.first)) {
        Schema(v::FieldNotSupported(m.first), v::At(loc, m.first));
      }
    }
  }

  // The fields that every state type accepting them compiles alike, in the order their
  // diagnostics come out.
  const SharedFields& shared = info->shared;
  if (shared.input_path) st->input_path = GetPathField(obj, "InputPath", PathKind::kPath, loc);
  if (shared.output_path) {
    st->output_path = GetPathField(obj, "OutputPath", PathKind::kPath, loc);
  }
  if (shared.assign) st->assign = GetAssign(obj, loc);
  if (shared.result_path) {
    st->result_path = GetPathField(obj, "ResultPath", PathKind::kResultPath, loc);
  }
  if (shared.result_selector) {
    st->result_selector = GetTemplate(obj, "ResultSelector", true, loc);
  }
  if (shared.retry) CompileRetry(obj, loc, st);
  if (shared.catch_) CompileCatch(obj, loc, st);
  if (shared.next) CompileNextEnd(obj, loc, st);

  switch (st->type) {
    case StateType::kPass:
      if (const json::Value* r = obj.Find("Result")) st->result = *r;
      st->parameters = GetTemplate(obj, "Parameters", false, loc);
      break;
    case StateType::kTask:
      CompileTask(obj, loc, st);
      break;
    case StateType::kChoice:
      CompileChoice(obj, loc, st);
      break;
    case StateType::kWait:
      CompileWait(obj, loc, st);
      break;
    case StateType::kSucceed:
      break;
    case StateType::kFail:
      CompileFail(obj, loc, st);
      break;
    case StateType::kParallel:
      st->parameters = GetTemplate(obj, "Parameters", false, loc);
      CompileParallel(obj, loc, depth, st);
      break;
    case StateType::kMap:
      CompileMap(obj, loc, depth, st);
      break;
  }
}

void DefinitionCompiler::CompileNextEnd(const json::Value& obj, const std::string& loc, State* st) {
  const json::Value* next = obj.Find("Next");
  const json::Value* end = obj.Find("End");
  if (end && !end->is_bool()) {
    Schema(v::MustBeType("End", "BOOLEAN"), v::At(loc, "End"));
    end = nullptr;
  }
  bool is_end = end && end->as_bool();
  if (next && is_end) {
    Schema(v::OnlyOneOf({"Next", "End"}), loc);
    return;
  }
  if (!next && !is_end) {
    Schema(v::ExactlyOneOf({"Next", "End"}), loc);
    return;
  }
  if (next) {
    if (!next->is_string()) {
      Schema(v::MustBeType("Next", "STRING"), v::At(loc, "Next"));
      return;
    }
    st->next_name = next->as_string();
    if (st->next_name.empty()) st->next_name = std::string(1, '\0');  // resolved as missing
  }
}

namespace {

// False for an optimized integration of a service whose actions AWS lists, when the action is
// not one of them (AWS rejects the definition). Everything else passes here: other services'
// integrations, aws-sdk:*, Lambda and activity ARNs.
bool IsKnownOptimizedIntegration(std::string_view resource) {
  // arn:PARTITION:states:::SERVICE:ACTION[.sync|.waitForTaskToken|...]
  if (!resource.starts_with("arn:")) return true;
  size_t p = resource.find(':', 4);
  if (p == std::string_view::npos || resource.substr(p, 10) != ":states:::") return true;
  std::string_view rest = resource.substr(p + 10);
  if (!rest.starts_with("dynamodb:")) return true;
  std::string_view action = rest.substr(9);
  for (std::string_view known : {"getItem", "putItem", "updateItem", "deleteItem"}) {
    if (action == known) return true;
  }
  return false;
}

}  // namespace

void DefinitionCompiler::CompileTask(const json::Value& obj, const std::string& loc, State* st) {
  if (!obj.Find("Resource")) {
    Schema(v::FieldsRequired({"Resource"}), loc);
  } else if (auto r = GetString(obj, "Resource", loc)) {
    if (r->empty()) {
      v::Error(diags_, kInvalidResource, "Resource must not be empty", v::At(loc, "Resource"));
    } else if (!IsKnownOptimizedIntegration(*r)) {
      Schema("The resource provided " + *r +
                 " is not recognized. The value is not a valid resource ARN, or the resource is "
                 "not available in this region.",
             v::At(loc, "Resource"));
    }
    st->resource = *r;
  }
  if (!jsonata_) st->parameters = GetTemplate(obj, "Parameters", false, loc);
  st->timeout_seconds =
      GetNumberField(obj, "TimeoutSeconds", "TimeoutSecondsPath", 1, kMaxSeconds, loc);
  st->heartbeat_seconds =
      GetNumberField(obj, "HeartbeatSeconds", "HeartbeatSecondsPath", 1, kMaxSeconds, loc);
  if (st->timeout_seconds.value && st->heartbeat_seconds.value &&
      *st->heartbeat_seconds.value >= *st->timeout_seconds.value) {
    Schema("HeartbeatSeconds must be smaller than TimeoutSeconds", v::At(loc, "HeartbeatSeconds"));
  }
  if (const json::Value* c = obj.Find("Credentials")) {
    std::string at = v::At(loc, "Credentials");
    if (!c->is_object()) {
      Schema(v::MustBeType("Credentials", "OBJECT"), at);
    } else {
      const json::Value* role = c->Find("RoleArn");
      const json::Value* role_path = c->Find("RoleArn.$");
      if (!role && !role_path) {
        Schema("The field 'RoleArn' is required but was missing", at);
      } else if (role && role_path) {
        Schema(v::OnlyOneOf({"RoleArn", "RoleArn.$"}), at);
      } else if (role && !role->is_string()) {
        Schema(v::MustBeType("RoleArn", "STRING"), v::At(at, "RoleArn"));
      } else if (role_path) {
        // Validated as a template field (path or intrinsic) by PayloadTemplate.
        json::Value only = json::Value::MakeObject({{"RoleArn.$", *role_path}});
        PayloadTemplate::Compile(only, at, diags_, &vars_);
      }
      st->credentials = *c;
    }
  }
}

void DefinitionCompiler::CompileChoice(const json::Value& obj, const std::string& loc, State* st) {
  const json::Value* choices = obj.Find("Choices");
  std::string at = v::At(loc, "Choices");
  if (!choices) {
    Schema(v::FieldsRequired({"Choices"}), loc);
  } else if (!choices->is_array()) {
    Schema(v::MustBeType("Choices", "ARRAY"), at);
  } else if (choices->as_array().empty()) {
    Schema(v::kValueCannotBeEmpty, at);
  } else {
    const json::Array& rules = choices->as_array();
    st->choices.reserve(rules.size());
    for (size_t i = 0; i < rules.size(); ++i) {
      std::optional<ChoiceRule> rule =
          jsonata_ ? ChoiceRule::CompileJsonata(rules[i], i, v::At(at, i), diags_, &vars_)
                   : ChoiceRule::Compile(rules[i], true, v::At(at, i), diags_, &vars_);
      if (rule) st->choices.push_back(std::move(*rule));
    }
  }
  if (auto d = GetString(obj, "Default", loc)) {
    st->default_name = d->empty() ? std::string(1, '\0') : *d;
  }
}

void DefinitionCompiler::CompileWait(const json::Value& obj, const std::string& loc, State* st) {
  if (jsonata_) {
    if (!CheckExclusive(obj, {"Seconds", "Timestamp"}, true, loc)) return;
    st->wait_seconds = GetNumberField(obj, "Seconds", "SecondsPath", 0, kMaxSeconds, loc);
    if (const json::Value* t = obj.Find("Timestamp"); t && JsonataTemplate::IsExpression(*t)) {
      st->wait_timestamp_expr = GetJsonata(obj, "Timestamp", StatesScope::kInput, loc);
    } else if (auto ts = GetString(obj, "Timestamp", loc)) {
      if (!ParseTimestamp(*ts)) {
        Schema(v::kNotRfc3339, v::At(loc, "Timestamp"));
      } else {
        st->wait_timestamp = *ts;
      }
    }
    return;
  }
  if (!CheckExclusive(obj, {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"}, true, loc)) {
    return;
  }
  if (auto s = GetInteger(obj, "Seconds", 0, kMaxSeconds, loc)) {
    st->wait_seconds.value = static_cast<double>(*s);
  }
  if (const json::Value* p = obj.Find("SecondsPath")) {
    st->wait_seconds.path = CompilePath(*p, "SecondsPath", PathKind::kReference, loc);
  }
  if (auto t = GetString(obj, "Timestamp", loc)) {
    if (!ParseTimestamp(*t)) {
      Schema(v::kNotRfc3339, v::At(loc, "Timestamp"));
    } else {
      st->wait_timestamp = *t;
    }
  }
  if (const json::Value* p = obj.Find("TimestampPath")) {
    st->wait_timestamp_path = CompilePath(*p, "TimestampPath", PathKind::kReference, loc);
  }
}

void DefinitionCompiler::CompileFail(const json::Value& obj, const std::string& loc, State* st) {
  st->error = GetStringField(obj, "Error", "ErrorPath", loc);
  st->cause = GetStringField(obj, "Cause", "CausePath", loc);
}

void DefinitionCompiler::CompileParallel(const json::Value& obj, const std::string& loc, int depth,
                                         State* st) {
  const json::Value* branches = obj.Find("Branches");
  std::string at = v::At(loc, "Branches");
  if (!branches) {
    Schema(v::FieldsRequired({"Branches"}), loc);
    return;
  }
  if (!branches->is_array()) {
    Schema(v::MustBeType("Branches", "ARRAY"), at);
    return;
  }
  if (branches->as_array().empty()) {
    Schema(v::kValueCannotBeEmpty, at);
    return;
  }
  if (depth >= kMaxNesting) {
    v::Error(diags_, "TOO_DEEPLY_NESTED", "The states are too deeply nested", at);
    return;
  }
  const json::Array& items = branches->as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    if (auto m = CompileMachine(items[i], v::At(at, i), MachineKind::kBranch, depth + 1)) {
      st->branches.push_back(std::move(m));
    }
  }
}

void DefinitionCompiler::CompileMap(const json::Value& obj, const std::string& loc, int depth,
                                    State* st) {
  // The processor: Iterator (legacy) or ItemProcessor.
  if (CheckExclusive(obj, {"ItemProcessor", "Iterator"}, true, loc)) {
    bool legacy = obj.Find("Iterator") != nullptr;
    std::string_view field = legacy ? "Iterator" : "ItemProcessor";
    std::string at = v::At(loc, field);
    const json::Value& proc = *obj.Find(field);
    if (depth >= kMaxNesting) {
      v::Error(diags_, "TOO_DEEPLY_NESTED", "The states are too deeply nested", at);
    } else {
      st->iterator = CompileMachine(
          proc, at, legacy ? MachineKind::kIterator : MachineKind::kItemProcessor, depth + 1);
    }
    if (proc.is_object()) {
      if (const json::Value* cfg = proc.Find("ProcessorConfig")) {
        std::string cat = v::At(at, "ProcessorConfig");
        if (!cfg->is_object()) {
          Schema(v::MustBeType("ProcessorConfig", "OBJECT"), cat);
        } else {
          static constexpr std::string_view kCfgFields[] = {"Mode", "ExecutionType"};
          CheckFields(*cfg, kCfgFields, cat);
          std::string mode = "INLINE";
          if (auto m = GetString(*cfg, "Mode", cat)) {
            if (*m != "INLINE" && *m != "DISTRIBUTED") {
              Schema(v::ValueOneOf({"INLINE", "DISTRIBUTED"}), v::At(cat, "Mode"));
            }
            mode = *m;
          }
          st->distributed = mode == "DISTRIBUTED";
          if (auto et = GetString(*cfg, "ExecutionType", cat)) {
            st->express_children = *et == "EXPRESS";
            if (!st->distributed) {
              Schema(v::FieldNotSupported("ExecutionType"), v::At(cat, "ExecutionType"));
            } else if (*et != "STANDARD" && *et != "EXPRESS") {
              Schema(v::ValueOneOf({"STANDARD", "EXPRESS"}), v::At(cat, "ExecutionType"));
            }
          } else if (st->distributed && !cfg->Find("ExecutionType")) {
            Schema(v::FieldsRequired({"ExecutionType"}), cat);
          }
        }
      }
      if (st->distributed) {
        json::Object definition;
        for (const auto& [key, value] : proc.as_object()) {
          if (key != "ProcessorConfig") definition.emplace_back(key, value);
        }
        st->item_processor = json::Value::MakeObject(std::move(definition));
      }
    }
  }
  // ItemSelector (or the legacy Parameters) shapes each item.
  if (jsonata_) {
    st->item_selector = GetJsonata(obj, "ItemSelector", StatesScope::kInput, loc);
  } else if (CheckExclusive(obj, {"ItemSelector", "Parameters"}, false, loc)) {
    st->parameters =
        GetTemplate(obj, obj.Find("ItemSelector") ? "ItemSelector" : "Parameters", true, loc);
  }
  if (jsonata_) {
    st->items = GetJsonata(obj, "Items", StatesScope::kInput, loc);
  } else if (const json::Value* p = obj.Find("ItemsPath")) {
    st->items_path = CompilePath(*p, "ItemsPath", PathKind::kReference, loc);
  }
  st->max_concurrency =
      GetNumberField(obj, "MaxConcurrency", "MaxConcurrencyPath", 0, INT32_MAX, loc);
  st->tolerated_failure_count =
      GetNumberField(obj, "ToleratedFailureCount", "ToleratedFailureCountPath", 0, INT32_MAX, loc);
  if (CheckExclusive(obj, {"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"}, false,
                     loc)) {
    if (const json::Value* p = obj.Find("ToleratedFailurePercentage")) {
      std::string at = v::At(loc, "ToleratedFailurePercentage");
      if (jsonata_ && JsonataTemplate::IsExpression(*p)) {
        st->tolerated_failure_percentage.expr =
            GetJsonata(obj, "ToleratedFailurePercentage", StatesScope::kInput, loc);
      } else if (!p->is_number()) {
        Schema(v::MustBeType("ToleratedFailurePercentage", "NUMBER"), at);
      } else if (p->as_double() < 0 || p->as_double() > 100) {
        Schema("Value must be between 0 and 100", at);
      } else {
        st->tolerated_failure_percentage.value = p->as_double();
      }
    }
    if (const json::Value* p = obj.Find("ToleratedFailurePercentagePath")) {
      st->tolerated_failure_percentage.path =
          CompilePath(*p, "ToleratedFailurePercentagePath", PathKind::kReference, loc);
    }
  }
  if (const json::Value* b = obj.Find("ItemBatcher")) {
    std::string at = v::At(loc, "ItemBatcher");
    if (!b->is_object()) {
      Schema(v::MustBeType("ItemBatcher", "OBJECT"), at);
    } else {
      static constexpr std::string_view kBatcherFields[] = {
          "MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
          "MaxInputBytesPerBatchPath", "BatchInput"};
      CheckFields(*b, kBatcherFields, at);
      ItemBatcher ib;
      ib.max_items_per_batch =
          GetNumberField(*b, "MaxItemsPerBatch", "MaxItemsPerBatchPath", 0, INT32_MAX, at);
      ib.max_input_bytes_per_batch =
          GetNumberField(*b, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", 0, 262144, at);
      if (!ib.max_items_per_batch.present() && !ib.max_input_bytes_per_batch.present() &&
          !b->Find("MaxItemsPerBatch") && !b->Find("MaxItemsPerBatchPath") &&
          !b->Find("MaxInputBytesPerBatch") && !b->Find("MaxInputBytesPerBatchPath")) {
        Schema(v::ExactlyOneOf({"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                                "MaxInputBytesPerBatchPath"}),
               at);
      }
      if (jsonata_) {
        ib.batch_input_jsonata = GetJsonata(*b, "BatchInput", StatesScope::kInput, at);
      } else {
        ib.batch_input = GetTemplate(*b, "BatchInput", true, at);
      }
      st->item_batcher = std::move(ib);
    }
  }
  for (std::string_view f : {"ItemReader", "ResultWriter"}) {
    if (const json::Value* r = obj.Find(f)) {
      std::string at = v::At(loc, f);
      if (!r->is_object()) {
        Schema(v::MustBeType(f, "OBJECT"), at);
        continue;
      }
      static constexpr std::string_view kReaderFields[] = {"Resource", "ReaderConfig",
                                                           "Parameters"};
      // A JSONata Map's ItemReader takes Arguments (a JSONata template) for Parameters.
      static constexpr std::string_view kJsonataReaderFields[] = {"Resource", "ReaderConfig",
                                                                  "Arguments"};
      static constexpr std::string_view kWriterFields[] = {"Resource", "Parameters",
                                                           "WriterConfig"};
      const bool jsonata_reader = jsonata_ && f == "ItemReader";
      CheckFields(*r,
                  f == "ItemReader" ? FieldList(jsonata_ ? kJsonataReaderFields : kReaderFields)
                                    : FieldList(kWriterFields),
                  at);
      if (!r->Find("Resource")) Schema(v::FieldsRequired({"Resource"}), at);
      GetString(*r, "Resource", at);
      if (jsonata_reader) GetJsonata(*r, "Arguments", StatesScope::kInput, at);
      std::optional<PayloadTemplate> parameters =
          jsonata_reader ? std::nullopt : GetTemplate(*r, "Parameters", true, at);
      if (f == "ResultWriter") {
        st->result_writer = *r;
        st->result_writer_parameters = std::move(parameters);
      }
    }
  }
  if (auto label = GetString(obj, "Label", loc)) {
    std::string at = v::At(loc, "Label");
    std::vector<uint32_t> cps = CodePoints(*label);
    bool bad = false;
    for (uint32_t c : cps) {
      if (IsInvalidLabelChar(c)) {
        v::Error(diags_, "INVALID_LABEL_NAME",
                 "Label contains invalid character: '" + PythonCharRepr(c) + "'", at);
        bad = true;
        break;
      }
    }
    if (!bad && cps.size() > 40) {
      v::Error(diags_, "INVALID_LABEL_NAME", "Label cannot exceed 40 characters", at);
    }
    st->label = *label;
  }
}

}  // namespace stator::asl::internal
