#include "server/execution_service.h"

#include <chrono>
#include <iostream>
#include <utility>

#include "api/map_runs.h"
#include "asl/compiler.h"
#include "common/hash.h"
#include "common/mutex.h"
#include "common/uuid.h"
#include "engine/event_type.h"
#include "engine/redrive.h"
#include "engine/test_state.h"
#include "integrations/unavailable_resource.h"

namespace stator::server {
namespace {

ApiError ExecutionAlreadyExists(const std::string& arn) {
  return ApiError{"ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'", {}};
}

// The key of a state machine's prepared form: what identifies its configuration.
std::string PrepareKey(const ExecutionService::StartRequest& r) {
  if (r.version) {
    return r.version->arn() + "\n" + std::to_string(r.machine.creation_date_ms);
  }
  return r.machine.arn + "\n" + std::to_string(r.machine.creation_date_ms) + "\n" +
         r.machine.revision_id + "\n" + std::to_string(r.machine.update_date_ms) +
         (r.knix ? "\nknix" : "");
}

// A Standard execution's random seed (retry jitter, States.UUID, States.MathRandom): derived
// from what identifies it, so that a resumed execution draws what it drew before (FNV-1a).
uint64_t StandardSeed(const std::string& arn, int64_t start_ms) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : arn) h = (h ^ c) * 0x100000001b3ULL;
  return h ^ static_cast<uint64_t>(start_ms);
}

// The step that closes an execution the engine is not running (left RUNNING by a restart):
// its final event after `last_id`, and its outcome. Empty error/cause are left out.
store::ExecutionStep ClosingStep(const std::string& arn, int64_t last_id, int64_t now,
                                 store::ExecutionStatus status, const char* type,
                                 const char* details_key, const std::string& error,
                                 const std::string& cause) {
  store::ExecutionStep step;
  step.execution_arn = arn;
  store::HistoryEvent& event = step.events.emplace_back();
  event.id = last_id + 1;
  event.previous_event_id = last_id;
  event.timestamp_ms = now;
  event.type = type;
  event.details_key = details_key;
  json::Object details;
  if (!error.empty()) details.emplace_back("error", json::Value::String(error));
  if (!cause.empty()) details.emplace_back("cause", json::Value::String(cause));
  event.details = json::Value::MakeObject(std::move(details));
  store::ExecutionOutcome& o = step.outcome.emplace();
  o.status = status;
  if (!error.empty()) o.error = error;
  if (!cause.empty()) o.cause = cause;
  o.stop_date_ms = now;
  return step;
}

}  // namespace

ExecutionService::ExecutionService(store::Store* store, Clock* clock, ArnScope scope,
                                   Options options)
    : store_(store),
      clock_(clock),
      scope_(std::move(scope)),
      options_(std::move(options)),
      scheduler_(clock),
      default_router_(NewRouter()),
      queue_(
          store, [this](const Status& failure) { OnStoreFailure(failure); },
          [this](const store::CommitReport& report) { OnReport(report); },
          store::CommitQueue::Leases{options_.node_id, options_.lease_ms}) {
  const int threads = options_.threads < 1 ? 1 : options_.threads;
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      scheduler_.RunUntil([this] { return stopping_.load(std::memory_order_acquire); });
    });
  }
  if (options_.tick_millis > 0) {
    ticker_ = std::thread([this] {
      while (!stopping_.load(std::memory_order_acquire)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(options_.tick_millis));
        scheduler_.Wake();
      }
    });
  }
}

