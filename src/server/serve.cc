#include "server/serve.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "api/aws_json/router.h"
#include "api/dispatch.h"
#include "api/dynamodb_routes.h"
#include "api/http_server.h"
#include "api/lambda_service.h"
#include "api/routes/lambda/lambda_common.h"
#include "api/states_service.h"
#include "apigw/api_records.h"
#include "apigw/control_plane.h"
#include "apigw/front_door.h"
#include "appsync/data_plane.h"
#include "appsync/http_client.h"
#include "appsync/paths.h"
#include "appsync/service.h"
#include "common/clock.h"
#include "common/uuid.h"
#include "dynamodb/service.h"
#include "functions/registry.h"
#include "functions/runtime.h"
#include "iam/service.h"
#include "integrations/dynamodb_task.h"
#include "integrations/lambda_task.h"
#include "integrations/mock_config.h"
#include "integrations/states_task.h"
#include "knix/service.h"
#include "schedules/catalog.h"
#include "schedules/runner.h"
#include "schedules/service.h"
#include "server/callback_service.h"
#include "server/execution_service.h"
#include "server/health.h"
#include "server/map_run_service.h"
#include "server/schedule_host.h"
#include "server/server_clock.h"
#include "store/fault_injecting_store.h"
#include "store/store.h"

namespace stator::server {
namespace {

using api::AwsJsonRouter;
using api::Dispatch;
using api::HttpRequest;
using api::HttpServer;
using api::LambdaService;
using api::Responder;
using api::StatesService;

// The server's Step Functions API as the StatesTaskRunner calls it: through the router's
// operations (validation included), in process.
class LocalStepFunctions : public integrations::StepFunctionsApi {
 public:
  LocalStepFunctions(const AwsJsonRouter* router, api::Executions* executions)
      : router_(router), executions_(executions) {}

  void Call(std::string_view operation, const json::Value& input,
            std::function<void(ApiResult<json::Value>)> done) override {
    router_->Call(std::string(api::kStatesTargetPrefix) + "." + std::string(operation), input,
                  std::move(done));
  }
  void WhenEnded(const std::string& arn, std::function<void()> fn) override {
    executions_->WhenEnded(arn, std::move(fn));
  }

