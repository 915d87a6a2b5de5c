// stator validate: the definition's diagnostics, as text or as ValidateStateMachineDefinition's
// response.
#include "asl/compiler.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/json.h"

namespace stator::cli {

json::Value DiagnosticJson(const asl::Diagnostic& d) {
  json::Object fields = {
      {"severity", json::Value::String(d.severity)},
      {"code", json::Value::String(d.code)},
      {"message", json::Value::String(d.message)},
  };
  if (!d.location.empty()) fields.emplace_back("location", json::Value::String(d.location));
  return json::Value::MakeObject(std::move(fields));
}

int ValidateCommand(const ValidateOptions& o, std::ostream& out, std::ostream& err) {
  auto definition = ReadTextFile(o.definition_file);
  if (!definition.ok()) {
    err << "stator: " << definition.error().cause << '\n';
    return kExitUsage;
  }
  asl::CompileResult compiled = asl::Compile(*definition);
  bool has_error = false;
  for (const asl::Diagnostic& d : compiled.diagnostics) {
    if (d.severity == "ERROR") has_error = true;
  }
  has_error = has_error || !compiled.ok();
  if (o.json) {
    json::Array diagnostics;
    for (const asl::Diagnostic& d : compiled.diagnostics) {
      diagnostics.push_back(DiagnosticJson(d));
    }
    out << json::Value::MakeObject(
               {
                   {"result", json::Value::String(has_error ? "FAIL" : "OK")},
                   {"diagnostics", json::Value::MakeArray(std::move(diagnostics))},
                   {"truncated", json::Value::Bool(false)},
               })
               .Dump()
        << '\n';
  } else {
    for (const asl::Diagnostic& d : compiled.diagnostics) {
      out << d.severity << ' ' << d.code;
      if (!d.location.empty()) out << " at " << d.location;
      out << ": " << d.message << '\n';
    }
    if (!has_error) out << "OK\n";
  }
  return has_error ? kExitInvalidDefinition : kExitSucceeded;
}

}  // namespace stator::cli