ExecutionService::~ExecutionService() {
  {
    MutexLock lock(&lease_mu_);
    lease_stop_ = true;
  }
  lease_cv_.SignalAll();
  if (lease_thread_.joinable()) lease_thread_.join();
  stopping_.store(true, std::memory_order_release);
  scheduler_.Wake();
  for (std::thread& t : threads_) t.join();
  if (ticker_.joinable()) ticker_.join();
  queue_.Flush();
  // Nothing steps executions any more; cut them loose from the scheduler before it goes.
  std::unordered_map<std::string, Live> live;
  {
    MutexLock lock(&live_mu_);
    live.swap(live_);
  }
  for (auto& [arn, l] : live) {
    if (l.execution) l.execution->Detach();
  }
  std::unordered_map<engine::Execution*, std::shared_ptr<engine::Execution>> express;
  {
    MutexLock lock(&express_mu_);
    express.swap(express_);
  }
  for (auto& [raw, e] : express) e->Detach();
  if (cluster() && queue_.error().ok()) {
    // A clean shutdown hands this node's executions over at once: they are at their last
    // committed step (everything queued is committed above), and whoever takes a lease next
    // raises its epoch, so nothing this node might still hold can write after that.
    if (Status s = store_->ReleaseLeases(options_.node_id); !s.ok()) {
      std::cerr << "stator: cluster: could not release this node's leases (" << s.error().cause
                << "); other nodes take its executions when the leases expire\n";
    }
  }
}

ApiResult<std::shared_ptr<const ExecutionService::Prepared>> ExecutionService::Prepare(
    const StartRequest& r) {
  const std::string key = PrepareKey(r);
  {
    MutexLock lock(&cache_mu_);
    auto it = prepared_.find(key);
    if (it != prepared_.end()) return it->second;
  }
  auto p = std::make_shared<Prepared>();
  store::ExecutionMachine& s = p->snapshot;
  if (r.version) {
    s.config = r.version->config;
    s.revision_id = r.version->revision_id;
    s.update_date_ms = r.version->creation_date_ms;
  } else {
    s.config = r.machine.config;
    s.revision_id = r.machine.revision_id;
    s.update_date_ms =
        r.machine.update_date_ms != 0 ? r.machine.update_date_ms : r.machine.creation_date_ms;
  }
  asl::CompileResult compiled = asl::Compile(s.config.definition, {.knix = r.knix});
  if (!compiled.ok()) {
    // Stored definitions compiled when they were created; this build disagrees.
    return ApiError{"InvalidDefinition", asl::InvalidDefinitionMessage(compiled.diagnostics), {}};
  }
  p->machine = compiled.machine;
  std::string content;
  for (const std::string* part :
       {&s.config.definition, &s.config.role_arn, &s.config.logging_configuration,
        &s.config.tracing_configuration, &s.config.encryption_configuration, &s.revision_id}) {
    content += std::to_string(part->size());
    content += ':';
    content += *part;
  }
  content += std::to_string(s.update_date_ms);
  s.id = hash::HexDigest(hash::Algorithm::kSha256, content);
  MutexLock lock(&cache_mu_);
  if (prepared_.size() >= 1024) prepared_.clear();  // a bound, not an LRU: misses only recompile
  return prepared_.emplace(key, std::move(p)).first->second;
}

ApiResult<std::shared_ptr<integrations::TaskRouter>> ExecutionService::RouterFor(
    const StartRequest& r) {
  if (r.test_case.empty()) return default_router_;
  if (!options_.mock) {
    return ApiError::StateMachineDoesNotExist(r.machine.arn + "#" + r.test_case);
  }
  auto test_case = options_.mock->FindTestCase(r.machine.name, r.test_case);
  if (!test_case.ok()) return ApiError::Validation(test_case.error().cause);
  auto router = NewRouter();
  router->SetMock(std::make_unique<integrations::MockTaskRunner>(std::move(test_case).value()));
  return router;
}

std::shared_ptr<integrations::TaskRouter> ExecutionService::NewRouter() const {
  auto router = std::make_shared<integrations::TaskRouter>(
      std::make_unique<integrations::UnavailableResourceRunner>(scope_.account, scope_.region));
  if (options_.configure_router) options_.configure_router(router.get());
  return router;
}

engine::ExecutionOptions ExecutionService::EngineOptions(const StartRequest& r,
                                                         const std::string& name,
                                                         int64_t start_ms) const {
  engine::ExecutionOptions o;
  o.account = scope_.account;
  o.region = scope_.region;
  o.state_machine_name = r.machine.name;
  o.execution_name = name;
  o.role_arn = r.version ? r.version->config.role_arn : r.machine.config.role_arn;
  o.input = r.input;
  o.input_text = r.input_text;
  o.start_millis = start_ms;
  o.on_result = r.on_result;
  o.on_walkers_stopped = r.on_walkers_stopped;
  o.on_ended = r.on_ended;
  o.map_runner = map_runner_;
  o.make_task_token = options_.make_task_token;
  o.activity_exists = options_.activity_exists;
  return o;
}

