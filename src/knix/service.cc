#include "knix/service.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "knix/flow_calls.h"

namespace stator::knix {
namespace {

// Lambda's own lines around an invocation's output.
bool IsLambdaFrameLine(std::string_view line) {
  return line.starts_with("START RequestId: ") || line.starts_with("END RequestId: ") ||
         line.starts_with("REPORT RequestId: ");
}

}  // namespace

KnixService::KnixService(store::Store* store, functions::FunctionRegistry* registry,
                         functions::FunctionRuntime* runtime, api::Executions* executions,
                         const Clock* clock, Options options)
    : store_(store),
      registry_(registry),
      runtime_(runtime),
      executions_(executions),
      clock_(clock),
      options_(std::move(options)),
      users_(store),
      catalog_(store),
      data_layer_(store),
      logs_(store, options_.shared_store),
      context_(&data_layer_, &catalog_, /*inline_reads=*/!options.shared_store),
      sessions_(Sessions::Options{},
                [this](const std::string& workflow_id, const std::string& key,
                       const std::optional<std::string>& value) {
                  // data_layer heartbeats: the workflow's private data. (A failed write is
                  // one heartbeat fewer.)
                  Status s = value ? data_layer_.Put(WorkflowScope(workflow_id), key, *value)
                                   : data_layer_.Delete(WorkflowScope(workflow_id), key);
                  (void)s;
                }),
      timers_(store, [this](const std::string& key) { DeliverTimer(key); },
              {.shared_store = options_.shared_store}),
      amqp_(store,
            {.active = [this](const std::string& key,
                              const json::Value& trigger) { return AmqpActive(key, trigger); },
             .message = [this](const std::string& key, const std::string& routing_key,
                               const std::string& body) { DeliverAmqp(key, routing_key, body); },
             .lost = [this](const std::string& key,
                            const std::string& why) { DeliverAmqpError(key, why); }},
            AmqpTriggers::Options{}) {
  FunctionContext::Hooks hooks;
  hooks.bucket_exists = [this](const std::string& user, const std::string& bucket) {
    return BucketExists(User{user, "", "", ""}, bucket);
  };
  hooks.bucket_written = [this](const std::string& user, const std::string& bucket,
                                const std::string& key, const std::string& value) {
    OnBucketWrite(user, bucket, key, value);
  };
  hooks.management = [this](const std::string& workflow_id, const json::Value& request) {
    return ManagementAs(workflow_id, request);
  };
  context_.SetHooks(std::move(hooks));
  FailInterruptedDeploys();
}

KnixService::~KnixService() {
  StopTriggers();
  WaitForDeploys();
}

void KnixService::WaitForDeploys() {
  // The entries move out under the lock (a thread's iterator to its entry stays valid) and are
  // joined without it (a finishing thread takes it to mark itself done).
  std::list<Deploy> deploys;
  {
    MutexLock lock(&deploys_mu_);
    deploys.splice(deploys.end(), deploys_);
  }
  for (Deploy& d : deploys) d.thread.join();
}

void KnixService::FailInterruptedDeploys() {
  std::string after;
  while (true) {
    auto page = store_->ListRecords("knix.workflows", "", after, 500);
    if (!page.ok()) return;
    for (const store::Record& r : page->items) {
      auto v = json::Parse(r.value);
      if (!v.ok()) continue;
      WorkflowRecord w = WorkflowRecord::FromJson(*v);
      if (w.status != "deploying") continue;
      w.status = "failed";
      w.deployment_error = "the server stopped while the workflow was being deployed";
      (void)catalog_.PutWorkflow(w);
    }
    if (page->next.empty()) return;
    after = page->next;
  }
}

std::string KnixService::BaseUrl(std::string_view host) const {
  // A host name or address with an optional port ("[v6]:port" too); anything else is ignored.
  bool usable = !host.empty() && host.size() <= 255;
  for (char ch : host) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) &&
        std::string_view(".-:[]_").find(ch) == std::string_view::npos) {
      usable = false;
    }
  }
  return usable ? "http://" + std::string(host) : endpoint_;
}

