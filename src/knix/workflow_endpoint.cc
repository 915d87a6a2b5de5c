// A deployed workflow's endpoint (knix-protocol.md §1.5): sync, async and result retrieval.
#include <atomic>
#include <memory>
#include <optional>
#include <string_view>

#include "common/random.h"
#include "knix/service.h"

namespace stator::knix {
namespace {

api::HttpResponse Respond(int status, std::string content_type, std::string body) {
  api::HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

api::HttpResponse JsonBody(std::string body, int status = 200) {
  return Respond(status, "application/json", std::move(body));
}

// KNIX's answer for a workflow that failed: {"has_error": true, "error_type": ...}. A function's
// exception is "User code exception: <class>" (the Lambda error's errorType); anything else
// that failed the execution (a States.* error, a timeout) names the error and its cause.
std::string ErrorBody(const std::optional<std::string>& error,
                      const std::optional<std::string>& cause) {
  std::string e = error.value_or("States.Runtime");
  std::string type;
  if (!e.starts_with("States.") && !e.starts_with("Lambda.")) {
    type = "User code exception: " + e;
  } else {
    type = e;
    if (cause && !cause->empty()) type += ": " + *cause;
  }
  return json::Value::MakeObject(
             {{"has_error", json::Value::Bool(true)}, {"error_type", json::Value::String(type)}})
      .Dump();
}

api::HttpResponse PlatformError(int status, std::string what) {
  return JsonBody(ErrorBody(std::string("States.Runtime"), std::move(what)), status);
}

// The value of query parameter `name` in target's query string, or nullopt.
std::optional<std::string> QueryParam(std::string_view target, std::string_view name) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return std::string(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool IsExecutionId(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

api::Executions::StartRequest KnixService::StartRequestFor(const WorkflowRecord& w, bool express) {
  api::Executions::StartRequest r;
  store::StateMachine& m = r.machine;
  m.arn = MachineArn(w.id);
  m.name = MachineName(w.id);
  m.type = express ? store::StateMachineType::kExpress : store::StateMachineType::kStandard;
  m.config.definition = w.definition;
  m.config.role_arn =
      "arn:" + options_.scope.partition + ":iam::" + options_.scope.account + ":role/knix-workflow";
  m.config.logging_configuration = R"({"level":"OFF","includeExecutionData":false})";
  m.config.tracing_configuration = R"({"enabled":false})";
  m.creation_date_ms = w.deployed_ms;
  m.revision_id = w.revision;
  m.update_date_ms = w.deployed_ms;
  r.knix = true;
  if (sessions_.WorkflowOf(w.id, w.revision, w.definition).session_workflow) {
    // Session function instances do not outlive their execution.
    r.on_ended = [this](const std::string& execution_arn) {
      sessions_.EndExecution(ExecutionKey(execution_arn));
    };
  }
  // KNIX logs this for each function that finishes after another one's error stopped the
  // workflow (FunctionWorker's PublicationUtils); here when the execution fails.
  r.on_walkers_stopped = [this, workflow_id = w.id](const std::vector<std::string>& states) {
    const int64_t now_us = NowMillis() * 1000;
    for (const std::string& state : states) {
      logs_.Append(workflow_id, now_us, "INFO", "", state,
                   "Not continuing because workflow execution has been stopped...");
    }
  };
  return r;
}

std::shared_ptr<const WorkflowRecord> KnixService::Deployed(const std::string& id) {
  uint64_t generation;
  {
    MutexLock lock(&deployed_mu_);
    auto it = deployed_.find(id);
    if (it != deployed_.end()) return it->second;
    generation = deployed_generation_;
  }
  auto found = catalog_.WorkflowById(id);
  if (!found.ok() || !*found || (*found)->status != "deployed") return nullptr;
  auto w = std::make_shared<const WorkflowRecord>(std::move(**found));
  MutexLock lock(&deployed_mu_);
  // A workflow that changed while it was read is not cached (what was read may be the old one).
  if (generation != deployed_generation_ || options_.shared_store) return w;
  return deployed_.emplace(id, std::move(w)).first->second;
}

void KnixService::Forget(const std::string& id) {
  {
    MutexLock lock(&deployed_mu_);
    deployed_.erase(id);
    ++deployed_generation_;
  }
  amqp_.Wake();  // an AMQP trigger's consumer runs while its workflow is deployed
}

void KnixService::HandleWorkflow(api::HttpRequest&& request, api::Responder respond) {
  std::string_view target = request.target;
  std::string_view rest = target.substr(std::string_view(kWorkflowPathPrefix).size());
  std::string id(rest.substr(0, rest.find_first_of("/?")));
  std::shared_ptr<const WorkflowRecord> deployed = Deployed(id);
  if (deployed == nullptr) return respond(PlatformError(404, "no deployed workflow " + id));
  const WorkflowRecord& w = *deployed;
  std::optional<std::string> async_value = QueryParam(target, "async");
  bool async =
      async_value && !async_value->empty() && *async_value != "false" && *async_value != "0";
  if (std::optional<std::string> execution = QueryParam(target, "executionId")) {
    if (!IsExecutionId(*execution)) return respond(PlatformError(400, "malformed executionId"));
    return AnswerResult(w, *execution, async, std::move(respond));
  }
  std::string_view content_type = request.Header("Content-Type");
  if (!content_type.starts_with("application/json")) {
    return respond(Respond(415, "text/plain", "Content-Type must be application/json\n"));
  }
  Execute(w, request.body.empty() ? std::string("null") : std::move(request.body), async,
          std::move(respond));
}

void KnixService::Execute(const WorkflowRecord& w, const std::string& input, bool async,
                          std::function<void(api::HttpResponse)> respond) {
  auto parsed = json::Parse(input);
  if (!parsed.ok()) {
    return respond(PlatformError(400, "the input is not JSON: " + parsed.error().cause));
  }
  api::Executions::StartRequest r = StartRequestFor(w, /*express=*/!async);
  r.input_text = input;
  r.input = std::move(parsed).value();
  if (!async) {
    // The first result a walker delivers answers (a KNIX workflow that forks may go on after
    // it: session functions, fan-out); an execution that delivers none answers when it ends.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    r.on_result = [respond, answered](const json::Value& result) {
      if (!answered->exchange(true)) respond(JsonBody(result.Dump()));
    };
    return executions_->StartSync(
        std::move(r), [respond, answered](ApiResult<api::Executions::SyncOutcome> outcome) {
          if (answered->exchange(true)) return;
          if (!outcome.ok()) return respond(PlatformError(500, outcome.error().message));
          if (outcome->status == store::ExecutionStatus::kSucceeded && outcome->output) {
            return respond(JsonBody(outcome->output->Dump()));
          }
          respond(JsonBody(ErrorBody(outcome->error, outcome->cause)));
        });
  }
  std::string execution_id = RandomHex(16);
  r.name = execution_id;
  r.on_result = [this, arn = options_.scope.Execution(MachineName(w.id), execution_id)](
                    const json::Value& result) {
    if (results_.Deliver(arn, result)) {
      executions_->WhenEnded(arn, [this, arn] { results_.Ended(arn); });
    }
  };
  executions_->StartStandard(std::move(r),
                             [respond, execution_id](ApiResult<api::Executions::Started> started) {
                               if (!started.ok())
                                 return respond(PlatformError(500, started.error().message));
                               respond(Respond(200, "text/plain", execution_id));
                             });
}

void KnixService::AnswerResult(const WorkflowRecord& w, const std::string& execution_id, bool async,
                               std::function<void(api::HttpResponse)> respond) {
  const std::string arn = options_.scope.Execution(MachineName(w.id), execution_id);
  // Answers from the store when the execution is not running (true); false while it runs.
  auto answer_stored =
      [this, arn, execution_id](const std::function<void(api::HttpResponse)>& respond) -> bool {
    auto got = store_->GetExecution(arn);
    if (!got.ok()) {
      respond(PlatformError(500, got.error().cause));
      return true;
    }
    if (!*got) {
      respond(PlatformError(404, "no execution " + execution_id));
      return true;
    }
    const store::Execution& e = **got;
    if (e.status == store::ExecutionStatus::kRunning) return false;
    if (e.status == store::ExecutionStatus::kSucceeded && e.output) {
      respond(JsonBody(*e.output));
    } else {
      respond(JsonBody(ErrorBody(e.error, e.cause)));
    }
    return true;
  };
  if (answer_stored(respond)) return;
  if (async) {
    // The latest result so far, or none yet; never waits.
    std::optional<json::Value> latest = results_.Latest(arn);
    return respond(JsonBody(
        latest ? latest->Dump()
               : json::Value::MakeObject({{"executionId", json::Value::String(execution_id)},
                                          {"result", json::Value::Null()}})
                     .Dump()));
  }
  // A result no retrieval answered yet, else the next one, else the final outcome.
  std::optional<json::Value> result =
      results_.TakeOrWait(arn, [answer_stored, respond](std::optional<json::Value> result) {
        if (result) return respond(JsonBody(result->Dump()));
        if (!answer_stored(respond)) {
          respond(PlatformError(500, "the execution ended but its outcome is not stored"));
        }
      });
  if (result) return respond(JsonBody(result->Dump()));
  executions_->WhenEnded(arn, [this, arn] { results_.Ended(arn); });
}

}  // namespace stator::knix