void ExecutionService::StartStandard(StartRequest r, std::function<void(ApiResult<Started>)> done) {
  if (Status failed = health(); !failed.ok()) return done(StoreFailure(failed.error()));
  auto prepared = Prepare(r);
  if (!prepared.ok()) return done(std::move(prepared).error());
  auto router = RouterFor(r);
  if (!router.ok()) return done(std::move(router).error());
  const std::string name = r.name.empty() ? NewUuid() : r.name;
  const std::string arn = scope_.Execution(r.machine.name, name);

  std::optional<Started> same;  // an idempotent repeat of this execution
  int64_t start_date_ms = 0;
  {
    MutexLock lock(&live_mu_);
    auto it = live_.find(arn);
    if (it != live_.end()) {
      if (it->second.input_text != r.input_text) return done(ExecutionAlreadyExists(arn));
      same = Started{arn, it->second.start_date_ms};
    } else {
      // Not running here: the store knows whether the name was used before.
      auto existing = store_->GetExecution(arn);
      if (!existing.ok()) return done(StoreFailure(existing.error()));
      if (existing->has_value()) {
        const store::Execution& e = **existing;
        if (e.status != store::ExecutionStatus::kRunning || e.input != r.input_text) {
          return done(ExecutionAlreadyExists(arn));
        }
        same = Started{arn, e.start_date_ms};
      } else {
        start_date_ms = clock_->NowMillis();
        Live live;
        live.input_text = r.input_text;
        live.start_date_ms = start_date_ms;
        live_.emplace(arn, std::move(live));
      }
    }
  }
  if (same) {
    // Answer only once the original start is durable (it may still be queued).
    queue_.AfterCommit([done, started = *same](const Status& s) {
      if (!s.ok()) return done(StoreFailure(s.error()));
      done(started);
    });
    return;
  }

  const Started started{arn, start_date_ms};
  // A node leases what it starts: the creation carries the lease, at epoch 1.
  auto execution = NewStandard((*prepared)->machine, EngineOptions(r, name, started.start_date_ms),
                               std::move(router).value(), cluster() ? 1 : 0);

  store::NewExecution record;
  record.execution.arn = arn;
  record.execution.state_machine_arn = r.machine.arn;
  record.execution.name = name;
  if (r.version) record.execution.version_arn = r.version->arn();
  record.execution.alias_arn = r.alias_arn;
  record.execution.status = store::ExecutionStatus::kRunning;
  record.execution.input = r.input_text;
  record.execution.start_date_ms = started.start_date_ms;
  record.machine = (*prepared)->snapshot;
  queue_.Submit(std::move(record),
                [this, execution, started, done, input_text = r.input_text](const Status& s) {
                  bool existed = false;
                  if (!s.ok() || cluster()) {
                    MutexLock lock(&live_mu_);
                    existed = existed_.erase(started.execution_arn) > 0;
                    if (!s.ok() || existed) live_.erase(started.execution_arn);
                  }
                  if (!s.ok()) return done(StoreFailure(s.error()));
                  if (existed) {
                    // Another node created this name first: answer as a start of that execution
                    // would be.
                    auto e = store_->GetExecution(started.execution_arn);
                    if (!e.ok()) return done(StoreFailure(e.error()));
                    if (e->has_value() && (*e)->status == store::ExecutionStatus::kRunning &&
                        (*e)->input == input_text) {
                      return done(Started{started.execution_arn, (*e)->start_date_ms});
                    }
                    return done(ExecutionAlreadyExists(started.execution_arn));
                  }
                  {
                    // The answer waits for the first events' commit (OnEvents).
                    MutexLock lock(&live_mu_);
                    auto it = live_.find(started.execution_arn);
                    if (it != live_.end()) {
                      it->second.started_waiter = [done, started](const Status& s) {
                        if (!s.ok()) return done(StoreFailure(s.error()));
                        done(started);
                      };
                    }
                  }
                  // Started first, then visible to Stop: a stop can never overtake the start. (The
                  // execution stays in the live table at least until its outcome commits, which is
                  // after this.)
                  execution->Start();
                  {
                    MutexLock lock(&live_mu_);
                    // Still there: only a store failure (which fails this start) or the end of the
                    // execution (whose commit is answered on this thread, after this) take it out.
                    auto it = live_.find(started.execution_arn);
                    if (it != live_.end()) {
                      it->second.execution = execution;
                      it->second.epoch = cluster() ? 1 : 0;
                      it->second.since = lease_round_;
                    }
                  }
                });
}