 private:
  const AwsJsonRouter* const router_;
  api::Executions* const executions_;
};

// Where ResultWriter writes a distributed Map's results (there is no S3): <data dir>/map-results,
// or $TMPDIR/stator-map-results (default /tmp) for a server without a data directory.
std::string MapResultsDir(const std::string& data_dir) {
  if (!data_dir.empty()) return data_dir + "/map-results";
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/stator-map-results";
}

}  // namespace

class ApiServer::Impl {
 public:
  ServeOptions options;
  std::unique_ptr<store::Store> store;
  ServerClock clock;
  // The client of AppSync's HTTP data sources: stopped (its requests failed) right after the
  // HTTP server, so that what their completions call next still exists; outlives the data plane.
  std::unique_ptr<appsync::HttpClient> appsync_http;
  // AppSync's GraphQL endpoints: destroyed after the runtime and DynamoDB, whose last
  // completions (answered when they stop) may still reach its resolvers.
  std::unique_ptr<appsync::DataPlane> appsync_data;
  std::unique_ptr<functions::FunctionRegistry> function_registry;  // outlive executions
  std::unique_ptr<functions::FunctionRuntime> function_runtime;
  std::unique_ptr<LambdaService> lambda;
  std::unique_ptr<dynamodb::Service> dynamodb;  // before executions: outlives their tasks
  std::unique_ptr<MapRunService> map_runs;      // outlives executions; stopped before them
  // Tasks waiting for activity workers and callbacks: outlives the executions (their runners).
  std::unique_ptr<CallbackService> callbacks;
  std::unique_ptr<ExecutionService> executions;
  std::unique_ptr<StatesService> states;
  std::shared_ptr<integrations::LambdaTaskRunner> lambda_tasks;
  std::unique_ptr<knix::KnixService> knix;           // stopped last (see Stop)
  std::unique_ptr<appsync::AppSyncService> appsync;  // AppSync's control plane
  std::unique_ptr<apigw::ApiRecords> apis;           // API Gateway (docs/apigw.md)
  std::unique_ptr<apigw::ControlPlane> apigw_control;
  std::unique_ptr<apigw::FrontDoor> apigw_front_door;
  AwsJsonRouter router;                              // Step Functions
  std::unique_ptr<LocalStepFunctions> local_states;  // for Task states
  Dispatch dispatch;                                 // every service on the port
  std::unique_ptr<HttpServer> http;
  // Schedules (docs/schedules.md): stopped before the executions, whose scheduler they use.
  std::unique_ptr<schedules::Catalog> schedule_catalog;
  std::unique_ptr<EngineTimers> schedule_timers;
  std::unique_ptr<ServerTargets> schedule_targets;
  std::unique_ptr<schedules::Runner> schedule_runner;
  std::unique_ptr<schedules::SchedulerService> scheduler_api;
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() { Stop(); }

Result<std::unique_ptr<ApiServer>> ApiServer::Start(const ServeOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  STATOR_TRY(impl->store, store::OpenStore(options.data_dir, options.store_uri));
  if (!options.store_faults.empty()) {
    STATOR_TRY(store::StoreFaults faults, store::ParseStoreFaults(options.store_faults));
    std::cerr << "stator: injecting store faults (STATOR_STORE_FAULTS): " << options.store_faults
              << "\n";
    impl->store = std::make_unique<store::FaultInjectingStore>(std::move(impl->store), faults);
  }
  ArnScope scope;
  scope.region = options.region;
  scope.account = options.account;
  impl->clock = MakeServerClock(options.time_scale);
  ExecutionService::Options exec;
  // With virtual time one thread steps everything: the clock may only jump when nothing at all
  // is running, which the scheduler can tell only for its own thread.
  exec.threads = impl->clock.clock->is_virtual() ? 1 : options.execution_threads;
  exec.tick_millis = impl->clock.tick_millis;
  if (!options.store_uri.empty()) {
    // One node of a cluster (docs/cluster.md): its executions are leased.
    exec.node_id = options.node_id.empty() ? "node-" + NewUuid() : options.node_id;
    exec.lease_ms = int64_t{options.lease_seconds} * 1000;
    std::cerr << "stator: cluster node " << exec.node_id << " (leases of " << options.lease_seconds
              << " s)\n";
  }
  if (!options.mock_config.empty()) {
    STATOR_TRY(integrations::MockConfig mock, integrations::MockConfig::Load(options.mock_config));
    exec.mock = std::make_shared<const integrations::MockConfig>(std::move(mock));
  }
  // The embedded DynamoDB (DATA_DIR/dynamodb.sqlite) and its Task integrations.
  STATOR_TRY(impl->dynamodb, dynamodb::Service::Open({options.data_dir, options.region,
                                                      options.account, options.store_uri}));
  exec.configure_router = [previous = std::move(exec.configure_router),
                           ddb = std::make_shared<integrations::DynamoDbTaskRunner>(
                               impl->dynamodb.get())](integrations::TaskRouter* router) {
    if (previous) previous(router);
    router->RouteResource(&integrations::DynamoDbTaskRunner::Accepts, ddb);
  };
  // Functions: kept in the store, their code unpacked into DATA_DIR/functions-cache (a
  // temporary directory without a data dir; DATA_DIR/functions of an earlier build is imported),
  // the runtime, and Task states whose Resource names a function, served in-process.
  {
    functions::RegistryOptions ro;
    ro.temporary_cache = options.data_dir.empty();
    if (ro.temporary_cache) {
      char tmpl[] = "/tmp/stator-functions-XXXXXX";
      if (mkdtemp(tmpl) == nullptr) return Error{"Functions", "cannot create a temporary dir"};
      ro.cache_dir = tmpl;
    } else {
      ro.cache_dir = options.data_dir + "/functions-cache";
      ro.legacy_dir = options.data_dir + "/functions";
    }
    STATOR_TRY(impl->function_registry, functions::FunctionRegistry::Open(impl->store.get(), ro));
    functions::RuntimeOptions fo;
    fo.region = options.region;
    fo.account = options.account;
    fo.concurrency = options.function_concurrency;
    fo.spares = options.function_spares;
    fo.idle_timeout = std::chrono::seconds(options.function_idle_seconds);
    fo.sandbox = options.function_sandbox;
    fo.work_dir = impl->function_registry->cache_dir() + "/.runtime";
    STATOR_TRY(impl->function_runtime, functions::FunctionRuntime::Start(fo));
    impl->lambda =
        std::make_unique<LambdaService>(impl->function_registry.get(), impl->function_runtime.get(),
                                        impl->clock.clock.get(), options.region, options.account);
    impl->lambda_tasks = std::make_shared<integrations::LambdaTaskRunner>(
        impl->function_registry.get(), impl->function_runtime.get(), options.region,
        options.account);
    exec.configure_router = [previous = std::move(exec.configure_router),
                             lambda = impl->lambda_tasks](integrations::TaskRouter* router) {
      if (previous) previous(router);
      router->RouteResource(&integrations::LambdaTaskRunner::Accepts, lambda);
    };
    LambdaService* lambda_service = impl->lambda.get();
    auto lambda_handler = [lambda_service](HttpRequest&& request, Responder respond) {
      lambda_service->Handle(std::move(request), std::move(respond));
    };
    impl->dispatch.AddPathPrefix(api::kLambdaFunctionsPrefix, lambda_handler);
    impl->dispatch.AddPathPrefix(api::kLambdaTagsPrefix, lambda_handler);
  }
  // Task states that start this server's own state machines (states:startExecution[.sync]).
  auto states_runner = std::make_shared<integrations::StatesTaskRunner>();
  exec.configure_router = [previous = std::move(exec.configure_router),
                           states_runner](integrations::TaskRouter* router) {
    if (previous) previous(router);
    router->RouteResource(&integrations::StatesTaskRunner::Accepts, states_runner);
  };
  // Activities and .waitForTaskToken callbacks (docs/api.md, Activities and callbacks).
  STATOR_TRY(impl->callbacks,
             CallbackService::Open(impl->store.get(), impl->clock.clock.get(),
                                   {int64_t{options.activity_poll_seconds} * 1000, exec.node_id}));
  {
    CallbackService* callbacks = impl->callbacks.get();
    exec.make_task_token = [callbacks](const std::string& arn, const std::string& nonce) {
      return callbacks->MakeToken(arn, nonce);
    };
    exec.on_execution_ended = [callbacks](const std::string& arn) {
      callbacks->ExecutionEnded(arn);
    };
    exec.activity_exists = [callbacks](const std::string& arn) {
      return callbacks->ActivityExists(arn);
    };
    exec.configure_router = [previous = std::move(exec.configure_router),
                             callbacks](integrations::TaskRouter* router) {
      if (previous) previous(router);
      router->RouteResource(&CallbackService::IsActivity, callbacks->activity_runner());
      router->SetCallbackWrapper(callbacks->wrapper());
    };
  }
  impl->executions = std::make_unique<ExecutionService>(impl->store.get(), impl->clock.clock.get(),
                                                        scope, std::move(exec));
  impl->states = std::make_unique<StatesService>(impl->store.get(), impl->clock.clock.get(), scope,
                                                 impl->executions.get());
  // Distributed Map states' child executions and Map Runs; ResultWriter files go under the data
  // directory (or the temporary directory without one).
  impl->map_runs = std::make_unique<MapRunService>(
      impl->store.get(), impl->clock.clock.get(), scope, impl->executions.get(),
      MapResultsDir(options.data_dir), impl->executions->scheduler());
  impl->executions->set_map_runner(impl->map_runs.get());
  impl->states->set_map_runs(impl->map_runs.get());
  impl->states->set_task_callbacks(impl->callbacks.get());
  impl->states->Register(&impl->router);
  impl->local_states = std::make_unique<LocalStepFunctions>(&impl->router, impl->executions.get());
  states_runner->SetApi(impl->local_states.get());
  impl->dispatch.AddTargetPrefix("DynamoDB_20120810", api::DynamoDbHandler(impl->dynamodb.get()));
  {
    // The KNIX front door: its management API and its workflows' endpoints; the Lambda Task
    // runner hands it what its workflows' functions print, as they print it.
    knix::KnixService::Options knix_options;
    knix_options.scope = scope;
    knix_options.shared_store = !options.store_uri.empty();  // other nodes of a cluster
    impl->knix = std::make_unique<knix::KnixService>(
        impl->store.get(), impl->function_registry.get(), impl->function_runtime.get(),
        impl->executions.get(), impl->clock.clock.get(), std::move(knix_options));
    knix::KnixService* front_door = impl->knix.get();
    impl->lambda_tasks->SetOutputObserver(
        [front_door](const engine::TaskRequest& request, const std::string& request_id) {
          return front_door->OutputSinkFor(request, request_id);
        });
    impl->lambda_tasks->SetPlatform(
        [front_door](const engine::TaskRequest& request, functions::Invocation* invocation) {
          return front_door->PrepareInvocation(request, invocation);
        });
    impl->dispatch.AddPathPrefix(
        knix::kManagementPath, [front_door](HttpRequest&& request, Responder respond) {
          front_door->HandleManagement(std::move(request), std::move(respond));
        });
    impl->dispatch.AddPathPrefix(
        knix::kWorkflowPathPrefix, [front_door](HttpRequest&& request, Responder respond) {
          front_door->HandleWorkflow(std::move(request), std::move(respond));
        });
  }
  {
    // AppSync's control plane (GraphQL APIs, schemas, keys, data sources, resolvers as records).
    impl->appsync = std::make_unique<appsync::AppSyncService>(
        impl->store.get(), impl->clock.clock.get(), options.region, options.account);
    appsync::AppSyncService* appsync_service = impl->appsync.get();
    auto appsync_handler = [appsync_service](HttpRequest&& request, Responder respond) {
      appsync_service->Handle(std::move(request), std::move(respond));
    };
    impl->dispatch.AddPathPrefix(appsync::kApisPath, appsync_handler);
    impl->dispatch.AddPathPrefix(appsync::kTagsPathPrefix, appsync_handler);
    // Its data plane: each API's GraphQL endpoint, resolvers on functions and DynamoDB.
    appsync::ResolverDeps deps;
    deps.catalog = &impl->appsync->catalog();
    deps.registry = impl->function_registry.get();
    deps.runtime = impl->function_runtime.get();
    deps.dynamodb = impl->dynamodb.get();
    impl->appsync_http = std::make_unique<appsync::HttpClient>();
    deps.http = impl->appsync_http.get();
    deps.clock = impl->clock.clock.get();
    deps.region = options.region;
    deps.account = options.account;
    deps.shared_store = !options.store_uri.empty();
    impl->appsync_data = std::make_unique<appsync::DataPlane>(std::move(deps));
    appsync::DataPlane* data_plane = impl->appsync_data.get();
    impl->dispatch.AddPathPrefix(appsync::kGraphqlPathPrefix,
                                 [data_plane](HttpRequest&& request, Responder respond) {
                                   data_plane->Handle(std::move(request), std::move(respond));
                                 });
  }
  // API Gateway: apigatewayv2 (/v2/apis...) and the APIs' invoke URLs (/apigw/ID/...), which
  // call functions and state machines through this dispatch, in process.
  {
    impl->apis = std::make_unique<apigw::ApiRecords>(impl->store.get());
    impl->apigw_control =
        std::make_unique<apigw::ControlPlane>(impl->apis.get(), impl->clock.clock.get());
    const Dispatch* backend = &impl->dispatch;
    impl->apigw_front_door = std::make_unique<apigw::FrontDoor>(
        impl->apis.get(), impl->clock.clock.get(),
        [backend](HttpRequest&& request, Responder respond) {
          backend->Handle(std::move(request), std::move(respond));
        },
        options.account);
    apigw::ControlPlane* control = impl->apigw_control.get();
    impl->dispatch.AddPathPrefix(apigw::kControlPlanePrefix,
                                 [control](HttpRequest&& request, Responder respond) {
                                   control->Handle(std::move(request), std::move(respond));
                                 });
    apigw::FrontDoor* front = impl->apigw_front_door.get();
    impl->dispatch.AddPathPrefix(apigw::kInvokePrefix,
                                 [front](HttpRequest&& request, Responder respond) {
                                   front->Handle(std::move(request), std::move(respond));
                                 });
  }
  // IAM and STS (the Query protocol: a form POST to "/"): roles stored, not enforced.
  impl->dispatch.AddMatcher(iam::IsIamOrStsRequest,
                            iam::MakeIamHandler(impl->store.get(), impl->clock.clock.get(), scope));

  // Executions that were running when the server last stopped carry on (before any request
  // can touch them).
  if (Status s = impl->executions->ResumeRunning(); !s.ok()) return s.error();
  HttpServer::Options http;
  http.host = options.host;
  http.port = options.port;
  http.threads = options.threads;
  http.body_limit_for = api::lambda::UploadBodyLimit;
  http.largest_body = api::lambda::kUploadRequestLimit;
  {
    // EventBridge Scheduler's API and the runner that fires its schedules.
    impl->schedule_catalog = std::make_unique<schedules::Catalog>(impl->store.get());
    impl->schedule_timers = std::make_unique<EngineTimers>(impl->executions->scheduler());
    impl->schedule_targets = std::make_unique<ServerTargets>(
        impl->function_registry.get(), impl->function_runtime.get(), &impl->router);
    schedules::Runner::Options ro;
    ro.shared_store = !options.store_uri.empty();
    ro.region = options.region;
    ro.account = options.account;
    impl->schedule_runner = std::make_unique<schedules::Runner>(
        impl->schedule_catalog.get(), impl->schedule_timers.get(), impl->schedule_targets.get(),
        std::move(ro));
    impl->scheduler_api = std::make_unique<schedules::SchedulerService>(
        impl->schedule_catalog.get(), impl->schedule_timers.get(), impl->schedule_runner.get(),
        scope);
    schedules::SchedulerService* api = impl->scheduler_api.get();
    auto handler = [api](HttpRequest&& request, Responder respond) {
      api->Handle(std::move(request), std::move(respond));
    };
    impl->dispatch.AddPathPrefix(schedules::kSchedulesPath, handler);
    impl->dispatch.AddPathPrefix(schedules::kTagsPath, handler);
  }
  const AwsJsonRouter* router = &impl->router;
  auto states_api = [router](HttpRequest&& request, Responder respond) {
    router->Handle(std::move(request), std::move(respond));
  };
  impl->dispatch.SetFallback(states_api);
  ExecutionService* executions = impl->executions.get();
  dynamodb::Service* dynamodb = impl->dynamodb.get();
  impl->dispatch.AddPathPrefix(
      "/health", HealthHandler({{"executions", [executions] { return executions->health(); }},
                                {"dynamodb", [dynamodb] { return dynamodb->health(); }}},
                               states_api));
  const Dispatch* dispatch = &impl->dispatch;
  STATOR_TRY(impl->http,
             HttpServer::Start(http, [dispatch](HttpRequest&& request, Responder respond) {
               dispatch->Handle(std::move(request), std::move(respond));
             }));
  {
    std::string endpoint =
        "http://" + std::string(options.host == "0.0.0.0" ? "127.0.0.1" : options.host);
    if (endpoint.find(':', 7) != std::string::npos) endpoint = "http://[" + options.host + "]";
    endpoint += ":" + std::to_string(impl->http->port());
    impl->function_runtime->SetEndpoint(endpoint);
    impl->lambda->SetEndpoint(endpoint);
    impl->knix->SetEndpoint(endpoint);
    impl->appsync->SetEndpoint(endpoint);
    impl->apigw_control->SetEndpoint(endpoint);
  }
  impl->knix->StartTriggers();  // KNIX timer triggers: once executions have resumed
  impl->schedule_runner->Start();
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

uint16_t ApiServer::port() const { return impl_->http->port(); }

std::string ApiServer::endpoint() const {
  const std::string& host = impl_->options.host;
  bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port());
}

void ApiServer::Stop() {
  if (!impl_) return;
  if (impl_->callbacks) impl_->callbacks->StopPolls();  // long polls answer before the HTTP stop
  if (impl_->http) impl_->http->Stop();
  if (impl_->appsync_http) impl_->appsync_http->Stop();
  // No request runs any more. KNIX deployments still installing finish before the runtime they
  // update goes; the executions stop and commit what they queued.
  if (impl_->knix) impl_->knix->StopTriggers();
  if (impl_->knix) impl_->knix->WaitForDeploys();
  if (impl_->schedule_runner) impl_->schedule_runner->Stop();
  if (impl_->map_runs) impl_->map_runs->Stop();
  impl_->executions.reset();
  impl_->function_runtime.reset();  // kills the function workers
  impl_->knix.reset();              // last: completions of the above may still reach it
}

int Serve(const ServeOptions& options) {
  // Block the shutdown signals in this thread before any server thread exists, so every
  // thread inherits the mask and sigwait below is the only place they arrive.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Each client connection, function instance and database connection is a descriptor: take
  // every one the hard limit allows (the soft limit is often 1024).
  if (struct rlimit fds; getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < fds.rlim_max) {
    fds.rlim_cur = fds.rlim_max;
    setrlimit(RLIMIT_NOFILE, &fds);
  }

  ServeOptions effective = options;
  if (const char* faults = std::getenv("STATOR_STORE_FAULTS"); faults && *faults) {
    effective.store_faults = faults;  // tests only (ServeOptions::store_faults)
  }
  auto server = ApiServer::Start(effective);
  if (!server.ok()) {
    std::cerr << "stator serve: " << server.error().cause << "\n";
    return 1;
  }
  std::cout << "stator listening on " << (*server)->endpoint() << std::endl;

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "stator serve: shutting down (" << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
            << ")\n";
  (*server)->Stop();
  return 0;
}

}  // namespace stator::server
