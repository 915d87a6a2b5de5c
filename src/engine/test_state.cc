// TestState: the request, its validation (AWS's rules and messages), and the preparation of the
// state to run (test_state_run.cc runs it).
#include "engine/test_state.h"

#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "asl/compiler.h"
#include "common/time_format.h"
#include "common/uuid.h"
#include "engine/test_state_internal.h"

namespace stator::engine {

using test_state::TestRun;

namespace {

std::optional<std::string> Str(const json::Value& o, std::string_view key) {
  const json::Value* v = o.Find(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->as_string();
}

std::optional<int64_t> Int(const json::Value& o, std::string_view key) {
  const json::Value* v = o.Find(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->is_int() ? v->as_int() : static_cast<int64_t>(v->as_double());
}

ApiError Validation(std::string message) { return ApiError::Validation(std::move(message)); }
ApiError InvalidDefinition(std::string message) {
  return ApiError{"InvalidDefinition", std::move(message), {}};
}

// The states a single state's definition names as successors: compiled alongside it as stubs,
// since TestState runs the state alone and only reports where it would go.
std::set<std::string> Successors(const json::Value& state) {
  std::set<std::string> names;
  auto add = [&](const json::Value& o, std::string_view key) {
    if (auto n = Str(o, key)) names.insert(*n);
  };
  add(state, "Next");
  add(state, "Default");
  for (std::string_view list : {"Choices", "Catch"}) {
    const json::Value* items = state.Find(list);
    if (items == nullptr || !items->is_array()) continue;
    for (const json::Value& item : items->as_array()) add(item, "Next");
  }
  return names;
}

// Compiles a single state's definition as the only state of a machine (with stub successors).
// The state's name there: "StateName" (the name AWS gives it in the context object), unless a
// successor takes it.
Result<std::pair<std::shared_ptr<const asl::StateMachine>, std::string>, std::string> CompileSingle(
    const json::Value& state, const std::string& definition_text) {
  std::set<std::string> successors = Successors(state);
  std::string name = "StateName";
  while (successors.count(name) != 0) name += "_";
  json::Object states;
  states.emplace_back(name, state);
  for (const std::string& s : successors) {
    states.emplace_back(s, json::Value::MakeObject({{"Type", json::Value::String("Succeed")}}));
  }
  json::Value machine = json::Value::MakeObject({
      {"StartAt", json::Value::String(name)},
      {"States", json::Value::MakeObject(std::move(states))},
  });
  asl::CompileResult compiled = asl::Compile(machine);
  if (!compiled.ok()) {
    return asl::InvalidDefinitionMessage(compiled.diagnostics, definition_text);
  }
  return std::make_pair(compiled.machine, name);
}

// The state named `name` at any depth (branches, item processors): names are unique across a
// whole machine.
const asl::State* FindState(const asl::StateMachine& machine, std::string_view name) {
  for (const asl::State& state : machine.states) {
    if (state.name == name) return &state;
    for (const auto& branch : state.branches) {
      if (const asl::State* found = FindState(*branch, name)) return found;
    }
    if (state.iterator) {
      if (const asl::State* found = FindState(*state.iterator, name)) return found;
    }
  }
  return nullptr;
}

// The same in the definition's JSON.
const json::Value* FindRawState(const json::Value& machine, std::string_view name) {
  const json::Value* states = machine.Find("States");
  if (states == nullptr || !states->is_object()) return nullptr;
  for (const json::Member& m : states->as_object()) {
    if (m.first == name) return &m.second;
    if (!m.second.is_object()) continue;
    if (const json::Value* branches = m.second.Find("Branches"); branches && branches->is_array()) {
      for (const json::Value& branch : branches->as_array()) {
        if (const json::Value* found = FindRawState(branch, name)) return found;
      }
    }
    for (std::string_view key : {"ItemProcessor", "Iterator"}) {
      if (const json::Value* processor = m.second.Find(key)) {
        if (const json::Value* found = FindRawState(*processor, name)) return found;
      }
    }
  }
  return nullptr;
}

// A context object given with the request: the fields of a context object only (AWS's
// messages, "Invalid Context object provided: ..."). `task_pattern`: the state is a Task with a
// .sync or .waitForTaskToken resource (the only kind whose context has "Task").
std::optional<ApiError> CheckContext(const json::Value& context, bool task_pattern) {
  auto invalid = [](const std::string& what) {
    return Validation("Invalid Context object provided: " + what);
  };
  struct Field {
    const char* name;
    char type;  // s: string, n: number, *: anything
  };
  static const Field kExecution[] = {{"Id", 's'},         {"Input", '*'},     {"Name", 's'},
                                     {"RoleArn", 's'},    {"StartTime", 's'}, {"RedriveCount", 'n'},
                                     {"RedriveTime", 's'}};
  static const Field kState[] = {{"EnteredTime", 's'}, {"Name", 's'}, {"RetryCount", 'n'}};
  static const Field kStateMachine[] = {{"Id", 's'}, {"Name", 's'}};
  static const Field kTask[] = {{"Token", 's'}};
  auto check = [&](const std::string& object, const json::Value& v, const Field* fields,
                   size_t n) -> std::optional<ApiError> {
    if (!v.is_object()) return invalid(object + " must be an object");
    for (const json::Member& m : v.as_object()) {
      const Field* field = nullptr;
      for (size_t i = 0; i < n; ++i) {
        if (m.first == fields[i].name) field = &fields[i];
      }
      if (field == nullptr) return invalid("Field '" + m.first + "' is not allowed");
      if (field->type == 's' && !m.second.is_string()) {
        return invalid(object + "." + m.first + " must be a string");
      }
      if (field->type == 'n' && !m.second.is_number()) {
        return invalid(object + "." + m.first + " must be a number");
      }
    }
    return std::nullopt;
  };
  for (const json::Member& m : context.as_object()) {
    std::optional<ApiError> e;
    if (m.first == "Execution") {
      e = check(m.first, m.second, kExecution, std::size(kExecution));
    } else if (m.first == "State") {
      e = check(m.first, m.second, kState, std::size(kState));
    } else if (m.first == "StateMachine") {
      e = check(m.first, m.second, kStateMachine, std::size(kStateMachine));
    } else if (m.first == "Task") {
      e = check(m.first, m.second, kTask, std::size(kTask));
    } else if (m.first == "Map") {
      e = invalid("'Map' field is not supported when mocking a Context object");
    } else {
      e = invalid("Field '" + m.first + "' is not allowed");
    }
    if (e) return e;
  }
  if (context.Find("Task") != nullptr && !task_pattern) {
    return invalid(
        "Context object contains 'Task' when state is not a Task state with a '.sync' or "
        "'.waitForTaskToken' service integration pattern");
  }
  return std::nullopt;
}

// The state types that call nothing, and so take no mock.
bool CallsNothing(std::string_view type) {
  return type == "Pass" || type == "Fail" || type == "Succeed" || type == "Wait" ||
         type == "Choice";
}

// A Task resource TestState cannot call for real: activities and the .sync and
// .waitForTaskToken patterns need a mock.
bool NeedsMock(std::string_view resource) {
  if (resource.find(":activity:") != std::string_view::npos) return true;
  return resource.size() > 5 && (resource.substr(resource.size() - 5) == ".sync" ||
                                 resource.find(".sync:") != std::string_view::npos ||
                                 resource.find(".waitForTaskToken") != std::string_view::npos);
}

// The context object of a test without one: an Express execution of a made-up state machine.
json::Value MadeUpContext(const TestStateRequest& r, const json::Value& input,
                          const std::string& state_name, bool retries) {
  const std::string machine_name = NewUuid();
  const std::string execution_name = NewUuid();
  const std::string prefix = "arn:" + r.partition + ":states:" + r.region + ":" + r.account + ":";
  const json::Value now = json::Value::String(FormatTimestamp(r.now_ms));
  json::Object execution;
  execution.emplace_back(
      "Id", json::Value::String(prefix + "express:" + machine_name + ":" + execution_name));
  execution.emplace_back("Input", input);
  execution.emplace_back("Name", json::Value::String(execution_name));
  execution.emplace_back("RoleArn", r.role_arn ? json::Value::String(*r.role_arn) : json::Value());
  execution.emplace_back("StartTime", now);
  json::Object state;
  state.emplace_back("Name", json::Value::String(state_name));
  state.emplace_back("EnteredTime", now);
  if (retries) {
    state.emplace_back("RetryCount", json::Value::Int(r.retrier_retry_count.value_or(0)));
  }
  return json::Value::MakeObject({
      {"Execution", json::Value::MakeObject(std::move(execution))},
      {"StateMachine", json::Value::MakeObject({
                           {"Id", json::Value::String(prefix + "stateMachine:" + machine_name)},
                           {"Name", json::Value::String(machine_name)},
                       })},
      {"State", json::Value::MakeObject(std::move(state))},
  });
}

// Checks the mocked result's form for the state it stands in for.
std::optional<ApiError> CheckMockResult(const TestRun& run, const json::Value& result) {
  const asl::State& state = *run.state;
  switch (state.type) {
    case asl::StateType::kParallel:
      if (!result.is_array()) return Validation("Mocked result must be an array.");
      if (result.as_array().size() != state.branches.size()) {
        return Validation(
            "Mocked result must contain the same number of items as number of Parallel "
            "branches.");
      }
      return std::nullopt;
    case asl::StateType::kMap:
      if (run.raw_state.Find("ResultWriter") != nullptr) {
        if (!result.is_object()) return Validation("Mocked result must be a JSON object.");
      } else if (!result.is_array()) {
        return Validation("Mocked result must be an array.");
      }
      return std::nullopt;
    case asl::StateType::kTask:
      if (auto problem = ValidateMockResult(state.resource, result, run.request.mock->mode)) {
        return Validation(*problem);
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// Validates the request and prepares the test.
ApiResult<std::shared_ptr<TestRun>> Prepare(const TestStateRequest& r) {
  auto run = std::make_shared<TestRun>();
  run->request = r;
  if (r.mock && r.mock->result && r.mock->has_error_output) {
    return Validation(
        "A test mock should have only one of the following fields: [result, errorOutput].");
  }
  if (r.mock && r.reveal_secrets) {
    return Validation("TestState does not support RevealSecrets when a mock is specified.");
  }
  Result<json::Value> definition = json::Parse(r.definition);
  if (!definition.ok()) {
    return InvalidDefinition(
        asl::InvalidDefinitionMessage(asl::Compile(r.definition).diagnostics, r.definition));
  }
  std::string state_name;
  if (r.state_name) {
    asl::CompileResult compiled = asl::Compile(*definition);
    if (!compiled.ok()) {
      return InvalidDefinition(asl::InvalidDefinitionMessage(compiled.diagnostics, r.definition));
    }
    const asl::State* found = FindState(*compiled.machine, *r.state_name);
    const json::Value* raw = FindRawState(*definition, *r.state_name);
    if (found == nullptr || raw == nullptr) return Validation("State not found in definition");
    run->machine = compiled.machine;
    run->state = found;
    run->raw_state = *raw;
  } else {
    run->raw_state = *definition;
  }
  const std::string type =
      run->raw_state.is_object() ? Str(run->raw_state, "Type").value_or("") : "";
  if (r.mock && CallsNothing(type)) {
    return Validation("State type '" + type + "' is not supported when a mock is specified");
  }
  if (!r.mock && (type == "Map" || type == "Parallel")) {
    return InvalidDefinition(
        "TestState API does not support Map or Parallel states. Supported state types include: "
        "[Task, Wait, Pass, Succeed, Fail, Choice]");
  }
  if (!r.state_name) {
    if (!run->raw_state.is_object()) {
      return InvalidDefinition(
          asl::InvalidDefinitionMessage(asl::Compile(r.definition).diagnostics, r.definition));
    }
    auto compiled = CompileSingle(run->raw_state, r.definition);
    if (!compiled.ok()) return InvalidDefinition(compiled.error());
    run->machine = compiled->first;
    state_name = compiled->second;
    run->state = &run->machine->states[run->machine->IndexOf(state_name)];
  }
  const asl::State& state = *run->state;
  if (state.type == asl::StateType::kTask && !r.mock) {
    if (!r.role_arn) return Validation("RoleArn must be specified when testing a Task state");
    if (NeedsMock(state.resource)) {
      return Validation(
          "TestState supports Activity tasks and the .sync and .waitForTaskToken integration "
          "patterns only when a mock is specified");
    }
  }

  Result<json::Value> input = json::Parse(r.input.value_or("{}"));
  if (!input.ok()) {
    return ApiError{"InvalidExecutionInput",
                    "Invalid State Machine Execution Input: '" + input.error().cause + "'",
                    {}};
  }
  run->input = std::move(input).value();
  if (r.variables) {
    Result<json::Value> vars = json::Parse(*r.variables);
    if (!vars.ok() || !vars->is_object()) {
      return Validation("Variables must be a JSON object.");
    }
    run->context.variables = std::move(vars).value();
  }
  const bool retries = state.type == asl::StateType::kTask || state.type == asl::StateType::kMap ||
                       state.type == asl::StateType::kParallel;
  if (r.context) {
    Result<json::Value> context = json::Parse(*r.context);
    if (!context.ok() || !context->is_object()) {
      return Validation("Context must be a JSON object.");
    }
    API_RETURN_IF_ERROR(
        CheckContext(*context, state.type == asl::StateType::kTask && NeedsMock(state.resource) &&
                                   state.resource.find(":activity:") == std::string::npos));
    run->context.context = std::move(context).value();
  } else {
    // AWS names the state "StateName" here, also when it is a state of a whole machine.
    run->context.context = MadeUpContext(r, run->input, "StateName", retries);
  }
  if (r.mock && r.mock->result) {
    Result<json::Value> result = json::Parse(*r.mock->result);
    if (!result.ok()) return Validation("Mocked result must be valid JSON.");
    API_RETURN_IF_ERROR(CheckMockResult(*run, *result));
    run->mock_result = std::move(result).value();
  }
  if (r.map_item_reader_data) {
    Result<json::Value> data = json::Parse(*r.map_item_reader_data);
    if (!data.ok()) return Validation("mapItemReaderData must be valid JSON.");
    run->item_reader_data = std::move(data).value();
  }
  return run;
}

}  // namespace

TestStateRequest TestStateRequestFromJson(const json::Value& body) {
  TestStateRequest r;
  r.definition = Str(body, "definition").value_or("");
  r.state_name = Str(body, "stateName");
  r.role_arn = Str(body, "roleArn");
  r.input = Str(body, "input");
  const std::string level = Str(body, "inspectionLevel").value_or("INFO");
  r.level = level == "TRACE"   ? InspectionLevel::kTrace
            : level == "DEBUG" ? InspectionLevel::kDebug
                               : InspectionLevel::kInfo;
  if (const json::Value* reveal = body.Find("revealSecrets"); reveal && reveal->is_bool()) {
    r.reveal_secrets = reveal->as_bool();
  }
  r.variables = Str(body, "variables");
  r.context = Str(body, "context");
  if (const json::Value* mock = body.Find("mock"); mock && mock->is_object()) {
    TestStateRequest::Mock m;
    m.result = Str(*mock, "result");
    if (const json::Value* e = mock->Find("errorOutput"); e && e->is_object()) {
      m.has_error_output = true;
      m.error = Str(*e, "error");
      m.cause = Str(*e, "cause");
    }
    const std::string mode = Str(*mock, "fieldValidationMode").value_or("STRICT");
    m.mode = mode == "NONE"      ? MockValidationMode::kNone
             : mode == "PRESENT" ? MockValidationMode::kPresent
                                 : MockValidationMode::kStrict;
    r.mock = std::move(m);
  }
  if (const json::Value* c = body.Find("stateConfiguration"); c && c->is_object()) {
    r.retrier_retry_count = Int(*c, "retrierRetryCount");
    r.error_caused_by_state = Str(*c, "errorCausedByState");
    r.map_iteration_failure_count = Int(*c, "mapIterationFailureCount");
    r.map_item_reader_data = Str(*c, "mapItemReaderData");
  }
  return r;
}

void RunTestState(const TestStateRequest& request, TaskRunner* runner,
                  std::function<void(ApiResult<json::Value>)> done) {
  ApiResult<std::shared_ptr<TestRun>> run = Prepare(request);
  if (!run.ok()) return done(std::move(run).error());
  (*run)->runner = runner;
  (*run)->done = std::move(done);
  test_state::Run(std::move(run).value());
}

}  // namespace stator::engine