std::shared_ptr<engine::Execution> ExecutionService::NewStandard(
    std::shared_ptr<const asl::StateMachine> machine, engine::ExecutionOptions o,
    std::shared_ptr<integrations::TaskRouter> runner, int64_t epoch) {
  const std::string arn = scope_.Execution(o.state_machine_name, o.execution_name);
  o.random_seed = StandardSeed(arn, *o.start_millis);
  o.make_task_token = options_.make_task_token;
  o.activity_exists = options_.activity_exists;
  if (options_.on_execution_ended) {
    o.on_ended = [previous = std::move(o.on_ended),
                  ended = options_.on_execution_ended](const std::string& execution_arn) {
      if (previous) previous(execution_arn);
      ended(execution_arn);
    };
  }
  o.history_sink = [this, arn, epoch](std::vector<engine::HistoryEvent> events) {
    OnEvents(arn, epoch, std::move(events));
  };
  o.when_durable = [this, arn, epoch](std::function<void()> dispatch) {
    // A failed commit dispatches nothing: the task must not run on a step the store lost. Nor
    // does a fenced one (the execution moved to another node; OnReport, which runs before
    // this, took it out of the live table).
    queue_.AfterCommit([this, arn, epoch, dispatch = std::move(dispatch)](const Status& s) {
      if (!s.ok()) return;
      if (epoch > 0) {
        MutexLock lock(&live_mu_);
        auto it = live_.find(arn);
        if (it == live_.end() || it->second.epoch != epoch) return;
      }
      dispatch();
    });
  };
  auto execution =
      engine::Execution::Create(std::move(machine), std::move(o), runner.get(), &scheduler_);
  engine::Execution* raw = execution.get();
  // The callback lives in the execution, so the router it captures lives as long as it.
  execution->SetOnFinished(
      [this, arn, raw, runner, epoch] { OnStandardFinished(arn, epoch, raw); });
  return execution;
}

void ExecutionService::Redrive(const std::string& arn,
                               std::function<void(ApiResult<Redriven>)> done) {
  auto not_redrivable = [](const std::string& why) {
    return ApiError{"ExecutionNotRedrivable", why, {}};
  };
  if (Status failed = health(); !failed.ok()) return done(StoreFailure(failed.error()));
  {
    MutexLock lock(&live_mu_);
    if (live_.count(arn) != 0) {
      return done(not_redrivable("Execution is RUNNING and cannot be redriven"));
    }
  }
  // Reopened first (RUNNING again, leased to this node in a cluster): of two redrives at once,
  // only one gets it.
  auto reopened = store_->ReopenExecution(arn, options_.node_id, options_.lease_ms);
  if (!reopened.ok()) return done(StoreFailure(reopened.error()));
  auto e = store_->GetExecution(arn);
  if (!e.ok()) return done(StoreFailure(e.error()));
  if (!e->has_value()) {
    return done(ApiError{"ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'", {}});
  }
  if (!*reopened) {
    return done(not_redrivable(std::string("Execution is ") +
                               store::ExecutionStatusName((*e)->status) +
                               " and cannot be redriven"));
  }
  const int64_t redrive_date_ms = clock_->NowMillis();
  CompiledMachines compiled;
  int64_t count = 0;
  auto execution = Resume(**e, &compiled, cluster() ? 1 : 0, &count);
  if (!execution.ok()) return done(StoreFailure(execution.error()));
  const Redriven redriven{count, redrive_date_ms};
  if (!*execution) return done(redriven);  // could not run: Resume closed it as FAILED
  {
    MutexLock lock(&live_mu_);
    auto it = live_.find(arn);
    if (it != live_.end()) {
      it->second.started_waiter = [done, redriven](const Status& s) {
        if (!s.ok()) return done(StoreFailure(s.error()));
        done(redriven);
      };
    }
  }
  (*execution)->Start();
}