KnixService::Action KnixService::FindAction(std::string_view name) {
  static const std::unordered_map<std::string_view, Action> kActions = {
      {"getFunctions", &KnixService::GetFunctions},
      {"addFunction", &KnixService::AddFunction},
      {"modifyFunction", &KnixService::ModifyFunction},
      {"deleteFunction", &KnixService::DeleteFunction},
      {"getFunctionCode", &KnixService::GetFunctionCode},
      {"uploadFunctionCode", &KnixService::UploadFunctionCode},
      {"uploadFunctionZipMetadata", &KnixService::UploadFunctionZipMetadata},
      {"getFunctionZipMetadata", &KnixService::GetFunctionZipMetadata},
      {"getFunctionZip", &KnixService::GetFunctionZip},
      {"getFunctionRequirements", &KnixService::GetFunctionRequirements},
      {"uploadFunctionRequirements", &KnixService::UploadFunctionRequirements},
      {"addWorkflow", &KnixService::AddWorkflow},
      {"getWorkflows", &KnixService::GetWorkflows},
      {"uploadWorkflowJSON", &KnixService::UploadWorkflowJson},
      {"getWorkflowJSON", &KnixService::GetWorkflowJson},
      {"modifyWorkflow", &KnixService::ModifyWorkflow},
      {"deployWorkflow", &KnixService::DeployWorkflow},
      {"undeployWorkflow", &KnixService::UndeployWorkflow},
      {"deleteWorkflow", &KnixService::DeleteWorkflow},
      {"retrieveAllWorkflowLogs", &KnixService::RetrieveAllWorkflowLogs},
      {"clearAllWorkflowLogs", &KnixService::ClearAllWorkflowLogs},
      {"performStorageAction", &KnixService::PerformStorageAction},
      {"deleteAccount", &KnixService::DeleteAccount},
      {"getTriggerDetails", &KnixService::GetTriggerDetails},
      {"addTrigger", &KnixService::AddTrigger},
      {"deleteTrigger", &KnixService::DeleteTrigger},
      {"addTriggerForWorkflow", &KnixService::AddTriggerForWorkflow},
      {"deleteTriggerForWorkflow", &KnixService::DeleteTriggerForWorkflow},
      {"getTriggerableBuckets", &KnixService::GetTriggerableBuckets},
      {"addTriggerableBucket", &KnixService::AddTriggerableBucket},
      {"deleteTriggerableBucket", &KnixService::DeleteTriggerableBucket},
      {"addStorageTriggerForWorkflow", &KnixService::AddStorageTriggerForWorkflow},
      {"getWorkflowDetails", &KnixService::GetWorkflowDetails},
      {"deleteStorageTriggerForWorkflow", &KnixService::DeleteStorageTriggerForWorkflow},
  };
  auto it = kActions.find(name);
  return it == kActions.end() ? nullptr : it->second;
}

void KnixService::HandleManagement(api::HttpRequest&& request, api::Responder respond) {
  auto answer = [&respond](const ActionResult& result) { respond(ManagementResponse(result)); };
  auto body = json::Parse(request.body);
  if (!body.ok() || !body->is_object()) {
    return answer(
        Fail("Invalid input parameters: the request body must be a JSON object "
             "{\"action\": ..., \"data\": {...}}."));
  }
  const json::Value* action = body->Find("action");
  if (action == nullptr || !action->is_string()) {
    return answer(Fail("Invalid input parameters: no action given."));
  }
  const std::string& name = action->as_string();
  if (name == "version") return answer(Data(options_.version));
  const json::Value* data = body->Find("data");
  const json::Value* user = data && data->is_object() ? data->Find("user") : nullptr;
  if (user == nullptr || !user->is_object()) return answer(Fail("Invalid input parameters: "));
  if (auto bad = CheckUserFields(*user)) return answer(Fail(*bad));
  if (name == "signUp") return answer(users_.SignUp(*user, NowMillis()));
  if (name == "logIn") return answer(users_.LogIn(*user));
  // executeWorkflow answers when the execution ends; every other action at once.
  const bool execute = name == "executeWorkflow";
  Action handler = execute ? nullptr : FindAction(name);
  if (!execute && handler == nullptr) return answer(Fail("Unsupported action."));
  auto caller = users_.Verify(*user);
  if (!caller.ok()) return answer(caller.error());
  Call call{*caller, *data, BaseUrl(request.host)};
  if (execute) return ExecuteWorkflow(call, std::move(respond));
  answer((this->*handler)(call));
}

namespace {

// The workflow id of an execution of a KNIX workflow
// (arn:PARTITION:states:REGION:ACCOUNT:execution:knix-WORKFLOW:NAME, MachineName), "" for any
// other execution. A string search: this runs for every Task invocation, KNIX's or not.
std::string WorkflowOfExecution(const std::string& execution_arn) {
  static const std::string kMarker = ":execution:" + KnixService::MachineName("");
  size_t at = execution_arn.find(kMarker);
  if (at == std::string::npos) return "";
  size_t start = at + kMarker.size();
  size_t end = execution_arn.find(':', start);
  if (end == std::string::npos) return "";
  return execution_arn.substr(start, end - start);
}

}  // namespace

functions::PlatformHandler KnixService::PlatformFor(const std::string& workflow_id,
                                                    const engine::TaskRequest& request) {
  return [data = context_.HandlerFor(workflow_id), route = request.route](
             std::string call, json::Value args, functions::PlatformReply reply) {
    if (IsFlowCall(call)) return reply(ServeFlowCall(route, call, args));
    data(std::move(call), std::move(args), std::move(reply));
  };
}

