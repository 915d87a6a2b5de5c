// KnixService: the KNIX front door of `stator serve` (shared/design/knix-protocol.md):
//
//   POST /management                    the management API: {action, data} → {status, data}
//   POST /knix/workflows/<id>           a deployed workflow's endpoint: the event in, the output
//                                       out (sync); ?async=True → the execution id as text;
//                                       ?executionId=ID → that execution's output, waited for
//
// KNIX's things map onto stator's own, so that both worlds share them:
//   - A KNIX function is a Lambda function of the server's account and region, named as in KNIX
//     (function names are therefore unique per server, and must be valid Lambda names), whose
//     handler is KNIX's `<name>.handle`. Its package is built from what KNIX uploads (text code
//     and/or a chunked zip) whenever a complete upload arrives; the KNIX record keeps the
//     uploads as KNIX returns them.
//   - A deployed workflow is a definition for the engine (knix/workflow_translation.h:
//     Resources as Lambda ARNs, KNIX's Fail semantics) run under the state machine ARN
//     arn:aws:states:REGION:ACCOUNT:stateMachine:knix-<workflow id>, which is not listed among
//     the Step Functions state machines. A sync call runs it as an Express execution; an async
//     one as a Standard execution named by the execution id (durable, with its history, and
//     visible to DescribeExecution / GetExecutionHistory under that ARN).
//   - Everything else (users, the catalogue, uploads, stored data, workflow logs) is store
//     records: see users.h, catalog.h, data_layer.h and workflow_logs.h for the layout.
//   - A deploy that installs requirements runs pip on a thread of its own (the workflow is
//     `deploying` meanwhile); WaitForDeploys joins them.
//
// Each action family is one file: users (users.cc, service.cc), functions
// (function_actions.cc; their Lambda packages: function_package.cc), workflows
// (workflow_actions.cc), execution (workflow_endpoint.cc), storage (storage_actions.cc),
// triggers and buckets (trigger_actions.cc; their events: trigger_delivery.cc, triggers.h).
//
// Ownership: borrows everything it is given (all must outlive it); owns the deploy threads, the
// timer triggers' thread and the AMQP triggers' consumers (StartTriggers/StopTriggers).
// Thread-safety: the handlers may be called from any thread at once.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/executions.h"
#include "api/http_server.h"
#include "common/arn.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/mutex.h"
#include "engine/execution.h"
#include "functions/registry.h"
#include "functions/runtime.h"
#include "knix/amqp_triggers.h"
#include "knix/catalog.h"
#include "knix/data_layer.h"
#include "knix/execution_results.h"
#include "knix/function_context.h"
#include "knix/protocol.h"
#include "knix/sessions.h"
#include "knix/triggers.h"
#include "knix/users.h"
#include "knix/workflow_logs.h"
#include "store/store.h"

namespace stator::knix {

inline constexpr const char* kManagementPath = "/management";
inline constexpr const char* kWorkflowPathPrefix = "/knix/workflows/";

class KnixService {
 public:
  struct Options {
    ArnScope scope;                  // the server's partition, region and account
    std::string version = "stator";  // what the `version` action answers
    // Other servers share the store (a cluster): they change workflows and append log lines
    // without this one hearing of it, so deployed workflows are not cached and logs are read
    // from the store.
    bool shared_store = false;
  };

  KnixService(store::Store* store, functions::FunctionRegistry* registry,
              functions::FunctionRuntime* runtime, api::Executions* executions, const Clock* clock,
              Options options);
  ~KnixService();  // as WaitForDeploys

  // Waits for the deployments in progress (pip installs on threads of their own). The server
  // calls it before it stops the function runtime those deployments update.
  void WaitForDeploys() EXCLUDES(deploys_mu_);
  KnixService(const KnixService&) = delete;
  KnixService& operator=(const KnixService&) = delete;

  // Timer and AMQP triggers fire from StartTriggers on (the server calls it once executions have
  // resumed) until StopTriggers (before the executions service goes); the destructor stops them
  // too. Storage triggers need neither.
  void StartTriggers();
  void StopTriggers();