Status ExecutionService::ResumeRunning() {
  if (cluster()) {
    STATOR_RETURN_IF_ERROR(ClaimAndResume(/*own=*/true));
    StartLeaseThread();
    return Status::Ok();
  }
  STATOR_TRY(std::vector<store::Execution> running, store_->ListRunningExecutions());
  // Every resumed execution is in the live table before any of them runs: one that starts
  // another (states:startExecution.sync) then finds it running, not ended.
  std::vector<std::shared_ptr<engine::Execution>> resumed;
  CompiledMachines compiled;  // many executions run the same machine: compile it once
  for (const store::Execution& e : running) {
    STATOR_TRY(std::shared_ptr<engine::Execution> execution, Resume(e, &compiled, 0));
    if (execution) resumed.push_back(std::move(execution));
  }
  for (auto& execution : resumed) execution->Start();
  return Status::Ok();
}

Result<std::shared_ptr<engine::Execution>> ExecutionService::Resume(const store::Execution& e,
                                                                    CompiledMachines* compiled,
                                                                    int64_t epoch,
                                                                    int64_t* redrive_count) {
  STATOR_TRY(std::optional<store::ExecutionMachine> snapshot, store_->GetExecutionMachine(e.arn));
  auto history = std::make_shared<std::vector<engine::HistoryEvent>>();
  for (std::string after;;) {
    STATOR_TRY(store::Page<store::HistoryEvent> page,
               store_->ReadHistory(e.arn, after, 1000, /*reverse=*/false));
    for (store::HistoryEvent& h : page.items) {
      engine::HistoryEvent& ev = history->emplace_back();
      ev.id = h.id;
      ev.previous_event_id = h.previous_event_id;
      ev.timestamp_millis = h.timestamp_ms;
      ev.type = engine::InternEventName(h.type);
      ev.details_key = engine::InternEventName(h.details_key);
      ev.details = std::move(h.details);
    }
    if (page.next.empty()) break;
    after = std::move(page.next);
  }
  auto fail = [&](const std::string& cause) {
    const int64_t last = history->empty() ? 0 : history->back().id;
    store::ExecutionStep step =
        ClosingStep(e.arn, last, clock_->NowMillis(), store::ExecutionStatus::kFailed,
                    "ExecutionFailed", "executionFailedEventDetails", "States.Runtime", cause);
    step.lease_epoch = epoch;
    queue_.Submit(std::move(step));
    return std::shared_ptr<engine::Execution>();
  };
  if (!snapshot) return fail("The execution could not be resumed: its state machine is missing.");
  std::shared_ptr<const asl::StateMachine>& machine = (*compiled)[snapshot->id];
  if (!machine) machine = asl::Compile(snapshot->config.definition).machine;  // null if invalid
  if (!machine) {
    if (asl::Compile(snapshot->config.definition, {.knix = true}).ok()) {
      return fail(
          "The execution could not be resumed: it runs a KNIX workflow that uses KNIX's own "
          "extensions (dynamic next, fan-out, k-of-n joins, session functions), whose executions "
          "do not survive a restart.");
    }
    return fail("The execution could not be resumed: its definition no longer compiles.");
  }
  auto input = json::Parse(e.input);
  if (!input.ok()) return fail("The execution could not be resumed: its input is not JSON.");
  // A distributed Map's child is stored under its Map Run's ARN (server/map_run_service.h).
  std::optional<std::string> machine_name = api::MapRunMachineName(e.state_machine_arn);
  if (!machine_name) {
    auto machine_arn = ParseStateMachineArn(e.state_machine_arn);
    if (!machine_arn.ok()) {
      return fail("The execution could not be resumed: bad state machine ARN.");
    }
    machine_name = machine_arn->name;
  }

  engine::ExecutionOptions o;
  o.account = scope_.account;
  o.region = scope_.region;
  o.state_machine_name = *machine_name;
  o.map_runner = map_runner_;
  o.execution_name = e.name;
  o.role_arn = snapshot->config.role_arn;
  o.input = std::move(input).value();
  o.input_text = e.input;
  o.start_millis = e.start_date_ms;
  // Redriven before (its history holds ExecutionRedriven events), or being redriven now.
  o.redrives = engine::RedriveCuts(*history, redrive_count != nullptr);
  if (redrive_count != nullptr) *redrive_count = static_cast<int64_t>(o.redrives.size());
  if (!history->empty()) o.replay = std::move(history);
  // (A mocked execution's test case is not stored: it resumes with the services stator runs.)
  auto execution = NewStandard(machine, std::move(o), default_router_, epoch);
  Live live;
  live.input_text = e.input;
  live.start_date_ms = e.start_date_ms;
  live.execution = execution;
  live.epoch = epoch;
  {
    MutexLock lock(&live_mu_);
    live.since = lease_round_;
    live_.emplace(e.arn, std::move(live));
  }
  return execution;
}

