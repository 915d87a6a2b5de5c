// stator run: compile, wire the task runners, run one execution, print the result.
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "asl/compiler.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/clock.h"
#include "common/json.h"
#include "engine/execution.h"
#include "integrations/command_task.h"
#include "integrations/mock_config.h"
#include "integrations/subprocess.h"
#include "integrations/task_router.h"
#include "integrations/unavailable_resource.h"

namespace stator::cli {
namespace {

void CollectTaskStates(const asl::StateMachine& machine, std::set<std::string>* names) {
  for (const asl::State& s : machine.states) {
    if (s.type == asl::StateType::kTask) names->insert(s.name);
    for (const auto& branch : s.branches) CollectTaskStates(*branch, names);
    if (s.iterator) CollectTaskStates(*s.iterator, names);
  }
}

// s with line breaks folded into spaces (messages on stderr are one line each).
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

json::Value NullableString(const std::optional<std::string>& s) {
  return s ? json::Value::String(*s) : json::Value::Null();
}

std::unique_ptr<Clock> MakeClock(double time_scale) {
  if (time_scale == 0) return std::make_unique<VirtualClock>(SystemClock().NowMillis());
  if (time_scale == 1) return std::make_unique<SystemClock>();
  return std::make_unique<ScaledClock>(time_scale, ScaledClock::Waiting::kAdvanceToSleeps);
}

void PrintHistoryTable(const engine::EventLog& events, std::ostream& out) {
  if (events.empty()) return;
  const int64_t t0 = events.front().timestamp_millis;
  for (const engine::HistoryEvent& e : events) {
    char head[96];
    std::snprintf(head, sizeof head, "%4lld %4lld %+10.3fs  ", static_cast<long long>(e.id),
                  static_cast<long long>(e.previous_event_id),
                  static_cast<double>(e.timestamp_millis - t0) / 1000.0);
    out << head << e.type;
    if (!e.details_key.empty()) out << "  " << e.Details().Dump();
    out << '\n';
  }
}

}  // namespace

int RunCommand(const RunOptions& o, std::ostream& out, std::ostream& err) {
  auto fail_usage = [&](const std::string& message) {
    err << "stator: " << OneLine(message) << '\n';
    return kExitUsage;
  };

  // Definition.
  auto definition = ReadTextFile(o.definition_file);
  if (!definition.ok()) return fail_usage(definition.error().cause);
  asl::CompileResult compiled = asl::Compile(*definition);
  if (!compiled.ok()) {
    std::string message = asl::InvalidDefinitionMessage(compiled.diagnostics, *definition);
    if (o.json) {
      json::Array diagnostics;
      for (const asl::Diagnostic& d : compiled.diagnostics) {
        diagnostics.push_back(DiagnosticJson(d));
      }
      out << json::Value::MakeObject(
                 {
                     {"status", json::Value::String("INVALID_DEFINITION")},
                     {"output", json::Value::Null()},
                     {"error", json::Value::String("InvalidDefinition")},
                     {"cause", json::Value::String(message)},
                     {"diagnostics", json::Value::MakeArray(std::move(diagnostics))},
                 })
                 .Dump()
          << '\n';
    }
    err << "stator: invalid definition: " << OneLine(message) << '\n';
    return kExitInvalidDefinition;
  }

  // Input.
  engine::ExecutionOptions exec;
  if (o.input_json || o.input_file) {
    std::string text;
    std::string what = "--input";
    if (o.input_file) {
      auto read = ReadTextFile(*o.input_file);
      if (!read.ok()) return fail_usage(read.error().cause);
      text = std::move(read).value();
      what = "input file '" + *o.input_file + "'";
    } else {
      text = *o.input_json;
    }
    auto input = json::Parse(text);
    if (!input.ok()) return fail_usage(what + " is not valid JSON: " + input.error().cause);
    exec.input = std::move(input).value();
    exec.input_text = text;  // ExecutionStarted shows the input as the client sent it
  }

  // Task runners: --task-command > mock test case > UnavailableResourceRunner.
  std::set<std::string> task_states;
  CollectTaskStates(*compiled.machine, &task_states);
  auto router = std::make_unique<integrations::TaskRouter>(
      std::make_unique<integrations::UnavailableResourceRunner>(o.account, o.region));
  for (const auto& [state, command] : o.task_commands) {
    if (task_states.count(state) == 0) {
      return fail_usage("--task-command names '" + state +
                        "', which is not a Task state of the definition");
    }
    auto argv = integrations::SplitCommandLine(command);
    if (!argv.ok()) {
      return fail_usage("--task-command for '" + state + "': " + argv.error().cause);
    }
    router->RouteState(state, std::make_shared<integrations::CommandTaskRunner>(*std::move(argv)));
  }
  std::string machine_name = o.state_machine_name.value_or("StateMachine");
  if (o.mock_config) {
    auto config = integrations::MockConfig::Load(*o.mock_config);
    if (!config.ok()) return fail_usage(config.error().cause);
    if (!o.state_machine_name) {
      std::vector<std::string> names = config->StateMachineNames();
      if (names.size() != 1) {
        return fail_usage("the mock configuration has " + std::to_string(names.size()) +
                          " state machines; choose one with --state-machine-name");
      }
      machine_name = names.front();
    }
    auto test_case = config->FindTestCase(machine_name, *o.test_case);
    if (!test_case.ok()) return fail_usage(test_case.error().cause);
    router->SetMock(std::make_unique<integrations::MockTaskRunner>(*std::move(test_case)));
  }

  exec.account = o.account;
  exec.region = o.region;
  exec.state_machine_name = machine_name;
  exec.execution_name = o.execution_name;
  exec.role_arn = o.role_arn;
  exec.keep_history = o.history;

  std::unique_ptr<Clock> clock = MakeClock(o.time_scale);
  engine::ExecutionResult result =
      engine::RunToCompletion(compiled.machine, exec, router.get(), clock.get());

  int code = kExitInternal;
  switch (result.status) {
    case engine::ExecutionStatus::kSucceeded:
      code = kExitSucceeded;
      break;
    case engine::ExecutionStatus::kFailed:
    case engine::ExecutionStatus::kTimedOut:
    case engine::ExecutionStatus::kAborted:
      code = kExitExecutionFailed;
      break;
    case engine::ExecutionStatus::kRunning:
      err << "stator: internal error: the execution ended while still RUNNING\n";
      break;
  }

  if (o.json) {
    json::Object fields = {
        {"status", json::Value::String(engine::ExecutionStatusName(result.status))},
        {"output", result.output ? *result.output : json::Value::Null()},
        {"error", NullableString(result.error)},
        {"cause", NullableString(result.cause)},
    };
    if (o.history) {
      json::Array events;
      events.reserve(result.events.size());
      for (const engine::HistoryEvent& e : result.events) events.push_back(e.ToJson());
      fields.emplace_back("events", json::Value::MakeArray(std::move(events)));
    }
    out << json::Value::MakeObject(std::move(fields)).Dump() << '\n';
    return code;
  }

  if (o.history) PrintHistoryTable(result.events, out);
  if (result.status == engine::ExecutionStatus::kSucceeded) {
    out << (result.output ? result.output->Dump() : "null") << '\n';
  } else {
    out << engine::ExecutionStatusName(result.status) << '\n';
    if (result.error) out << "error: " << *result.error << '\n';
    if (result.cause) out << "cause: " << *result.cause << '\n';
  }
  return code;
}

}  // namespace stator::cli