  // The server's base URL ("http://HOST:PORT"): workflow endpoints are under it when a request
  // names no usable Host. Set before serving.
  void SetEndpoint(std::string endpoint) { endpoint_ = std::move(endpoint); }

  void HandleManagement(api::HttpRequest&& request, api::Responder respond);
  void HandleWorkflow(api::HttpRequest&& request, api::Responder respond);

  // Where the log lines of a Task's invocation go while it runs (LambdaTaskRunner's output
  // observer): the workflow's logs when the execution is a KNIX workflow's (else no sink).
  functions::OutputSink OutputSinkFor(const engine::TaskRequest& request,
                                      const std::string& request_id);

  // Prepares a Task's invocation (LambdaTaskRunner's platform): its platform calls
  // (PlatformFor, plus the session calls of a session workflow: sessions.h), its context (the
  // KNIX context's state name, execution key and session) and, for a session function, its time
  // limit; answers what to call once it is over (the instance leaves its session). Errors: a
  // session function that cannot begin (sessions.h).
  Result<std::function<void()>> PrepareInvocation(const engine::TaskRequest& request,
                                                  functions::Invocation* invocation);
  // What serves the platform calls of a Task invocation of workflow_id's execution (the KNIX
  // context's data layer, and its dynamic control flow through request.route: flow_calls.h).
  functions::PlatformHandler PlatformFor(const std::string& workflow_id,
                                         const engine::TaskRequest& request);
  // KNIX's instance key of an execution: its id (an async execution's name; a sync one's UUID
  // without its dashes).
  static std::string ExecutionKey(const std::string& execution_arn);

  // The state machine a workflow's executions run under: knix-<workflow id> (MachineName), and
  // its ARN.
  static std::string MachineName(const std::string& workflow_id) { return "knix-" + workflow_id; }
  std::string MachineArn(const std::string& workflow_id) const {
    return options_.scope.StateMachine(MachineName(workflow_id));
  }

 private:
  // An authenticated action: the caller, and the request's `data`.
  struct Call {
    const User& user;
    const json::Value& data;
    // "http://HOST[:PORT]" as the client reached this server (its Host header), else the
    // server's own endpoint: workflow endpoints are announced under it, so that a client on
    // another machine gets URLs it can reach.
    std::string base_url;
  };
  using Action = ActionResult (KnixService::*)(const Call&);
  std::string BaseUrl(std::string_view host) const;
  static Action FindAction(std::string_view name);

  // function_actions.cc
  ActionResult GetFunctions(const Call& c);
  ActionResult AddFunction(const Call& c);
  ActionResult ModifyFunction(const Call& c);
  ActionResult DeleteFunction(const Call& c);
  ActionResult GetFunctionCode(const Call& c);
  ActionResult UploadFunctionCode(const Call& c);
  ActionResult UploadFunctionZipMetadata(const Call& c);
  ActionResult GetFunctionZipMetadata(const Call& c);
  ActionResult GetFunctionZip(const Call& c);
  ActionResult GetFunctionRequirements(const Call& c);
  ActionResult UploadFunctionRequirements(const Call& c);
  // Rebuilds the Lambda function's package from the KNIX uploads of f (creating the function
  // when it does not exist yet): f's zip (zip_chunks > 0: chunks 0..zip_chunks-1 joined) with
  // the text code (the stored one, or *code_override) as <name>.py; with install_requirements,
  // the requirements pip-installed into it (deploy). Errors say what could not be built; the
  // function is then unchanged; kIncompleteZip when a chunk of the zip is missing.
  static constexpr const char* kIncompleteZip = "KnixIncompleteZip";
  Status BuildLambda(const User& user, const FunctionRecord& f, bool install_requirements,
                     const std::string* code_override = nullptr);
  Status DeleteFunctionsOf(const User& user);

