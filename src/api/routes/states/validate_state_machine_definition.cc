// ValidateStateMachineDefinition: the diagnostics of a definition, without creating anything.
// result is FAIL when any ERROR is found; severity WARNING also returns warnings; at most
// maxResults (0 or absent: 100) diagnostics are returned, `truncated` telling whether more
// were found.
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"
#include "asl/compiler.h"

namespace stator::api::states {

ShapeRef ValidateStateMachineDefinitionInput() {
  // No minimum length on definition: AWS answers "" with a diagnostic, not a validation error.
  static const ShapeRef shape = Struct({
      {"definition", String(std::nullopt, 1048576), kRequired},
      {"type", StateMachineTypeShape()},
      {"severity", Enum({"ERROR", "WARNING"})},
      {"maxResults", Integer(0, 100)},
  });
  return shape;
}

ApiResult<json::Value> ValidateStateMachineDefinition(StatesService& service,
                                                      const json::Value& input) {
  std::string definition = *StringMember(input, "definition");
  bool with_warnings = StringMember(input, "severity").value_or("ERROR") == "WARNING";
  int64_t max_results = IntMember(input, "maxResults").value_or(0);
  size_t limit = max_results <= 0 ? 100 : static_cast<size_t>(max_results);
  auto type = store::ParseStateMachineType(StringMember(input, "type").value_or("STANDARD"))
                  .value_or(store::StateMachineType::kStandard);

  asl::CompileResult compiled = asl::Compile(definition);
  asl::Diagnostics diagnostics = compiled.diagnostics;
  if (compiled.ok()) {
    // Express-only rules and ItemReader (no S3 here) surface as one SCHEMA_VALIDATION_FAILED
    // diagnostic.
    if (auto e = CheckDefinition(definition, type)) {
      const std::string prefix = "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ";
      std::string text = e->message.substr(prefix.size(), e->message.size() - prefix.size() - 1);
      asl::Diagnostic d;
      d.code = asl::kSchemaValidationFailed;
      size_t at = text.rfind(" at ");
      d.message = at == std::string::npos ? text : text.substr(0, at);
      while (!d.message.empty() && d.message.back() == ' ') d.message.pop_back();
      d.location = at == std::string::npos ? "" : text.substr(at + 4);
      diagnostics.push_back(std::move(d));
    }
  }

  bool failed = false;
  json::Array items;
  size_t matching = 0;
  for (const asl::Diagnostic& d : diagnostics) {
    bool is_error = d.severity == "ERROR";
    failed = failed || is_error;
    if (!is_error && !with_warnings) continue;
    if (++matching > limit) continue;
    json::Object o;
    o.emplace_back("severity", json::Value::String(d.severity));
    o.emplace_back("code", json::Value::String(d.code));
    o.emplace_back("message", json::Value::String(d.message));
    if (!d.location.empty()) o.emplace_back("location", json::Value::String(d.location));
    items.push_back(json::Value::MakeObject(std::move(o)));
  }
  json::Object out;
  out.emplace_back("result", json::Value::String(failed ? "FAIL" : "OK"));
  out.emplace_back("diagnostics", json::Value::MakeArray(std::move(items)));
  out.emplace_back("truncated", json::Value::Bool(matching > limit));
  return json::Value::MakeObject(std::move(out));
}

}  // namespace stator::api::states