void ExecutionService::OnEvents(const std::string& arn, int64_t epoch,
                                std::vector<engine::HistoryEvent> events) {
  store::ExecutionStep step;
  step.execution_arn = arn;
  step.lease_epoch = epoch;
  step.events.reserve(events.size());
  for (const engine::HistoryEvent& e : events) {
    store::HistoryEvent& h = step.events.emplace_back();
    h.id = e.id;
    h.previous_event_id = e.previous_event_id;
    h.timestamp_ms = e.timestamp_millis;
    h.type = e.type;
    h.details_key = e.details_key;
    h.details = e.RenderedDetails();  // payload fields become JSON text here
  }
  // The first events of a start, or of a redrive, answer it once committed.
  if (!events.empty() && (events.front().id == 1 ||
                          events.front().type == engine::event_types::kExecutionRedriven.type)) {
    queue_.Submit(std::move(step), [this, arn](const Status& s) { AnswerStart(arn, s); });
    return;
  }
  queue_.Submit(std::move(step));
}

void ExecutionService::AnswerStart(const std::string& arn, const Status& s) {
  std::function<void(const Status&)> waiter;
  {
    MutexLock lock(&live_mu_);
    auto it = live_.find(arn);
    if (it == live_.end() || !it->second.started_waiter) return;
    waiter = std::move(it->second.started_waiter);
    it->second.started_waiter = nullptr;
  }
  waiter(s);
}

void ExecutionService::OnStandardFinished(const std::string& arn, int64_t epoch,
                                          engine::Execution* execution) {
  engine::ExecutionResult r = execution->TakeResult();
  store::ExecutionStep step;
  step.execution_arn = arn;
  step.lease_epoch = epoch;
  store::ExecutionOutcome& o = step.outcome.emplace();
  o.status = r.status;
  if (r.output) o.output = r.output->Dump();
  o.error = std::move(r.error);
  o.cause = std::move(r.cause);
  o.stop_date_ms = r.stop_millis;
  const int64_t stop_ms = r.stop_millis;
  queue_.Submit(std::move(step), [this, arn, epoch, stop_ms](const Status& s) {
    Live live;
    {
      MutexLock lock(&live_mu_);
      auto it = live_.find(arn);
      // Halted (a store failure, or the lease moved): its waiters are answered elsewhere.
      if (it == live_.end() || it->second.epoch != epoch) return;
      live = std::move(it->second);
      live_.erase(it);
    }
    if (live.started_waiter) live.started_waiter(s);  // (answered by OnEvents' commit before)
    for (auto& waiter : live.stop_waiters) {
      if (s.ok()) {
        waiter(stop_ms);
      } else {
        waiter(StoreFailure(s.error()));  // the end is not durable: nobody is told it happened
      }
    }
  });
}