  // workflow_actions.cc
  ActionResult AddWorkflow(const Call& c);
  ActionResult GetWorkflows(const Call& c);
  ActionResult UploadWorkflowJson(const Call& c);
  ActionResult GetWorkflowJson(const Call& c);
  ActionResult ModifyWorkflow(const Call& c);
  ActionResult DeployWorkflow(const Call& c);
  // Builds the packages of a workflow's functions (requirements installed): what went wrong,
  // one line per function, or "".
  std::string BuildForDeploy(const User& user, const std::vector<FunctionRecord>& functions);
  // Makes record `deployed` with `definition`, or `failed` with `errors`; the caller writes it.
  void FinishDeploy(WorkflowRecord* record, const std::string& errors,
                    const std::string& definition);
  // Finishes a `deploying` workflow on a thread of its own: BuildForDeploy, then FinishDeploy
  // unless the workflow changed meanwhile.
  void StartDeploy(const User& user, const std::string& id, std::vector<FunctionRecord> functions,
                   std::string definition) EXCLUDES(deploys_mu_);
  // At start: workflows left `deploying` by a server that stopped are `failed`.
  void FailInterruptedDeploys();
  ActionResult UndeployWorkflow(const Call& c);
  ActionResult DeleteWorkflow(const Call& c);
  ActionResult RetrieveAllWorkflowLogs(const Call& c);
  ActionResult ClearAllWorkflowLogs(const Call& c);
  // Answers (through respond) when the execution has ended.
  void ExecuteWorkflow(const Call& c, api::Responder respond);
  // The protocol's workflow object; its endpoints under base_url.
  static json::Value WorkflowJson(const WorkflowRecord& w, const std::string& base_url);
  Status DeleteWorkflowsOf(const User& user);

  // storage_actions.cc, trigger_actions.cc. The data-layer scopes: a user's own storage, and a
  // workflow's private storage.
  static std::string UserScope(const User& user) { return "user/" + user.id; }
  static std::string WorkflowScope(const std::string& id) { return "workflow/" + id; }
  static std::string BucketScope(const User& user, const std::string& bucket) {
    return "bucket/" + user.id + "/" + bucket;
  }
  ActionResult PerformStorageAction(const Call& c);
  ActionResult DeleteAccount(const Call& c);
  ActionResult GetTriggerDetails(const Call& c);
  ActionResult AddTrigger(const Call& c);
  ActionResult DeleteTrigger(const Call& c);
  ActionResult AddTriggerForWorkflow(const Call& c);
  ActionResult DeleteTriggerForWorkflow(const Call& c);
  ActionResult GetTriggerableBuckets(const Call& c);
  ActionResult AddTriggerableBucket(const Call& c);
  ActionResult DeleteTriggerableBucket(const Call& c);
  ActionResult AddStorageTriggerForWorkflow(const Call& c);
  ActionResult DeleteStorageTriggerForWorkflow(const Call& c);
  ActionResult SetStorageTrigger(const Call& c, const std::string& bucket, bool add);
  ActionResult GetWorkflowDetails(const Call& c);
  Result<bool> BucketExists(const User& user, const std::string& bucket);
  // A trigger's or bucket's association with a workflow (trigger_actions.cc).
  struct Association {
    std::string name;   // the workflow's name when associated
    std::string id;     // the workflow's id ("" when it cannot be told)
    std::string state;  // a timer trigger's workflow_state ("" = the start state)
  };
  std::vector<Association> TriggerAssociations(const std::string& user, const json::Value& trigger);
  std::vector<Association> BucketAssociations(const std::string& user, const json::Value& bucket);
  // The association's workflow while it is deployed and still the user's; else nullptr
  // (undeployed or deleted: nothing is delivered to it).
  std::shared_ptr<const WorkflowRecord> DeployedOf(const std::string& user, const Association& a);
  std::optional<WorkflowRecord> WorkflowNamed(const std::string& user, const std::string& name);
  // trigger_delivery.cc: an asynchronous execution of w (at `state`, "" = its start) with the
  // event; the timer event of one claimed tick; the storage event of a put to a bucket; a
  // management request made by a function of workflow_id as its owner (the answer's envelope).
  void StartTriggered(const WorkflowRecord& w, const std::string& state, const json::Value& event);
  void DeliverTimer(const std::string& key);
  // AMQP triggers (amqp_triggers.h): whether a trigger has an association with a deployed
  // workflow of its user; one message of a trigger; a consumer's lost connection.
  bool AmqpActive(const std::string& key, const json::Value& trigger);
  void DeliverAmqp(const std::string& key, const std::string& routing_key, const std::string& body);
  void DeliverAmqpError(const std::string& key, const std::string& why);
  // KNIX's trigger event {trigger_status: status, trigger_type: type, trigger_name,
  // workflow_name, source, data} to each deployed workflow associated to the trigger `key`
  // (USER/NAME) when the trigger still exists with that type.
  void DeliverTriggerEvent(const std::string& key, const char* type, const char* status,
                           const std::string& source, const std::string& data);
  void OnBucketWrite(const std::string& user, const std::string& bucket, const std::string& key,
                     const std::string& value);
  Result<json::Value> ManagementAs(const std::string& workflow_id, const json::Value& request);
  // The user's triggers, buckets and the buckets' data (deleteAccount).
  Status DeleteTriggersOf(const User& user);