std::string KnixService::ExecutionKey(const std::string& execution_arn) {
  std::string key = execution_arn.substr(execution_arn.rfind(':') + 1);
  std::erase(key, '-');
  return key;
}

Result<std::function<void()>> KnixService::PrepareInvocation(const engine::TaskRequest& request,
                                                             functions::Invocation* inv) {
  const std::string workflow_id = WorkflowOfExecution(request.execution_arn);
  if (workflow_id.empty()) return std::function<void()>();  // not a KNIX workflow's execution
  inv->platform = PlatformFor(workflow_id, request);
  std::string key = ExecutionKey(request.execution_arn);
  json::Object ctx;
  ctx.emplace_back("state", json::Value::String(request.state_name));
  ctx.emplace_back("key", json::Value::String(key));
  std::function<void()> ended;
  std::shared_ptr<const WorkflowRecord> w = Deployed(workflow_id);
  Sessions::Workflow traits;
  if (w != nullptr) traits = sessions_.WorkflowOf(w->id, w->revision, w->definition);
  if (traits.session_workflow) {
    Sessions::BeginRequest b;
    b.workflow_id = workflow_id;
    b.owner = w->user;
    b.execution_key = key;
    b.state_name = request.state_name;
    b.input = &request.parameters;
    b.session_function = request.knix != nullptr && request.knix->session_function;
    if (b.session_function) b.parameters = request.knix->session_function_parameters;
    b.route = request.route;
    STATOR_TRY(Sessions::Caller caller, sessions_.Begin(std::move(b)));
    json::Object session;
    session.emplace_back("id", json::Value::String(caller.session_id));
    if (!caller.instance_id.empty()) {
      session.emplace_back("function_id", json::Value::String(caller.instance_id));
      inv->timeout_ms = traits.timeout_ms;
      // A session function runs until it is stopped: waiting for one of its function's
      // instances to come free could wait for ever (those may be session functions waiting for
      // this one). With none free the Task fails at once (Lambda.TooManyRequestsException:
      // raise --function-concurrency).
      inv->queue_when_busy = false;
    }
    ctx.emplace_back("session", json::Value::MakeObject(std::move(session)));
    auto shared = std::make_shared<const Sessions::Caller>(std::move(caller));
    inv->platform = [base = std::move(inv->platform), sessions = &sessions_, shared](
                        std::string call, json::Value args, functions::PlatformReply reply) {
      if (Sessions::IsSessionCall(call)) {
        return sessions->Serve(*shared, call, args, std::move(reply));
      }
      base(std::move(call), std::move(args), std::move(reply));
    };
    ended = [sessions = &sessions_, shared] { sessions->End(*shared); };
  }
  inv->context = json::Value::MakeObject(std::move(ctx)).Dump();
  return ended;
}

functions::OutputSink KnixService::OutputSinkFor(const engine::TaskRequest& request,
                                                 const std::string& request_id) {
  std::string workflow_id = WorkflowOfExecution(request.execution_arn);
  if (workflow_id.empty()) return nullptr;
  return [logs = &logs_, workflow_id = std::move(workflow_id), state_name = request.state_name,
          request_id](std::string_view lines) {
    int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    size_t pos = 0;
    while (pos < lines.size()) {
      size_t nl = lines.find('\n', pos);
      if (nl == std::string_view::npos) nl = lines.size();
      std::string_view line = lines.substr(pos, nl - pos);
      pos = nl + 1;
      if (IsLambdaFrameLine(line)) continue;
      // context.log(text, level) prints "[LEVEL] text" (as the runtime prints errors).
      std::string level = "INFO";
      for (const char* l : {"INFO", "WARNING", "DEBUG", "ERROR"}) {
        std::string tag = std::string("[") + l + "] ";
        if (line.starts_with(tag)) {
          level = l;
          line.remove_prefix(tag.size());
          break;
        }
      }
      logs->Append(workflow_id, now_us, level, request_id, state_name, std::string(line));
    }
  };
}

ActionResult KnixService::DeleteAccount(const Call& c) {
  MutexLock lock(&catalog_mu_);
  if (Status s = DeleteWorkflowsOf(c.user); !s.ok()) return Fail(s.error().cause);
  if (Status s = DeleteFunctionsOf(c.user); !s.ok()) return Fail(s.error().cause);
  if (Status s = data_layer_.DeleteScope(UserScope(c.user)); !s.ok()) {
    return Fail(s.error().cause);
  }
  if (Status s = DeleteTriggersOf(c.user); !s.ok()) return Fail(s.error().cause);
  if (Status s = users_.Delete(c.user); !s.ok()) return Fail(s.error().cause);
  return Data("Deleted account " + c.user.email + ".");
}

}  // namespace stator::knix
