#include "server/map_run_service.h"

#include <algorithm>
#include <utility>

#include "common/uuid.h"
#include "engine/map_policy.h"
#include "server/map_run_record.h"

namespace stator::server {

namespace {

int64_t ItemsOf(const engine::MapRunRequest& r, size_t i) {
  return i < r.items_per_input.size() ? r.items_per_input[i] : 1;
}

// What a child that did not succeed leaves in the results: its error and cause.
json::Value ErrorResult(const std::string& error, const std::string& cause) {
  json::Object o;
  o.emplace_back("Error", json::Value::String(error));
  if (!cause.empty()) o.emplace_back("Cause", json::Value::String(cause));
  return json::Value::MakeObject(std::move(o));
}

}  // namespace

MapRunService::MapRunService(store::Store* store, Clock* clock, ArnScope scope,
                             api::Executions* executions, std::string results_dir,
                             engine::Scheduler* scheduler)
    : store_(store),
      clock_(clock),
      scope_(std::move(scope)),
      executions_(executions),
      results_dir_(std::move(results_dir)),
      scheduler_(scheduler) {
  worker_ = std::thread([this] { WorkerLoop(); });
}

MapRunService::~MapRunService() { Stop(); }

void MapRunService::Stop() {
  {
    MutexLock lock(&queue_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  queue_cv_.SignalAll();
  if (worker_.joinable()) worker_.join();
}

void MapRunService::Post(std::function<void()> fn) {
  {
    MutexLock lock(&queue_mu_);
    if (stopping_) return;
    queue_.push_back(std::move(fn));
  }
  queue_cv_.Signal();
}

void MapRunService::WorkerLoop() {
  for (;;) {
    std::function<void()> fn;
    {
      MutexLock lock(&queue_mu_);
      while (queue_.empty() && !stopping_) queue_cv_.Wait(&queue_mu_);
      if (stopping_) return;
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    fn();
  }
}

void MapRunService::ExternalStarted() {
  if (scheduler_ != nullptr) scheduler_->ExternalStarted();
}

void MapRunService::ExternalFinished() {
  if (scheduler_ != nullptr) scheduler_->ExternalFinished();
}

void MapRunService::Start(engine::MapRunRequest request, engine::MapRunCompletion done) {
  auto run = std::make_shared<Run>();
  run->request = std::move(request);
  run->done = std::move(done);
  const engine::MapRunRequest& r = run->request;
  run->definition_text = r.definition.Dump();
  run->children.resize(r.inputs.size());
  api::MapRunInfo& info = run->info;
  info.map_run_arn = r.map_run_arn;
  info.execution_arn = r.execution_arn;
  info.state_machine_arn = api::MapRunStateMachineArn(r.map_run_arn).value_or("");
  info.status = "RUNNING";
  info.max_concurrency = r.max_concurrency;
  info.start_date_ms = clock_->NowMillis();
  run->tolerated_count = r.tolerated_failure_count;
  run->tolerated_percent = r.tolerated_failure_percentage;
  for (size_t i = 0; i < r.inputs.size(); ++i) run->total_items += ItemsOf(r, i);
  info.items.total = info.items.pending = run->total_items;
  info.executions.total = info.executions.pending = static_cast<int64_t>(r.inputs.size());
  {
    // Visible at once (DescribeMapRun, ListMapRuns): the parent's MapRunStarted is committed.
    MutexLock lock(&mu_);
    runs_[r.map_run_arn] = run;
  }
  ExternalStarted();  // until Begin has started the first children
  Post([this, run] {
    Begin(run);
    ExternalFinished();
  });
}

void MapRunService::Begin(std::shared_ptr<Run> run) {
  const engine::MapRunRequest& r = run->request;
  auto record = store_->GetRecord(kMapRunKind, r.map_run_arn);
  if (!record.ok()) {
    return run->done(Error{
        "States.Runtime", "The Map Run could not be read from the store: " + record.error().cause});
  }
  std::optional<MapRunRecord> previous;
  if (record->has_value()) previous = ParseMapRunRecord(**record);
  if (previous && previous->info.status != "RUNNING") {
    // It ended while its parent was not told (a restart in between): the same outcome again.
    {
      MutexLock lock(&mu_);
      auto it = runs_.find(r.map_run_arn);
      if (it != runs_.end() && it->second == run) runs_.erase(it);
    }
    if (previous->info.status == "SUCCEEDED") {
      if (std::optional<json::Value> results = Recorded(r.map_run_arn)) {
        return run->done(std::move(*results));
      }
    }
    return run->done(Error{previous->error, previous->cause});
  }
  int64_t start_date_ms = 0;
  {
    MutexLock lock(&mu_);
    if (previous) {
      // Picked up after a restart: its start and the limits UpdateMapRun set stand.
      run->info.start_date_ms = previous->info.start_date_ms;
      run->info.max_concurrency = previous->info.max_concurrency;
      run->tolerated_count = previous->tolerated_count;
      run->tolerated_percent = previous->tolerated_percent;
    }
    start_date_ms = run->info.start_date_ms;
  }
  if (!previous) {
    // Listed under its execution (ListMapRuns), in the order the runs started.
    Status s = store_->WriteRecords({store::RecordWrite::Put(
        kMapRunByExecutionKind, MapRunByExecutionKey(r.execution_arn, start_date_ms, r.map_run_arn),
        r.map_run_arn)});
    (void)s;  // Persist below reports a failing store the same way
  }
  Persist(run);
  if (r.inputs.empty()) return Finish(run, json::Value::EmptyArray(), false);
  Launch(run);
}

void MapRunService::Launch(const std::shared_ptr<Run>& run) {
  std::vector<size_t> start;
  {
    MutexLock lock(&mu_);
    int64_t limit = run->info.max_concurrency;
    if (limit <= 0 || limit > kMaxChildren) limit = kMaxChildren;
    while (!run->ended && run->next < run->children.size() &&
           static_cast<int64_t>(run->running) < limit) {
      const size_t i = run->next++;
      ++run->running;
      const int64_t items = ItemsOf(run->request, i);
      run->info.items.pending -= items;
      run->info.items.running += items;
      --run->info.executions.pending;
      ++run->info.executions.running;
      run->children[i].started = true;
      start.push_back(i);
      ExternalStarted();  // until the child runs on the scheduler (StartChild)
    }
  }
  for (size_t i : start) StartChild(run, i);
}

void MapRunService::StartChild(const std::shared_ptr<Run>& run, size_t index) {
  const engine::MapRunRequest& r = run->request;
  api::Executions::StartRequest s;
  // Stored under the Map Run's ARN: ListExecutions(mapRunArn) lists a run's children.
  s.machine.arn = r.map_run_arn;
  s.machine.name = api::MapRunMachineName(r.map_run_arn).value_or(r.state_machine_name);
  s.machine.type =
      r.express ? store::StateMachineType::kExpress : store::StateMachineType::kStandard;
  s.machine.config.definition = run->definition_text;
  s.machine.config.role_arn = r.role_arn;
  s.machine.config.logging_configuration = R"({"level":"OFF","includeExecutionData":false})";
  s.machine.config.tracing_configuration = R"({"enabled":false})";
  s.machine.creation_date_ms = run->info.start_date_ms;
  s.input = r.inputs[index];
  s.input_text = s.input.Dump();
  // The child's end (on its engine thread) holds virtual time until ChildEnded has moved on.
  s.on_ended = [this, run, index](const std::string&) {
    ExternalStarted();
    MutexLock lock(&mu_);
    run->children[index].external = true;
  };
  if (r.express) {
    executions_->StartSync(std::move(s),
                           [this, run, index](ApiResult<api::Executions::SyncOutcome> outcome) {
                             Child c;
                             if (outcome.ok()) {
                               c.arn = outcome->execution_arn;
                               c.name = outcome->name;
                               c.start_ms = outcome->start_date_ms;
                               c.stop_ms = outcome->stop_date_ms;
                               c.status = outcome->status;
                               if (outcome->output) c.output = outcome->output->Dump();
                               c.error = outcome->error.value_or("");
                               c.cause = outcome->cause.value_or("");
                             } else {
                               c.status = store::ExecutionStatus::kFailed;
                               c.error = outcome.error().name;
                               c.cause = outcome.error().message;
                             }
                             Post([this, run, index, c = std::move(c)]() mutable {
                               ChildEnded(run, index, std::move(c));
                             });
                           });
    ExternalFinished();  // it ran here until it ended or waits on the scheduler
    return;
  }
  // Named by the Map Run and the index: a run picked up again finds its children.
  s.name = NameUuid(r.map_run_arn + "#" + std::to_string(index));
  const std::string arn = scope_.Execution(s.machine.name, s.name);
  executions_->StartStandard(
      std::move(s), [this, run, index, arn](ApiResult<api::Executions::Started> started) {
        ExternalFinished();  // started (runnable on the scheduler), or it never will be
        Post([this, run, index, arn, started = std::move(started)] {
          if (started.ok() || started.error().name == "ExecutionAlreadyExists") {
            bool run_ended = false;
            {
              MutexLock lock(&mu_);
              run->children[index].arn = arn;
              run_ended = run->ended;
            }
            // Started while the run was failing or aborted: stopped as the others were.
            if (run_ended) executions_->Stop(arn, "", "", [](ApiResult<int64_t>) {});
            // Ended before (a run picked up after a restart): read back at once.
            executions_->WhenEnded(arn, [this, run, index] {
              Post([this, run, index] { ReadChildEnd(run, index); });
            });
            return;
          }
          Child c;
          c.status = store::ExecutionStatus::kFailed;
          c.error = started.error().name;
          c.cause = started.error().message;
          ChildEnded(run, index, std::move(c));
        });
      });
}

void MapRunService::ReadChildEnd(const std::shared_ptr<Run>& run, size_t index) {
  std::string arn;
  {
    MutexLock lock(&mu_);
    arn = run->children[index].arn;
  }
  Child c;
  c.arn = arn;
  auto e = store_->GetExecution(arn);
  if (!e.ok() || !e->has_value()) {
    c.status = store::ExecutionStatus::kFailed;
    c.error = "States.Runtime";
    c.cause = e.ok() ? "The child execution " + arn + " does not exist." : e.error().cause;
  } else {
    const store::Execution& x = **e;
    c.status = x.status;
    c.name = x.name;
    c.start_ms = x.start_date_ms;
    c.stop_ms = x.stop_date_ms;
    c.output = x.output;
    c.error = x.error.value_or("");
    c.cause = x.cause.value_or("");
  }
  ChildEnded(run, index, std::move(c));
}

void MapRunService::ChildEnded(const std::shared_ptr<Run>& run, size_t index, Child c) {
  bool external = false;
  {
    MutexLock lock(&mu_);
    external = run->children[index].external && !run->children[index].ended;
  }
  CountChildEnd(run, index, std::move(c));
  if (external) ExternalFinished();  // the next children (or the parent) are runnable now
}

void MapRunService::CountChildEnd(const std::shared_ptr<Run>& run, size_t index, Child c) {
  bool fail = false;
  bool succeed = false;
  bool persist = false;
  {
    MutexLock lock(&mu_);
    Child& child = run->children[index];
    if (child.ended) return;
    child = std::move(c);
    child.started = true;
    child.ended = true;
    --run->running;
    ++run->finished;
    const int64_t items = ItemsOf(run->request, index);
    run->info.items.running -= items;
    --run->info.executions.running;
    api::MapRunCounts* counts[] = {&run->info.items, &run->info.executions};
    const int64_t adds[] = {items, 1};
    for (int k = 0; k < 2; ++k) {
      switch (child.status) {
        case store::ExecutionStatus::kSucceeded:
          counts[k]->succeeded += adds[k];
          break;
        case store::ExecutionStatus::kTimedOut:
          counts[k]->timed_out += adds[k];
          break;
        case store::ExecutionStatus::kAborted:
          counts[k]->aborted += adds[k];
          break;
        default:
          counts[k]->failed += adds[k];
          break;
      }
    }
    if (run->ended) {
      persist = run->running == 0;  // the last of the aborted children: final counts
    } else if (child.status != store::ExecutionStatus::kSucceeded) {
      run->failed_items += items;
      engine::MapFailureTolerance tolerance =
          engine::MapFailureTolerance::For(run->tolerated_count, run->tolerated_percent, true);
      fail = !tolerance.Tolerates(static_cast<size_t>(run->failed_items),
                                  static_cast<size_t>(run->total_items));
    }
    if (!run->ended && !fail) succeed = run->finished == run->children.size();
  }
  if (persist) {
    Persist(run);
    MutexLock lock(&mu_);
    auto it = runs_.find(run->request.map_run_arn);
    if (it != runs_.end() && it->second == run) runs_.erase(it);
    return;
  }
  if (fail) {
    return Finish(run,
                  Error{"States.ExceedToleratedFailureThreshold",
                        "The specified tolerated failure threshold was exceeded"},
                  false);
  }
  if (succeed) {
    if (run->request.result_writer.is_object()) return Finish(run, WriteResults(run), false);
    json::Array results;
    {
      MutexLock lock(&mu_);
      results.reserve(run->children.size());
      for (const Child& ch : run->children) {
        if (ch.status == store::ExecutionStatus::kSucceeded) {
          auto parsed = ch.output ? json::Parse(*ch.output) : Result<json::Value>(json::Value());
          results.push_back(parsed.ok() ? std::move(parsed).value() : json::Value());
        } else {
          results.push_back(ErrorResult(ch.error, ch.cause));
        }
      }
    }
    return Finish(run, json::Value::MakeArray(std::move(results)), false);
  }
  Launch(run);
}

void MapRunService::Finish(const std::shared_ptr<Run>& run, Result<json::Value> outcome,
                           bool aborted) {
  bool children_running = false;
  {
    MutexLock lock(&mu_);
    if (run->ended) return;
    run->ended = true;
    run->info.status = aborted ? "ABORTED" : outcome.ok() ? "SUCCEEDED" : "FAILED";
    run->info.stop_date_ms = clock_->NowMillis();
    if (!outcome.ok()) {
      run->error = outcome.error().error;
      run->cause = outcome.error().cause;
    }
    children_running = run->running > 0;
  }
  if (outcome.ok()) {
    // Kept for a parent's crash resume (Recorded) before the parent can record the end.
    Status s = store_->WriteRecords(
        {store::RecordWrite::Put(kMapRunResultsKind, run->request.map_run_arn, outcome->Dump())});
    (void)s;
  }
  Persist(run);
  if (children_running) {
    StopRunningChildren(run);  // the last one's end takes the run out of runs_
  } else {
    // Only now: DescribeMapRun reads the record from here on.
    MutexLock lock(&mu_);
    auto it = runs_.find(run->request.map_run_arn);
    if (it != runs_.end() && it->second == run) runs_.erase(it);
  }
  if (!aborted) run->done(std::move(outcome));
}

void MapRunService::StopRunningChildren(const std::shared_ptr<Run>& run) {
  std::vector<std::string> arns;
  {
    MutexLock lock(&mu_);
    for (const Child& c : run->children) {
      if (c.started && !c.ended && !c.arn.empty() && !run->request.express) arns.push_back(c.arn);
    }
  }
  // Their ends come back through WhenEnded as ABORTED, counted as such.
  for (const std::string& arn : arns) {
    executions_->Stop(arn, "", "", [](ApiResult<int64_t>) {});
  }
}

void MapRunService::Persist(const std::shared_ptr<Run>& run) {
  MapRunRecord record;
  {
    MutexLock lock(&mu_);
    record.info = run->info;
    record.tolerated_count = run->tolerated_count;
    record.tolerated_percent = run->tolerated_percent;
    record.error = run->error;
    record.cause = run->cause;
  }
  Status s = store_->WriteRecords(
      {store::RecordWrite::Put(kMapRunKind, run->request.map_run_arn, MapRunRecordJson(record))});
  (void)s;  // a failing store is reported by the executions' own commits (GET /health)
}

std::optional<json::Value> MapRunService::Recorded(const std::string& map_run_arn) {
  auto record = store_->GetRecord(kMapRunResultsKind, map_run_arn);
  if (!record.ok() || !record->has_value()) return std::nullopt;
  auto parsed = json::Parse(**record);
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed).value();
}

void MapRunService::Abort(const std::string& map_run_arn) {
  Post([this, map_run_arn] {
    std::shared_ptr<Run> run;
    {
      MutexLock lock(&mu_);
      auto it = runs_.find(map_run_arn);
      if (it == runs_.end()) return;
      run = it->second;
    }
    Finish(run, Error{"States.Aborted", ""}, true);
  });
}

Result<std::optional<api::MapRunInfo>> MapRunService::Describe(const std::string& map_run_arn) {
  {
    MutexLock lock(&mu_);
    auto it = runs_.find(map_run_arn);
    if (it != runs_.end()) {
      api::MapRunInfo info = it->second->info;
      info.tolerated_failure_count = it->second->tolerated_count.value_or(0);
      info.tolerated_failure_percentage = it->second->tolerated_percent.value_or(0);
      return std::optional<api::MapRunInfo>(std::move(info));
    }
  }
  auto record = store_->GetRecord(kMapRunKind, map_run_arn);
  if (!record.ok()) return record.error();
  if (!record->has_value()) return std::optional<api::MapRunInfo>();
  std::optional<MapRunRecord> parsed = ParseMapRunRecord(**record);
  if (!parsed) return std::optional<api::MapRunInfo>();
  parsed->info.tolerated_failure_count = parsed->tolerated_count.value_or(0);
  parsed->info.tolerated_failure_percentage = parsed->tolerated_percent.value_or(0);
  return std::optional<api::MapRunInfo>(std::move(parsed->info));
}

Result<std::vector<api::MapRunInfo>> MapRunService::ListForExecution(
    const std::string& execution_arn) {
  std::vector<api::MapRunInfo> out;
  std::string after;
  for (;;) {
    auto page = store_->ListRecords(kMapRunByExecutionKind, execution_arn + "\n", after, 1000);
    if (!page.ok()) return page.error();
    for (const store::Record& r : page->items) {
      auto info = Describe(r.value);
      if (!info.ok()) return info.error();
      if (info->has_value()) out.push_back(std::move(**info));
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  // Runs handed over but not listed yet (Begin writes the listing record).
  std::vector<api::MapRunInfo> live;
  {
    MutexLock lock(&mu_);
    for (const auto& entry : runs_) {
      const api::MapRunInfo& info = entry.second->info;
      if (info.execution_arn != execution_arn) continue;
      bool listed = false;
      for (const api::MapRunInfo& o : out) listed = listed || o.map_run_arn == info.map_run_arn;
      if (!listed) live.push_back(info);
    }
  }
  for (api::MapRunInfo& info : live) out.push_back(std::move(info));
  std::stable_sort(out.begin(), out.end(), [](const api::MapRunInfo& a, const api::MapRunInfo& b) {
    return a.start_date_ms < b.start_date_ms;
  });
  return out;
}

ApiResult<bool> MapRunService::Update(const std::string& map_run_arn,
                                      std::optional<int64_t> max_concurrency,
                                      std::optional<int64_t> tolerated_failure_count,
                                      std::optional<double> tolerated_failure_percentage) {
  std::shared_ptr<Run> run;
  {
    MutexLock lock(&mu_);
    auto it = runs_.find(map_run_arn);
    if (it != runs_.end() && !it->second->ended) {
      run = it->second;
      if (max_concurrency) run->info.max_concurrency = *max_concurrency;
      if (tolerated_failure_count) run->tolerated_count = *tolerated_failure_count;
      if (tolerated_failure_percentage) run->tolerated_percent = *tolerated_failure_percentage;
    }
  }
  if (run) {
    Post([this, run] {
      Persist(run);
      Launch(run);
    });
    return true;
  }
  auto info = Describe(map_run_arn);
  if (!info.ok()) return ApiError::Internal(info.error().cause);
  if (!info->has_value()) return ApiError::ResourceNotFound(map_run_arn);
  return ApiError::Validation("Map Run is not in the RUNNING state: '" + map_run_arn + "'");
}

}  // namespace stator::server
