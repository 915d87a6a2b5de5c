#include "integrations/command_task.h"

#include <string.h>

#include <utility>

#include "integrations/subprocess.h"

namespace stator::integrations {
namespace {

constexpr const char* kTaskFailed = "States.TaskFailed";

std::string TrimTrailingNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

bool IsBlank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

// An {"Error": "...", "Cause": ...} object printed by a failing command, if text is one.
std::optional<Error> ParseErrorObject(const std::string& text) {
  if (IsBlank(text)) return std::nullopt;
  auto parsed = json::Parse(text);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const json::Value* error = parsed->Find("Error");
  if (error == nullptr || !error->is_string()) return std::nullopt;
  Error out{error->as_string(), ""};
  if (const json::Value* cause = parsed->Find("Cause")) {
    if (cause->is_string()) {
      out.cause = cause->as_string();
    } else if (!cause->is_null()) {
      out.cause = cause->Dump();
    }
  }
  return out;
}

}  // namespace

CommandTaskRunner::CommandTaskRunner(std::vector<std::string> argv) : argv_(std::move(argv)) {
  for (const std::string& a : argv_) {
    if (!display_.empty()) display_ += ' ';
    display_ += a;
  }
}

void CommandTaskRunner::Start(const engine::TaskRequest& request, engine::TaskCompletion done) {
  done(Run(request));
}

engine::TaskOutcome CommandTaskRunner::Run(const engine::TaskRequest& request) const {
  ProcessSpec spec;
  spec.argv = argv_;
  spec.extra_env = {"STATOR_STATE_NAME=" + request.state_name,
                    "STATOR_RESOURCE=" + request.resource};
  spec.stdin_data = request.parameters.Dump();
  if (request.timeout_seconds) spec.timeout_millis = *request.timeout_seconds * 1000;

  Result<ProcessResult> ran = RunProcess(spec);
  if (!ran.ok()) {
    return Error{kTaskFailed, "task command '" + display_ + "' for state '" + request.state_name +
                                  "' could not be started: " + ran.error().cause};
  }
  ProcessResult& p = *ran;
  if (p.timed_out) return Error{"States.Timeout", ""};
  if (p.exited_ok()) {
    if (IsBlank(p.stdout_data)) return json::Value::Null();
    auto result = json::Parse(p.stdout_data);
    if (!result.ok()) {
      return Error{kTaskFailed, "task command '" + display_ + "' for state '" + request.state_name +
                                    "' printed invalid JSON on stdout (" + result.error().cause +
                                    ")"};
    }
    return std::move(result).value();
  }
  if (auto e = ParseErrorObject(p.stdout_data)) return *std::move(e);
  if (auto e = ParseErrorObject(p.stderr_data)) return *std::move(e);
  std::string cause = TrimTrailingNewlines(std::move(p.stderr_data));
  if (cause.empty()) {
    cause =
        p.term_signal != 0
            ? "task command '" + display_ + "' was killed by signal " +
                  std::to_string(p.term_signal) + " (" + strsignal(p.term_signal) + ")"
            : "task command '" + display_ + "' exited with status " + std::to_string(p.exit_code);
  }
  return Error{kTaskFailed, std::move(cause)};
}

}  // namespace stator::integrations