void ExecutionService::OnStoreFailure(const Status& failure) {
  std::unordered_map<std::string, Live> live;
  {
    MutexLock lock(&live_mu_);
    live.swap(live_);
  }
  int halted = 0;
  for (auto& [arn, l] : live) {
    if (l.execution) {
      l.execution->Detach();
      ++halted;
    }
  }
  std::cerr << "stator: executions: the store failed (" << failure.error().cause
            << "); the server is unhealthy: " << halted
            << " running Standard executions are halted at their last committed step (they "
               "resume from it when the server restarts with a working store), and no Standard "
               "execution is started, stopped or acknowledged until then\n";
  // (Executions whose start is still queued have no engine object yet: their start fails.)
  for (auto& [arn, l] : live) {
    for (auto& waiter : l.stop_waiters) waiter(StoreFailure(failure.error()));
  }
}

ApiResult<ExecutionService::Started> ExecutionService::StartExpress(StartRequest r) {
  auto prepared = Prepare(r);
  if (!prepared.ok()) return std::move(prepared).error();
  auto router = RouterFor(r);
  if (!router.ok()) return std::move(router).error();
  const std::string name = r.name.empty() ? NewUuid() : r.name;
  const Started started{scope_.ExpressExecution(r.machine.name, name, NewUuid()),
                        clock_->NowMillis()};
  engine::ExecutionOptions o = EngineOptions(r, name, started.start_date_ms);
  o.keep_history = false;
  std::shared_ptr<integrations::TaskRouter> runner = std::move(router).value();
  auto execution =
      engine::Execution::Create((*prepared)->machine, std::move(o), runner.get(), &scheduler_);
  engine::Execution* raw = execution.get();
  execution->SetOnFinished([this, raw, runner] {
    MutexLock lock(&express_mu_);
    express_.erase(raw);
  });
  {
    MutexLock lock(&express_mu_);
    express_.emplace(raw, execution);
  }
  execution->Start();
  return started;
}

void ExecutionService::TestState(const json::Value& request,
                                 std::function<void(ApiResult<json::Value>)> done) {
  engine::TestStateRequest r = engine::TestStateRequestFromJson(request);
  r.partition = scope_.partition;
  r.region = scope_.region;
  r.account = scope_.account;
  r.now_ms = clock_->NowMillis();
  engine::RunTestState(r, default_router_.get(), std::move(done));
}

void ExecutionService::StartSync(StartRequest r, std::function<void(ApiResult<SyncOutcome>)> done) {
  auto prepared = Prepare(r);
  if (!prepared.ok()) return done(std::move(prepared).error());
  auto router = RouterFor(r);
  if (!router.ok()) return done(std::move(router).error());
  const std::string name = r.name.empty() ? NewUuid() : r.name;
  const std::string arn = scope_.ExpressExecution(r.machine.name, name, NewUuid());
  const int64_t start_ms = clock_->NowMillis();
  engine::ExecutionOptions o = EngineOptions(r, name, start_ms);
  o.keep_history = false;
  std::shared_ptr<integrations::TaskRouter> runner = std::move(router).value();
  auto execution =
      engine::Execution::Create((*prepared)->machine, std::move(o), runner.get(), &scheduler_);
  engine::Execution* raw = execution.get();
  execution->SetOnFinished([this, raw, runner, arn, name, start_ms, done] {
    engine::ExecutionResult result = raw->TakeResult();
    SyncOutcome out;
    out.execution_arn = arn;
    out.name = name;
    out.start_date_ms = start_ms;
    out.stop_date_ms = result.stop_millis;
    out.status = result.status;
    out.output = std::move(result.output);
    out.error = std::move(result.error);
    out.cause = std::move(result.cause);
    done(std::move(out));
    MutexLock lock(&express_mu_);
    express_.erase(raw);
  });
  {
    MutexLock lock(&express_mu_);
    express_.emplace(raw, execution);
  }
  // The HTTP thread runs the execution until it ends or waits: a short workflow answers
  // without a hand-off to a scheduler thread.
  execution->Start(/*run_here=*/true);
}