  // workflow_endpoint.cc: runs a deployed workflow with `input` and answers in KNIX's shapes.
  void Execute(const WorkflowRecord& w, const std::string& input, bool async,
               std::function<void(api::HttpResponse)> respond);
  void AnswerResult(const WorkflowRecord& w, const std::string& execution_id, bool async,
                    std::function<void(api::HttpResponse)> respond);
  api::Executions::StartRequest StartRequestFor(const WorkflowRecord& w, bool express);
  // The deployed workflow with this id, from the cache of deployed workflows (filled from the
  // store on a miss); nullptr when there is none or it is not deployed. Forget drops an entry:
  // every action that changes a workflow's record calls it after writing the record.
  std::shared_ptr<const WorkflowRecord> Deployed(const std::string& id) EXCLUDES(deployed_mu_);
  void Forget(const std::string& id) EXCLUDES(deployed_mu_);

  int64_t NowMillis() const { return clock_->NowMillis(); }

  store::Store* const store_;
  functions::FunctionRegistry* const registry_;
  functions::FunctionRuntime* const runtime_;
  api::Executions* const executions_;
  const Clock* const clock_;
  const Options options_;
  Users users_;
  Catalog catalog_;
  DataLayer data_layer_;
  WorkflowLogs logs_;
  FunctionContext context_;   // after data_layer_ and catalog_, which it borrows
  ExecutionResults results_;  // of running async executions
  Sessions sessions_;         // after data_layer_, which its heartbeats write
  std::string endpoint_;
  // Serialises read-modify-write sequences on one user's catalogue (uploads, deploys): the
  // store makes each write atomic, this keeps a sequence from interleaving with another.
  Mutex catalog_mu_;
  // Deployed workflows by id: the endpoint's lookup costs no store read and no JSON parse.
  // Kept for this process only: off in a cluster (Options::shared_store), where every lookup
  // reads the store.
  Mutex deployed_mu_;
  std::unordered_map<std::string, std::shared_ptr<const WorkflowRecord>> deployed_
      GUARDED_BY(deployed_mu_);
  uint64_t deployed_generation_ GUARDED_BY(deployed_mu_) = 0;  // bumped by every Forget
  // Deployments that install requirements run on threads of their own: joined when over (at the
  // next StartDeploy) and by WaitForDeploys.
  struct Deploy {
    std::thread thread;
    bool done = false;  // the thread has nothing more to do
  };
  Mutex deploys_mu_;
  std::list<Deploy> deploys_ GUARDED_BY(deploys_mu_);
  // Last: their threads call into everything above, and are joined first.
  TimerTriggers timers_;
  AmqpTriggers amqp_;
};

}  // namespace stator::knix
