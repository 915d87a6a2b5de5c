#include "integrations/states_task.h"

#include <cmath>
#include <memory>
#include <utility>

#include "common/arn.h"
#include "common/time_format.h"
#include "common/uuid.h"
#include "engine/task_resource.h"

namespace stator::integrations {
namespace {

enum class Pattern { kRequestResponse, kSync, kSync2, kAwsSdk };

std::optional<Pattern> PatternOf(std::string_view resource) {
  const engine::TaskResource r = engine::TaskResource::Parse(resource);
  if (r.kind != engine::TaskResource::Kind::kService) return std::nullopt;
  if (r.resource_type == "states") {
    // .waitForTaskToken: started as request-response; the callback is the task's outcome.
    if (r.resource == "startExecution" || r.resource == "startExecution.waitForTaskToken") {
      return Pattern::kRequestResponse;
    }
    if (r.resource == "startExecution.sync") return Pattern::kSync;
    if (r.resource == "startExecution.sync:2") return Pattern::kSync2;
  } else if (r.resource_type == "aws-sdk:sfn" && r.resource == "startExecution") {
    return Pattern::kAwsSdk;
  }
  return std::nullopt;
}

const json::Value* Param(const json::Value& params, std::string_view key) {
  return params.is_object() ? params.Find(key) : nullptr;
}

// The task error for an API error: StepFunctions.<Name>Exception with the Java SDK v1 cause
// sentence for the optimized integration (as recorded on AWS), Sfn.<Name>Exception with the SDK
// v2 sentence for aws-sdk (not recorded; the aws-sdk integrations' usual form).
Error TaskError(const ApiError& e, Pattern pattern) {
  std::string name = e.name;
  if (!name.ends_with("Exception")) name += "Exception";
  if (pattern == Pattern::kAwsSdk) {
    return Error{"Sfn." + name,
                 e.message + " (Service: Sfn, Status Code: 400, Request ID: " + NewUuid() + ")"};
  }
  return Error{"StepFunctions." + name,
               e.message + " (Service: AWSStepFunctions; Status Code: 400; Error Code: " + e.name +
                   "; Request ID: " + NewUuid() + "; Proxy: null)"};
}

json::Value SdkMetadata(json::Object out) {
  const std::string request_id = NewUuid();
  json::Value headers = json::Value::MakeObject({
      {"Content-Type", json::Value::String("application/x-amz-json-1.0")},
      {"x-amzn-RequestId", json::Value::String(request_id)},
  });
  out.emplace_back(
      "SdkHttpMetadata",
      json::Value::MakeObject(
          {{"AllHttpHeaders",
            json::Value::MakeObject({
                {"Content-Type",
                 json::Value::MakeArray({json::Value::String("application/x-amz-json-1.0")})},
                {"x-amzn-RequestId", json::Value::MakeArray({json::Value::String(request_id)})},
            })},
           {"HttpHeaders", headers},
           {"HttpStatusCode", json::Value::Int(200)}}));
  out.emplace_back("SdkResponseMetadata",
                   json::Value::MakeObject({{"RequestId", json::Value::String(request_id)}}));
  return json::Value::MakeObject(std::move(out));
}

// API timestamps are epoch seconds; the integration reports epoch milliseconds.
int64_t Millis(const json::Value* seconds) {
  return seconds != nullptr && seconds->is_number()
             ? static_cast<int64_t>(std::llround(seconds->as_double() * 1000.0))
             : 0;
}

// What a .sync task reports about the child, from DescribeExecution's (or
// StartSyncExecution's) answer.
json::Value SyncResult(const json::Value& d, bool json_values) {
  json::Object out;
  auto copy = [&](const char* from, const char* to) {
    if (const json::Value* v = d.Find(from)) out.emplace_back(to, *v);
  };
  auto payload = [&](const char* from, const char* to, const char* details) {
    const json::Value* v = d.Find(from);
    if (v == nullptr || !v->is_string()) return;
    if (json_values) {
      Result<json::Value> parsed = json::Parse(v->as_string());
      out.emplace_back(to, parsed.ok() ? std::move(parsed).value() : *v);
    } else {
      out.emplace_back(to, *v);
    }
    out.emplace_back(details, json::Value::MakeObject({{"Included", json::Value::Bool(true)}}));
  };
  copy("error", "Error");
  copy("cause", "Cause");
  copy("executionArn", "ExecutionArn");
  payload("input", "Input", "InputDetails");
  copy("name", "Name");
  payload("output", "Output", "OutputDetails");
  out.emplace_back("StartDate", json::Value::Int(Millis(d.Find("startDate"))));
  copy("stateMachineArn", "StateMachineArn");
  copy("status", "Status");
  if (d.Find("stopDate"))
    out.emplace_back("StopDate", json::Value::Int(Millis(d.Find("stopDate"))));
  return json::Value::MakeObject(std::move(out));
}

void Finish(ApiResult<json::Value> described, bool json_values,
            const engine::TaskCompletion& done) {
  if (!described.ok()) return done(Error{"States.TaskFailed", described.error().message});
  json::Value result = SyncResult(*described, json_values);
  const json::Value* status = result.Find("Status");
  if (status != nullptr && status->is_string() && status->as_string() == "SUCCEEDED") {
    return done(std::move(result));
  }
  done(Error{"States.TaskFailed", result.Dump()});
}

// The child has started (`started` is StartExecution's answer): report it, and for .sync wait
// for its end.
void Started(StepFunctionsApi* api, const json::Value& started, Pattern pattern, bool sync,
             bool json_values, const std::function<void(json::Value)>& submitted,
             const engine::TaskCompletion& done) {
  const std::string arn = started.Find("executionArn")->as_string();
  const int64_t start_ms = Millis(started.Find("startDate"));
  if (pattern == Pattern::kAwsSdk) {
    return done(
        json::Value::MakeObject({{"ExecutionArn", json::Value::String(arn)},
                                 {"StartDate", json::Value::String(FormatTimestamp(start_ms))}}));
  }
  json::Value result = SdkMetadata(
      {{"ExecutionArn", json::Value::String(arn)}, {"StartDate", json::Value::Int(start_ms)}});
  if (!sync) return done(std::move(result));
  if (submitted) submitted(std::move(result));
  api->WhenEnded(arn, [api, arn, json_values, done] {
    api->Call(
        "DescribeExecution", json::Value::MakeObject({{"executionArn", json::Value::String(arn)}}),
        [json_values, done](ApiResult<json::Value> d) { Finish(std::move(d), json_values, done); });
  });
}

}  // namespace

bool StatesTaskRunner::Accepts(const std::string& resource) {
  return PatternOf(resource).has_value();
}

void StatesTaskRunner::Start(const engine::TaskRequest& request, engine::TaskCompletion done) {
  StepFunctionsApi* api = api_.load();
  const Pattern pattern = *PatternOf(request.resource);
  if (api == nullptr) return done(Error{"States.Runtime", "Step Functions is not ready"});

  json::Object start;
  const json::Value* machine_param = Param(request.parameters, "StateMachineArn");
  if (machine_param != nullptr) start.emplace_back("stateMachineArn", *machine_param);
  // The state machine, when the parameter names one (a version or alias included).
  std::optional<StateMachineArn> machine;
  if (machine_param != nullptr && machine_param->is_string()) {
    auto parsed = ParseStateMachineArn(machine_param->as_string());
    if (parsed.ok()) machine = std::move(parsed).value();
  }
  // The child's ARN when stator names it (empty when the task names it).
  std::string derived_arn;
  if (const json::Value* name = Param(request.parameters, "Name")) {
    start.emplace_back("name", *name);
  } else {
    // AWS names the child with a generated UUID. Ours comes from the parent and this attempt's
    // TaskScheduled event, so that a parent resumed after a crash, which dispatches the attempt
    // again, gets the child it already started instead of a second one: StartExecution answers
    // a repeat of a running execution with that execution, and a finished one is looked up
    // below.
    std::string child =
        NameUuid(request.execution_arn + "/" + std::to_string(request.scheduled_event_id));
    if (machine && !machine->qualified()) {
      derived_arn = machine->machine_arn;
      size_t at = derived_arn.find(":stateMachine:");
      if (at != std::string::npos) {
        derived_arn.replace(at, 14, ":execution:");
        derived_arn += ":" + child;
      } else {
        derived_arn.clear();
      }
    }
    start.emplace_back("name", json::Value::String(std::move(child)));
  }
  const json::Value* input = Param(request.parameters, "Input");
  if (input == nullptr || input->is_null()) {
    start.emplace_back("input", json::Value::String("{}"));
  } else {
    start.emplace_back("input", input->is_string() ? *input : json::Value::String(input->Dump()));
  }
  auto body = std::make_shared<const json::Value>(json::Value::MakeObject(std::move(start)));
  const bool sync = pattern == Pattern::kSync || pattern == Pattern::kSync2;
  const bool json_values = pattern == Pattern::kSync2;

  // Starts the child as a Standard or background Express execution.
  auto start_child = [api, body, done, pattern, sync, json_values, derived_arn,
                      submitted = request.submitted] {
    api->Call("StartExecution", *body, [=](ApiResult<json::Value> r) {
      const json::Value* in = body->Find("input");
      if (!r.ok() && r.error().name == "ExecutionAlreadyExists" && !derived_arn.empty() &&
          in != nullptr && in->is_string()) {
        // A resumed parent whose child has already finished: that child is this task's.
        const std::string input_text = in->as_string();
        return api->Call(
            "DescribeExecution",
            json::Value::MakeObject({{"executionArn", json::Value::String(derived_arn)}}),
            [=](ApiResult<json::Value> d) {
              const json::Value* child_in = d.ok() ? d->Find("input") : nullptr;
              if (child_in == nullptr || !child_in->is_string() ||
                  child_in->as_string() != input_text) {
                return done(TaskError(r.error(), pattern));
              }
              Started(api,
                      json::Value::MakeObject({{"executionArn", json::Value::String(derived_arn)},
                                               {"startDate", *d->Find("startDate")}}),
                      pattern, sync, json_values, submitted, done);
            });
      }
      if (!r.ok()) return done(TaskError(r.error(), pattern));
      Started(api, *r, pattern, sync, json_values, submitted, done);
    });
  };
  // An Express child of a .sync task runs synchronously.
  if (!sync || !machine) return start_child();
  api->Call(
      "DescribeStateMachine",
      json::Value::MakeObject({{"stateMachineArn", json::Value::String(machine->machine_arn)}}),
      [api, body, json_values, done, start_child](ApiResult<json::Value> described) {
        const json::Value* type = described.ok() ? described->Find("type") : nullptr;
        if (type == nullptr || !type->is_string() || type->as_string() != "EXPRESS") {
          return start_child();
        }
        api->Call("StartSyncExecution", *body, [done, json_values](ApiResult<json::Value> r) {
          Finish(std::move(r), json_values, done);
        });
      });
}

}  // namespace stator::integrations