void ExecutionService::WhenEnded(const std::string& arn, std::function<void()> fn) {
  {
    MutexLock lock(&live_mu_);
    auto it = live_.find(arn);
    if (it != live_.end()) {
      it->second.stop_waiters.push_back([fn = std::move(fn)](const ApiResult<int64_t>&) { fn(); });
      return;
    }
  }
  if (cluster()) {
    // Perhaps running on another node: the lease rounds poll the store until it ends.
    auto e = store_->GetExecution(arn);
    if (e.ok() && e->has_value() && (*e)->status == store::ExecutionStatus::kRunning) {
      MutexLock lock(&live_mu_);
      remote_waiters_[arn].push_back(std::move(fn));
      return;
    }
  }
  fn();
}

void ExecutionService::Stop(const std::string& execution_arn, const std::string& error,
                            const std::string& cause,
                            std::function<void(ApiResult<int64_t>)> done) {
  std::shared_ptr<engine::Execution> running;
  {
    MutexLock lock(&live_mu_);
    auto it = live_.find(execution_arn);
    // (An execution whose start is not committed yet has no engine object here: it does not
    // exist for Stop yet.)
    if (it != live_.end() && it->second.execution) {
      it->second.stop_waiters.push_back([done](ApiResult<int64_t> r) { done(std::move(r)); });
      running = it->second.execution;
    }
  }
  if (running) {
    // Aborts at once (a Wait or a Map in flight ends); the waiter answers once committed.
    running->Stop(error, cause);
    return;
  }
  auto existing = store_->GetExecution(execution_arn);
  if (!existing.ok()) return done(StoreFailure(existing.error()));
  if (!existing->has_value()) {
    return done(
        ApiError{"ExecutionDoesNotExist", "Execution Does Not Exist: '" + execution_arn + "'", {}});
  }
  const store::Execution& e = **existing;
  if (e.status != store::ExecutionStatus::kRunning) return done(e.stop_date_ms);
  int64_t epoch = 0;
  if (cluster()) {
    // Run by another node (or by none, after a crash): take its lease, which fences the owner,
    // and close it here.
    auto lease = store_->StealLease(execution_arn, options_.node_id, options_.lease_ms);
    if (!lease.ok()) return done(StoreFailure(lease.error()));
    if (!lease->has_value()) {
      // It ended meanwhile (or was never leased: a single server's leftover).
      existing = store_->GetExecution(execution_arn);
      if (!existing.ok()) return done(StoreFailure(existing.error()));
      if (existing->has_value() && (*existing)->status != store::ExecutionStatus::kRunning) {
        return done((*existing)->stop_date_ms);
      }
    } else {
      epoch = (*lease)->epoch;
    }
  }
  StopOrphan(e, error, cause, epoch, std::move(done));
}

void ExecutionService::StopOrphan(const store::Execution& e, const std::string& error,
                                  const std::string& cause, int64_t epoch,
                                  std::function<void(ApiResult<int64_t>)> done) {
  auto last = store_->ReadHistory(e.arn, "", 1, /*reverse=*/true);
  if (!last.ok()) return done(StoreFailure(last.error()));
  const int64_t last_id = last->items.empty() ? 0 : last->items.front().id;
  const int64_t now = clock_->NowMillis();
  store::ExecutionStep step =
      ClosingStep(e.arn, last_id, now, store::ExecutionStatus::kAborted, "ExecutionAborted",
                  "executionAbortedEventDetails", error, cause);
  step.lease_epoch = epoch;
  queue_.Submit(std::move(step), [this, arn = e.arn, epoch, done, now](const Status& s) {
    if (!s.ok()) return done(StoreFailure(s.error()));
    if (epoch > 0) {
      // Fenced when yet another node took the lease meanwhile: the store says how it ended.
      auto ended = store_->GetExecution(arn);
      if (!ended.ok()) return done(StoreFailure(ended.error()));
      if (ended->has_value() && (*ended)->status != store::ExecutionStatus::kRunning) {
        return done((*ended)->stop_date_ms);
      }
      return done(ApiError{"InternalFailure",
                           "the execution moved to another node while it was being stopped; "
                           "try again",
                           {}});
    }
    done(now);
  });
}

}  // namespace stator::server
