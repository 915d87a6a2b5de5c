#include "engine/executor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "common/time_format.h"
#include "engine/allocator_tuning.h"
#include "engine/error_policy.h"
#include "engine/history.h"
#include "engine/payload_io.h"

namespace stator::engine {

using asl::StateType;

// ---------------------------------------------------------------------------------------------
// Frames

enum class Phase : uint8_t {
  kEnter,    // about to enter states[state]
  kAttempt,  // entered; run (or re-run, after a retry back-off) the state's work
  kResume,   // something the frame waited for happened (see Frame::resume)
  kBlocked,  // waiting for a timer, a task or children
  kDone,     // finished (ok/output or error)
};

enum class ResumeKind : uint8_t {
  kNone,
  kTaskOutcome,
  kTaskTimeout,
  kHeartbeatTimeout,
  kWaitDone,
  kChildrenDone,
  kChildFailed,
};

// A Parallel state's branches or a Map state's iterations while they run.
struct ChildGroup {
  bool is_map = false;
  bool distributed = false;
  size_t total = 0;
  json::Value items;                // Map: the items (when no batching)
  std::vector<json::Value> inputs;  // Parallel: empty; Map with ItemBatcher: the batches
  std::vector<json::Value> results;
  std::vector<std::unique_ptr<Frame>> frames;  // running children, by index
  size_t next = 0;
  size_t running = 0;
  size_t done = 0;
  size_t failed = 0;
  int64_t max_concurrency = 0;  // 0: unlimited
  bool tolerance = false;       // a tolerated-failure threshold applies
  int64_t tolerated_count = 0;
  double tolerated_percentage = 0;
  std::deque<int64_t> free_slots;  // previous-event trackers of finished iterations
  int64_t started_event = 0;
  int64_t last = 0;  // the group's previous-event tracker
};

// A workflow variable set in a frame's scope.
struct ScopeVariable {
  uint32_t id = 0;  // its number in the definition's VariableTable
  json::Value value;
  int64_t bytes = 0;  // the size of value's JSON text
};

struct Frame {
  uint64_t id = 0;
  const MachinePlan* plan = nullptr;
  Frame* parent = nullptr;
  size_t child_index = 0;
  bool record = true;  // false inside a distributed Map (child executions keep no history here)
  int state = 0;
  Phase phase = Phase::kEnter;
  bool queued = false;
  json::Value raw_input;  // the current state's input
  json::Value effective;  // after InputPath / Parameters
  int64_t last_event = 0;
  int64_t entered_event = 0;
  int64_t entered_millis = 0;
  int64_t retry_count = 0;
  std::vector<int64_t> retrier_attempts;
  uint64_t token = 1;  // messages for an older token are stale
  Scheduler::TimerId timer = 0;
  Scheduler::TimerId timeout_timer = 0;
  Scheduler::TimerId heartbeat_timer = 0;
  std::optional<int64_t> heartbeat_seconds;
  std::unique_ptr<ChildGroup> group;
  std::string task_token;
  bool task_submitted = false;  // this attempt's TaskSubmitted is recorded
  std::optional<json::Value> context;
  ResumeKind resume = ResumeKind::kNone;
  std::optional<TaskOutcome> outcome;
  Error pending_error;
  // Workflow variables: this frame's scope (the execution's for the top frame, its own for a
  // Parallel branch or Map iteration; outer scopes are reached through parent), and the Assign
  // evaluated for the current state, which takes effect when the state exits.
  std::vector<ScopeVariable> vars;
  int64_t vars_bytes = 0;
  const asl::Assignment* pending_assign = nullptr;
  json::Value pending_values;  // {"name": value, ...}, in pending_assign's order
  // When done:
  bool ok = false;
  json::Value output;
  Error error;

  const StatePlan& sp() const { return plan->states[state]; }
  const asl::State& st() const { return *plan->states[state].state; }
};

// The context object ($$) for one state step, built on first use.
class FrameContext : public asl::Context {
 public:
  FrameContext(Execution* e, Frame* f, const json::Value* item = nullptr, int64_t index = 0)
      : e_(e), f_(f), item_(item), index_(index) {}
  const json::Value& Get() const override {
    if (item_ != nullptr) {
      if (!item_context_) {
        item_context_ = e_->ContextFor(*f_, item_, index_);
      }
      return *item_context_;
    }
    return e_->ContextFor(*f_, nullptr, 0);
  }
  const json::Value* VariableById(uint32_t id, std::string_view) const override {
    return FindVariable(*f_, id);
  }
  std::mt19937_64* Random() const override { return &e_->rng_; }

  // The innermost variable with this id visible from f (its scope, then the outer ones).
  static const json::Value* FindVariable(const Frame& f, uint32_t id) {
    for (const Frame* s = &f; s != nullptr; s = s->parent) {
      for (const ScopeVariable& v : s->vars) {
        if (v.id == id) return &v.value;
      }
    }
    return nullptr;
  }

 private:
  Execution* e_;
  Frame* f_;
  const json::Value* item_;
  int64_t index_;
  mutable std::optional<json::Value> item_context_;
};

struct Execution::Message {
  enum class Kind : uint8_t { kTaskDone, kSubmitted, kHeartbeat, kTimer, kStop };
  Kind kind = Kind::kTimer;
  uint64_t frame_id = 0;
  uint64_t token = 0;
  TimerKind timer = TimerKind::kWait;
  std::optional<TaskOutcome> outcome;
  json::Value payload;
  std::string error;
  std::string cause;
};

namespace {

// Marks the ids of timers held during a replay (see ArmTimer); scheduler ids never reach it.
constexpr uint64_t kReplayTimerBit = uint64_t{1} << 63;

std::string RuntimePrefix(const Frame& f) {
  return "An error occurred while executing the state '" + f.sp().state->name +
         "' (entered at the event id #" + std::to_string(f.entered_event) + "). ";
}

bool SameNode(const json::Value& a, const json::Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::Kind::kString:
      return &a.as_string() == &b.as_string();
    case json::Kind::kArray:
      return &a.as_array() == &b.as_array();
    case json::Kind::kObject:
      return &a.as_object() == &b.as_object();
    default:
      return false;
  }
}

// A failed task's details: TaskFailed/TaskTimedOut name the resource, the others do not.
json::Value TaskErrorDetails(const TaskResource& resource, const Error& e) {
  return resource.kind == TaskResource::Kind::kService
             ? history::TaskError(resource, e.error, e.cause)
             : history::ErrorCause(e.error, e.cause);
}

json::Value ErrorOutput(const Error& e) {
  json::Object o;
  o.emplace_back("Error", json::Value::String(e.error));
  if (!e.cause.empty()) o.emplace_back("Cause", json::Value::String(e.cause));
  return json::Value::MakeObject(std::move(o));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction, start, stop

std::shared_ptr<Execution> Execution::Create(std::shared_ptr<const asl::StateMachine> machine,
                                             ExecutionOptions options, TaskRunner* tasks,
                                             Scheduler* scheduler) {
  TuneAllocatorOnce();
  return std::shared_ptr<Execution>(
      new Execution(std::move(machine), std::move(options), tasks, scheduler));
}

Execution::Execution(std::shared_ptr<const asl::StateMachine> machine, ExecutionOptions options,
                     TaskRunner* tasks, Scheduler* scheduler)
    : machine_(std::move(machine)),
      plan_(GetPlan(machine_)),
      options_(std::move(options)),
      tasks_(tasks),
      clock_(scheduler->clock()),
      scheduler_(scheduler) {
  if (options_.random_seed) {
    rng_.seed(*options_.random_seed);
  } else {
    // One random_device read per process; executions then draw distinct seeds cheaply.
    static const uint64_t base = [] {
      std::random_device rd;
      return (static_cast<uint64_t>(rd()) << 32) ^ rd();
    }();
    static std::atomic<uint64_t> counter{0};
    uint64_t z = base + 0x9e3779b97f4a7c15ULL * (counter.fetch_add(1) + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;  // splitmix64 finalizer
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    rng_.seed(z ^ (z >> 31));
  }
  name_ = options_.execution_name.empty() ? NewUuid() : options_.execution_name;
  role_arn_ = options_.role_arn.empty()
                  ? "arn:aws:iam::" + options_.account + ":role/StatesExecutionRole"
                  : options_.role_arn;
  const std::string prefix = "arn:aws:states:" + options_.region + ":" + options_.account + ":";
  state_machine_arn_ = prefix + "stateMachine:" + options_.state_machine_name;
  execution_arn_ = prefix + "execution:" + options_.state_machine_name + ":" + name_;
  if (options_.replay && !options_.replay->empty() && options_.keep_history) {
    replay_ = std::move(options_.replay);  // freed as soon as the replay is over
    replayed_events_ = static_cast<int64_t>(replay_->size());
    replay_now_ = replay_->front().timestamp_millis;
    recorded_clock_ = true;
  }
}

Execution::~Execution() {
  std::lock_guard<std::mutex> lock(inbox_mu_);
  if (scheduler_ != nullptr) {
    for (; external_in_flight_ > 0; --external_in_flight_) scheduler_->ExternalFinished();
  }
}

void Execution::Start(bool run_here) {
  // Running here: this thread is the execution's runner from now on, so anything delivered
  // meanwhile only marks more work for it (see Notify).
  if (run_here) run_state_.store(2, std::memory_order_release);
  start_millis_ = options_.start_millis.value_or(Now());
  top_ = NewFrame(plan_.get(), nullptr, options_.input, 0, true);
  if (options_.input_text) {
    EmitWithPrev(*top_, 0, event_types::kExecutionStarted,
                 history::ExecutionStarted(json::Value::String(*options_.input_text), role_arn_));
    if (!events_.empty()) events_.back().payloads_are_text = true;
  } else {
    EmitWithPrev(*top_, 0, event_types::kExecutionStarted,
                 history::ExecutionStarted(options_.input, role_arn_));
  }
  if (machine_->timeout_seconds) {
    std::weak_ptr<Execution> weak = weak_from_this();
    timeout_timer_ =
        scheduler_->AddTimer(start_millis_ + *machine_->timeout_seconds * 1000, [weak] {
          if (auto e = weak.lock()) {
            Message m;
            m.kind = Message::Kind::kTimer;
            m.timer = TimerKind::kExecutionTimeout;
            e->Deliver(std::move(m));
          }
        });
  }
  MakeReady(*top_);
  if (run_here) return Run();
  std::lock_guard<std::mutex> lock(inbox_mu_);
  Notify();
}

void Execution::Stop(const std::string& error, const std::string& cause) {
  Message m;
  m.kind = Message::Kind::kStop;
  m.error = error;
  m.cause = cause;
  Deliver(std::move(m));
}

void Execution::SetOnFinished(std::function<void()> fn) { on_finished_ = std::move(fn); }

ExecutionResult Execution::TakeResult() {
  ExecutionResult r = std::move(result_);
  r.start_millis = start_millis_;
  r.events = std::move(events_);
  return r;
}

void Execution::Detach() {
  std::lock_guard<std::mutex> lock(inbox_mu_);
  if (scheduler_ != nullptr) {
    for (; external_in_flight_ > 0; --external_in_flight_) scheduler_->ExternalFinished();
  }
  scheduler_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// Inbox and run protocol

namespace {
thread_local int run_completions_here = 0;
}  // namespace

RunCompletionsHere::RunCompletionsHere() { ++run_completions_here; }
RunCompletionsHere::~RunCompletionsHere() { --run_completions_here; }
bool RunCompletionsHere::active() { return run_completions_here > 0; }

void Execution::Deliver(Message m) {
  const bool task_done = m.kind == Message::Kind::kTaskDone;
  bool run_here = false;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    if (scheduler_ == nullptr) return;
    inbox_.push_back(std::move(m));
    int idle = 0;
    // Idle (0) to running here (2), as Start(run_here) does; the caller keeps this alive.
    run_here = task_done && RunCompletionsHere::active() &&
               run_state_.compare_exchange_strong(idle, 2, std::memory_order_acq_rel);
    if (!run_here) {
      Notify();
      // Only now that the completion is queued in the scheduler (run here, only once it has
      // run, below): announced before, it let a virtual clock jump to the next timer, the
      // task's own timeout, in between.
      if (task_done) EndExternalLocked();
    }
  }
  if (run_here) {
    Run();
    std::lock_guard<std::mutex> lock(inbox_mu_);
    EndExternalLocked();
  }
}

// Requires inbox_mu_. One task of this execution that ran outside the scheduler has answered.
void Execution::EndExternalLocked() {
  if (external_in_flight_ == 0 || scheduler_ == nullptr) return;  // Detach ended them all
  --external_in_flight_;
  scheduler_->ExternalFinished();
}

// Requires inbox_mu_.
void Execution::Notify() {
  for (;;) {
    int s = run_state_.load(std::memory_order_acquire);
    if (s == 0) {
      if (run_state_.compare_exchange_weak(s, 1)) {
        if (scheduler_ != nullptr) scheduler_->Schedule(shared_from_this());
        return;
      }
    } else if (s == 2) {
      if (run_state_.compare_exchange_weak(s, 3)) return;
    } else {
      return;
    }
  }
}

bool Execution::HandleOneMessage() {
  if (pending_next_ == pending_.size()) {
    pending_.clear();
    pending_next_ = 0;
    std::lock_guard<std::mutex> lock(inbox_mu_);
    if (inbox_.empty()) return false;
    pending_.swap(inbox_);
  }
  Message m = std::move(pending_[pending_next_++]);
  HandleMessage(m);
  return true;
}

// One input at a time: a message is handled and everything it made ready runs to a standstill
// before the next message is looked at. The events an execution records then depend only on
// the order of its inputs, which its history shows, and that is what lets a replay
// (ExecutionOptions::replay) record the same events again.
void Execution::Run() {
  run_state_.store(2, std::memory_order_release);
  for (;;) {
    for (;;) {
      while (!ready_.empty() && !finished()) {
        const uint64_t id = ready_.front();
        ready_.pop_front();
        auto it = live_.find(id);
        if (it == live_.end()) continue;
        Frame* f = it->second;
        f->queued = false;
        Step(*f);
      }
      if (finished()) break;
      recorded_clock_ = replay_ != nullptr;
      if (replay_ != nullptr) {
        // Messages wait in the inbox until the replay is over.
        if (!ReplayNextInput()) FailResume("no recorded input leads to the next event");
        continue;
      }
      if (!HandleOneMessage()) break;
    }
    FlushHistory();
    if (!held_tasks_.empty() && !finished()) ReleaseHeldTasks();
    int expected = 2;
    if (run_state_.compare_exchange_strong(expected, 0)) return;
    run_state_.store(2, std::memory_order_release);  // more work arrived while running
  }
}

void Execution::HandleMessage(Message& m) {
  if (finished()) return;
  if (m.kind == Message::Kind::kStop) {
    FinishExecution(ExecutionStatus::kAborted, history::ErrorCause(m.error, m.cause),
                    next_event_id_ - 1, std::nullopt, m.error, m.cause);
    return;
  }
  if (m.kind == Message::Kind::kTimer && m.timer == TimerKind::kExecutionTimeout) {
    FinishExecution(ExecutionStatus::kTimedOut,
                    history::ErrorCause(std::string(kStatesTimeout), ""), 0, std::nullopt,
                    std::nullopt, std::nullopt);  // DescribeExecution shows no error
    return;
  }
  auto it = live_.find(m.frame_id);
  if (it == live_.end()) return;
  Frame& f = *it->second;
  if (f.token != m.token || f.phase != Phase::kBlocked) return;
  switch (m.kind) {
    case Message::Kind::kTaskDone:
      ++f.token;
      CancelTimers(f);
      f.outcome = std::move(m.outcome);
      f.resume = ResumeKind::kTaskOutcome;
      f.phase = Phase::kResume;
      MakeReady(f);
      return;
    case Message::Kind::kSubmitted: {
      // Once per attempt: a task dispatched again after a resume reports it again.
      const TaskResource& r = f.sp().resource;
      if (r.kind == TaskResource::Kind::kService && !f.task_submitted) {
        f.task_submitted = true;
        Emit(f, event_types::kTaskSubmitted, history::TaskSucceeded(r, m.payload));
      }
      return;
    }
    case Message::Kind::kHeartbeat:
      if (f.heartbeat_seconds) {
        CancelTimer(&f.heartbeat_timer);
        ArmTimer(f, TimerKind::kHeartbeat, Now() + *f.heartbeat_seconds * 1000, &f.heartbeat_timer);
      }
      return;
    case Message::Kind::kTimer:
      break;
    case Message::Kind::kStop:
      return;
  }
  ++f.token;
  switch (m.timer) {
    case TimerKind::kWait:
      f.timer = 0;
      f.resume = ResumeKind::kWaitDone;
      f.phase = Phase::kResume;
      break;
    case TimerKind::kRetry:
      f.timer = 0;
      f.phase = Phase::kAttempt;
      break;
    case TimerKind::kTaskTimeout:
    case TimerKind::kHeartbeat:
      if (m.timer == TimerKind::kTaskTimeout) {
        f.timeout_timer = 0;
      } else {
        f.heartbeat_timer = 0;
      }
      CancelTimers(f);
      f.resume = m.timer == TimerKind::kTaskTimeout ? ResumeKind::kTaskTimeout
                                                    : ResumeKind::kHeartbeatTimeout;
      f.phase = Phase::kResume;
      break;
    case TimerKind::kExecutionTimeout:
      return;
  }
  MakeReady(f);
}

// ---------------------------------------------------------------------------------------------
// Events

int64_t Execution::Emit(Frame& f, const EventType& type, json::Value details, bool update_tracker) {
  const int64_t id = EmitWithPrev(f, f.last_event, type, std::move(details));
  if (update_tracker && id != 0) f.last_event = id;
  return id;
}

int64_t Execution::EmitCompact(Frame& f, int64_t prev, const EventType& type,
                               HistoryEvent::Compact form, json::Value payload) {
  HistoryEvent* e = nullptr;
  const int64_t id = EmitWithPrev(f, prev, type, json::Value(), &e);
  if (e != nullptr) {
    e->compact = form;
    e->state_name = f.sp().name;
    e->payload = std::move(payload);
  }
  return id;
}

int64_t Execution::EmitState(Frame& f, const EventType& type, HistoryEvent::Compact form,
                             const json::Value& payload) {
  const int64_t id = EmitCompact(f, f.last_event, type, form, payload);
  if (id != 0) f.last_event = id;
  return id;
}

int64_t Execution::EmitWithPrev(Frame& f, int64_t prev, const EventType& type, json::Value details,
                                HistoryEvent** recorded) {
  if (recorded != nullptr) *recorded = nullptr;
  if (!f.record || finished()) return 0;
  if (next_event_id_ >= options_.max_history_events) {
    std::string cause = "The execution reached the maximum number of history events (" +
                        std::to_string(options_.max_history_events) + ").";
    FinishExecution(ExecutionStatus::kFailed,
                    history::ErrorCause(std::string(kStatesRuntime), cause), prev, std::nullopt,
                    std::string(kStatesRuntime), cause);
    return 0;
  }
  const int64_t id = next_event_id_++;
  if (replay_ != nullptr) {
    if (!ReplayEvent(id, type.type)) return 0;
    return id;
  }
  if (options_.keep_history) {
    HistoryEvent& e = events_.emplace_back();
    e.id = id;
    e.previous_event_id = prev;
    e.timestamp_millis = Now();
    e.type = type.type;
    e.details_key = type.details_key;
    e.details = std::move(details);
    if (recorded != nullptr) *recorded = &e;
  }
  return id;
}

void Execution::FinishExecution(ExecutionStatus status, json::Value details, int64_t prev,
                                std::optional<json::Value> output, std::optional<std::string> error,
                                std::optional<std::string> cause) {
  if (finished()) return;
  const EventType& type = event_types::ExecutionEnded(status);
  const int64_t id = next_event_id_++;
  if (replay_ != nullptr && !ReplayEvent(id, type.type)) return;
  const int64_t now = id <= replayed_events_ ? replay_now_ : Now();
  if (options_.keep_history && id > replayed_events_) {
    HistoryEvent& e = events_.emplace_back();
    e.id = id;
    e.previous_event_id = prev;
    e.timestamp_millis = now;
    e.type = type.type;
    e.details_key = type.details_key;
    e.details = std::move(details);
  }
  result_.status = status;
  result_.output = std::move(output);
  if (error && !error->empty()) result_.error = std::move(error);
  if (cause && !cause->empty()) result_.cause = std::move(cause);
  result_.stop_millis = now;
  // Drop every timer; late task completions are ignored.
  if (timeout_timer_ != 0 && scheduler_ != nullptr) scheduler_->CancelTimer(timeout_timer_);
  for (auto& [id_, f] : live_) CancelTimers(*f);
  ready_.clear();
  finished_.store(true, std::memory_order_release);
  FlushHistory();
  if (on_finished_) on_finished_();
}

void Execution::FlushHistory() {
  if (!options_.history_sink || events_.empty()) return;
  options_.history_sink(events_.TakeVector());
}

// ---------------------------------------------------------------------------------------------
// Frames

std::unique_ptr<Frame> Execution::NewFrame(const MachinePlan* plan, Frame* parent,
                                           json::Value input, int64_t last_event, bool record) {
  auto f = std::make_unique<Frame>();
  f->id = next_frame_id_++;
  f->plan = plan;
  f->parent = parent;
  f->record = record;
  f->state = plan->machine->start_at;
  f->raw_input = std::move(input);
  f->last_event = last_event;
  live_[f->id] = f.get();
  return f;
}

void Execution::MakeReady(Frame& f) {
  if (f.queued) return;
  f.queued = true;
  ready_.push_back(f.id);
}

void Execution::Step(Frame& f) {
  while (!finished()) {
    switch (f.phase) {
      case Phase::kEnter:
        EnterState(f);
        continue;
      case Phase::kAttempt:
        RunAttempt(f);
        continue;
      case Phase::kResume:
        break;
      case Phase::kBlocked:
        return;
      case Phase::kDone:
        if (f.parent == nullptr) {
          if (f.ok) {
            FinishExecution(ExecutionStatus::kSucceeded, history::Output(f.output), f.last_event,
                            f.output, std::nullopt, std::nullopt);
          } else {
            FinishExecution(ExecutionStatus::kFailed,
                            history::ErrorCause(f.error.error, f.error.cause), f.last_event,
                            std::nullopt, f.error.error, f.error.cause);
          }
        } else {
          OnChildDone(f);  // may destroy f
        }
        return;
    }
    // kResume
    const ResumeKind what = f.resume;
    f.resume = ResumeKind::kNone;
    f.phase = Phase::kAttempt;  // placeholder; the handlers below set the real phase
    switch (what) {
      case ResumeKind::kTaskOutcome: {
        TaskOutcome outcome = std::move(*f.outcome);
        f.outcome.reset();
        OnTaskOutcome(f, std::move(outcome));
        break;
      }
      case ResumeKind::kTaskTimeout:
        OnTaskTimeout(f, Error{std::string(kStatesTimeout), ""});
        break;
      case ResumeKind::kHeartbeatTimeout:
        OnTaskTimeout(f, Error{std::string(kStatesHeartbeatTimeout), ""});
        break;
      case ResumeKind::kWaitDone: {
        json::Value eff = std::move(f.effective);
        FinishWait(f, std::move(eff));
        break;
      }
      case ResumeKind::kChildrenDone:
        FinishChildren(f);
        break;
      case ResumeKind::kChildFailed: {
        Error e = std::move(f.pending_error);
        if (f.group) {
          AbortChildren(f);
          if (f.group->distributed) {
            Emit(f, event_types::kMapRun.failed, history::ErrorCause(e.error, e.cause));
          }
          f.group.reset();
        }
        if (IsTerminalError(e.error)) {
          RaiseRuntime(f, std::move(e));
        } else {
          StateFailed(f, std::move(e));
        }
        break;
      }
      case ResumeKind::kNone:
        break;
    }
  }
}

void Execution::EnterState(Frame& f) {
  const StatePlan& sp = f.sp();
  f.context.reset();
  f.retry_count = 0;
  f.retrier_attempts.clear();
  f.pending_assign = nullptr;
  f.entered_millis = Now();
  f.entered_event = EmitState(f, sp.entered, HistoryEvent::Compact::kStateEntered, f.raw_input);
  f.phase = Phase::kAttempt;
}

void Execution::RunAttempt(Frame& f) {
  f.context.reset();
  switch (f.st().type) {
    case StateType::kPass:
      return RunPass(f);
    case StateType::kTask:
      return RunTaskAttempt(f);
    case StateType::kChoice:
      return RunChoice(f);
    case StateType::kWait:
      return RunWait(f);
    case StateType::kSucceed:
      return RunSucceed(f);
    case StateType::kFail:
      return RunFail(f);
    case StateType::kParallel:
      return RunParallelAttempt(f);
    case StateType::kMap:
      return RunMapAttempt(f);
  }
}

void Execution::Transition(Frame& f, int next, json::Value output) {
  if (next == asl::kEnd) {
    FrameSucceeded(f, std::move(output));
    return;
  }
  f.state = next;
  f.raw_input = std::move(output);
  f.phase = Phase::kEnter;
}

void Execution::FrameSucceeded(Frame& f, json::Value output) {
  f.ok = true;
  f.output = std::move(output);
  f.phase = Phase::kDone;
}

void Execution::FailFrame(Frame& f, Error e) {
  f.ok = false;
  f.error = std::move(e);
  f.phase = Phase::kDone;
}

bool Execution::ApplyOutputPath(Frame& f, json::Value* out) {
  const asl::State& st = f.st();
  // OutputPath still sees the variables as they were when the state was entered.
  FrameContext ctx(this, &f);
  Result<json::Value> r = ApplyInputOutputPath(st.output_path, *out, ctx);
  if (!r.ok()) {
    RaiseRuntime(f, std::move(r).error());
    return false;
  }
  *out = std::move(r).value();
  return true;
}

void Execution::ExitState(Frame& f, json::Value&& out) {
  const asl::State& st = f.st();
  if (st.output_path.mode != asl::PathField::Mode::kDefault && !ApplyOutputPath(f, &out)) return;
  // Succeed states end their frame (they have no "next").
  EmitExited(f, std::move(out), st.type == StateType::kSucceed ? asl::kEnd : st.next);
}

void Execution::EmitExited(Frame& f, json::Value&& out, int next) {
  if (!CheckSize(f, out, false)) return;
  if (f.pending_assign != nullptr) {
    json::Value assigned;
    if (!CommitVariables(f, &assigned)) return;
    json::Value details;
    if (f.record && options_.keep_history) {
      details = history::StateExited(f.sp().name, out, assigned);
    }
    Emit(f, f.sp().exited, std::move(details));
  } else {
    EmitState(f, f.sp().exited, HistoryEvent::Compact::kStateExited, out);
  }
  Transition(f, next, std::move(out));
}

// ---------------------------------------------------------------------------------------------
// Workflow variables

Status Execution::EvaluateAssign(Frame& f, const asl::Assignment& assign, const json::Value& input,
                                 const asl::Context& context) {
  Result<json::Value> values = assign.Evaluate(input, context);
  if (!values.ok()) return std::move(values).error();
  f.pending_assign = &assign;
  f.pending_values = std::move(values).value();
  return Status::Ok();
}

bool Execution::CommitVariables(Frame& f, json::Value* assigned) {
  const asl::Assignment& a = *f.pending_assign;
  f.pending_assign = nullptr;
  json::Value values = std::move(f.pending_values);
  const json::Object& members = values.as_object();  // one member per variable, in a's order
  // Sizes first: nothing changes unless every limit holds.
  int64_t assigned_bytes = 0;
  int64_t scope_bytes = f.vars_bytes;
  sizes_scratch_.clear();
  for (size_t i = 0; i < a.size(); ++i) {
    const int64_t n = static_cast<int64_t>(JsonSize(members[i].second, kMaxAssignBytes));
    sizes_scratch_.push_back(n);
    assigned_bytes += n;
    scope_bytes += n;
    for (const ScopeVariable& v : f.vars) {
      if (v.id == a.variable_id(i)) scope_bytes -= v.bytes;
    }
  }
  if (assigned_bytes > static_cast<int64_t>(kMaxAssignBytes)) {
    RaiseRuntime(f, AssignTooLarge(f.sp().state->name));
    return false;
  }
  int64_t visible_bytes = scope_bytes;
  for (const Frame* s = f.parent; s != nullptr; s = s->parent) visible_bytes += s->vars_bytes;
  if (visible_bytes > static_cast<int64_t>(kMaxVariablesBytes)) {
    RaiseRuntime(f, VariablesTooLarge(f.sp().state->name));
    return false;
  }
  // A Map iteration or Parallel branch may read the variables of the scopes around it, but
  // not set them.
  if (f.parent != nullptr) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (FrameContext::FindVariable(*f.parent, a.variable_id(i)) != nullptr) {
        RaiseRuntime(f, OuterScopeAssignment(a.name(i)));
        return false;
      }
    }
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const uint32_t id = a.variable_id(i);
    auto it = std::find_if(f.vars.begin(), f.vars.end(),
                           [id](const ScopeVariable& v) { return v.id == id; });
    if (it == f.vars.end()) {
      f.vars.push_back(ScopeVariable{id, members[i].second, sizes_scratch_[i]});
    } else {
      it->value = members[i].second;
      it->bytes = sizes_scratch_[i];
    }
  }
  f.vars_bytes = scope_bytes;
  *assigned = std::move(values);
  return true;
}

// ---------------------------------------------------------------------------------------------
// States

void Execution::RunPass(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  json::Value result;
  if (st.parameters) {
    Result<json::Value> p = st.parameters->Evaluate(*eff, ctx);
    if (!p.ok()) return StateFailed(f, std::move(p).error());
    result = std::move(p).value();
  } else if (st.result) {
    result = *st.result;
  } else {
    result = std::move(eff).value();
  }
  if (st.parameters && st.result) result = *st.result;
  if (st.assign) {
    Status s = EvaluateAssign(f, *st.assign, result, ctx);
    if (!s.ok()) return StateFailed(f, std::move(s).error());
  }
  Result<json::Value> out = ApplyResultPathField(st.result_path, f.raw_input, std::move(result));
  if (!out.ok()) return StateFailed(f, std::move(out).error());
  ExitState(f, std::move(out).value());
}

void Execution::RunSucceed(Frame& f) {
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(f.st().input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  ExitState(f, std::move(eff).value());
}

void Execution::RunChoice(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  int next = asl::kEnd;
  const asl::Assignment* assign = nullptr;
  bool matched = false;
  for (const asl::ChoiceRule& rule : st.choices) {
    Result<bool> r = rule.Evaluate(*eff, ctx);
    if (!r.ok()) return StateFailed(f, std::move(r).error());
    if (*r) {
      next = rule.next();
      assign = rule.assign();  // a matching rule's Assign replaces the state's
      matched = true;
      break;
    }
  }
  if (!matched) {
    if (st.default_next == asl::kEnd) {
      return StateFailed(f, Error{std::string(kStatesNoChoiceMatched), "No Matches!"});
    }
    next = st.default_next;
    if (st.assign) assign = &*st.assign;
  }
  if (assign != nullptr) {
    Status s = EvaluateAssign(f, *assign, *eff, ctx);
    if (!s.ok()) return StateFailed(f, std::move(s).error());
  }
  json::Value out = std::move(eff).value();
  if (st.output_path.mode != asl::PathField::Mode::kDefault && !ApplyOutputPath(f, &out)) return;
  EmitExited(f, std::move(out), next);
}

void Execution::RunWait(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  Result<json::Value> eff_r = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff_r.ok()) return RaiseRuntime(f, std::move(eff_r).error());
  json::Value eff = std::move(eff_r).value();
  const int64_t now = Now();
  int64_t due = now;
  if (st.wait_seconds.value) {
    due = now + static_cast<int64_t>(std::llround(*st.wait_seconds.value * 1000.0));
  } else if (st.wait_seconds.path) {
    std::optional<json::Value> v = EvaluatePath(*st.wait_seconds.path, eff, ctx);
    if (!v) return RaiseRuntime(f, NoResultsForPath(st.wait_seconds.path->text()));
    if (!v->is_int() || v->as_int() < 0) {
      return RaiseRuntime(
          f, Error{std::string(kStatesRuntime),
                   "The SecondsPath parameter does not reference a valid integer value: " +
                       st.wait_seconds.path->text()});
    }
    due = now + v->as_int() * 1000;
  } else if (st.wait_timestamp) {
    std::optional<int64_t> t = ParseTimestamp(*st.wait_timestamp);
    if (!t) {
      return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                   "The Timestamp parameter does not reference a valid ISO-8601 "
                                   "extended offset date-time format string: " +
                                       *st.wait_timestamp});
    }
    due = *t;
  } else if (st.wait_timestamp_path) {
    std::optional<json::Value> v = EvaluatePath(*st.wait_timestamp_path, eff, ctx);
    if (!v) return RaiseRuntime(f, NoResultsForPath(st.wait_timestamp_path->text()));
    std::optional<int64_t> t;
    if (v->is_string()) t = ParseTimestamp(v->as_string());
    if (!t) {
      return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                   "The TimestampPath parameter does not reference a valid "
                                   "ISO-8601 extended offset date-time format string: " +
                                       st.wait_timestamp_path->text()});
    }
    due = *t;
  }
  if (due <= now) return FinishWait(f, std::move(eff));
  f.effective = std::move(eff);
  f.phase = Phase::kBlocked;
  ArmTimer(f, TimerKind::kWait, due, &f.timer);
}

void Execution::FinishWait(Frame& f, json::Value eff) {
  const asl::State& st = f.st();
  if (st.assign) {
    FrameContext ctx(this, &f);
    Status s = EvaluateAssign(f, *st.assign, eff, ctx);
    if (!s.ok()) return StateFailed(f, std::move(s).error());
  }
  ExitState(f, std::move(eff));
}

void Execution::RunFail(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  auto resolve = [&](const asl::StringField& field, const char* what,
                     std::string* out) -> std::optional<Error> {
    if (field.value) {
      *out = *field.value;
    } else if (field.path) {
      std::optional<json::Value> v = EvaluatePath(*field.path, f.raw_input, ctx);
      if (!v) return NoResultsForPath(field.path->text());
      if (!v->is_string()) {
        return Error{std::string(kStatesRuntime),
                     std::string("The ") + what + " field refers to value \"" + MessageText(*v) +
                         "\" which is not a valid string: " + field.path->text()};
      }
      *out = v->as_string();
    } else if (field.call) {
      Result<json::Value> v = field.call->Evaluate(f.raw_input, ctx);
      if (!v.ok()) return std::move(v).error();
      *out = v->is_string() ? v->as_string() : v->Dump();
    }
    return std::nullopt;
  };
  Error e;
  if (auto err = resolve(st.error, "ErrorPath", &e.error)) return RaiseRuntime(f, *err);
  if (auto err = resolve(st.cause, "CausePath", &e.cause)) return RaiseRuntime(f, *err);
  FailFrame(f, std::move(e));
}

// ---------------------------------------------------------------------------------------------
// Task

void Execution::RunTaskAttempt(Frame& f) {
  const asl::State& st = f.st();
  const StatePlan& sp = f.sp();
  const TaskResource& res = sp.resource;
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  json::Value params = std::move(eff).value();
  if (st.parameters) {
    Result<json::Value> p = st.parameters->Evaluate(params, ctx);
    if (!p.ok()) return StateFailed(f, std::move(p).error());
    params = std::move(p).value();
  }
  if (!CheckSize(f, params, true)) return;
  std::optional<int64_t> timeout;
  std::optional<int64_t> heartbeat;
  if (st.timeout_seconds.present()) {
    Result<int64_t> t = ResolveInt(f, st.timeout_seconds, params, "TimeoutSecondsPath", 1);
    if (!t.ok()) return RaiseRuntime(f, std::move(t).error());
    timeout = *t;
  }
  if (st.heartbeat_seconds.present()) {
    Result<int64_t> h = ResolveInt(f, st.heartbeat_seconds, params, "HeartbeatSecondsPath", 1);
    if (!h.ok()) return RaiseRuntime(f, std::move(h).error());
    heartbeat = *h;
  }
  f.heartbeat_seconds = heartbeat;
  f.task_token.clear();
  f.task_submitted = false;
  if (res.pattern == TaskResource::Pattern::kWaitForTaskToken) {
    f.task_token = NewUuid() + NewUuid();
    f.context.reset();
  }
  const event_types::TaskEventTypes& events = event_types::TaskEvents(res.kind);
  json::Value scheduled_details;
  switch (res.kind) {
    case TaskResource::Kind::kService:
      scheduled_details = history::TaskScheduled(
          res, res.region.empty() ? options_.region : res.region, params, timeout, heartbeat);
      break;
    case TaskResource::Kind::kLambdaFunction:
      scheduled_details = history::LambdaScheduled(st.resource, params, timeout);
      break;
    case TaskResource::Kind::kActivity:
      scheduled_details = history::ActivityScheduled(st.resource, params, timeout, heartbeat);
      break;
  }
  const int64_t scheduled = Emit(f, events.scheduled, std::move(scheduled_details));
  Emit(f, events.started,
       res.kind == TaskResource::Kind::kService ? history::TaskStarted(res) : json::Value());
  if (finished()) return;
  f.phase = Phase::kBlocked;
  const int64_t now = Now();
  if (timeout) ArmTimer(f, TimerKind::kTaskTimeout, now + *timeout * 1000, &f.timeout_timer);
  if (heartbeat) ArmTimer(f, TimerKind::kHeartbeat, now + *heartbeat * 1000, &f.heartbeat_timer);

  TaskRequest req;
  req.state_name = st.name;
  req.resource = st.resource;
  req.parameters = params;
  req.timeout_seconds = timeout;
  req.heartbeat_seconds = heartbeat;
  req.context = &ctx.Get();
  req.execution_arn = execution_arn_;
  req.scheduled_event_id = scheduled;
  req.task_token = f.task_token;
  if (replay_ != nullptr) {
    // Its outcome comes from the history, or, if it was in flight, it runs once live.
    Park(&replay_tasks_, req, f.id, f.token, f.last_event);
    return;
  }
  DispatchTask(req, f.id, f.token);
}

void Execution::DispatchTask(TaskRequest& req, uint64_t fid, uint64_t token) {
  // In flight from now on, held or not: a virtual clock must not jump past it.
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    ++external_in_flight_;
    if (scheduler_ != nullptr) scheduler_->ExternalStarted();
  }
  if (options_.when_durable) {
    Park(&held_tasks_, req, fid, token, 0);
    return;
  }
  DispatchNow(req, fid, token);
}

void Execution::DispatchNow(TaskRequest& req, uint64_t fid, uint64_t token) {
  std::weak_ptr<Execution> weak = weak_from_this();
  req.heartbeat = [weak, fid, token] {
    if (auto e = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kHeartbeat;
      m.frame_id = fid;
      m.token = token;
      e->Deliver(std::move(m));
    }
  };
  req.submitted = [weak, fid, token](json::Value v) {
    if (auto e = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kSubmitted;
      m.frame_id = fid;
      m.token = token;
      m.payload = std::move(v);
      e->Deliver(std::move(m));
    }
  };
  tasks_->Start(req, [weak, fid, token](TaskOutcome outcome) {
    if (auto e = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kTaskDone;
      m.frame_id = fid;
      m.token = token;
      m.outcome.emplace(std::move(outcome));
      e->Deliver(std::move(m));
    }
  });
}

void Execution::Park(std::vector<ParkedTask>* list, const TaskRequest& req, uint64_t frame_id,
                     uint64_t token, int64_t started_event) {
  ParkedTask& t = list->emplace_back(ParkedTask{req, *req.context, frame_id, token, started_event});
  t.request.context = nullptr;
}

// Runs on the thread that finished Run: hands the held tasks to when_durable, which dispatches
// them (on the store's thread) once their events are committed.
void Execution::ReleaseHeldTasks() {
  auto held = std::make_shared<std::vector<ParkedTask>>(std::move(held_tasks_));
  held_tasks_.clear();
  std::weak_ptr<Execution> weak = weak_from_this();
  options_.when_durable([weak, held] {
    auto e = weak.lock();
    if (!e || e->finished()) return;
    for (ParkedTask& t : *held) {
      t.request.context = &t.context;
      e->DispatchNow(t.request, t.frame_id, t.token);
    }
  });
}

void Execution::OnTaskOutcome(Frame& f, TaskOutcome outcome) {
  const TaskResource& res = f.sp().resource;
  if (outcome.ok()) {
    json::Value value = std::move(outcome).value();
    Emit(f, event_types::TaskEvents(res.kind).succeeded,
         res.kind == TaskResource::Kind::kService ? history::TaskSucceeded(res, value)
                                                  : history::Output(value));
    if (!CheckSize(f, value, false)) return;
    return FinishWithResult(f, std::move(value));
  }
  Error e = std::move(outcome).error();
  if (e.error == kStatesTimeout || e.error == kStatesHeartbeatTimeout) {
    // The runner enforced TimeoutSeconds / HeartbeatSeconds itself: a timeout all the same.
    return OnTaskTimeout(f, std::move(e));
  }
  Emit(f, event_types::TaskEvents(res.kind).failed, TaskErrorDetails(res, e));
  StateFailed(f, std::move(e));
}

void Execution::OnTaskTimeout(Frame& f, Error e) {
  const TaskResource& res = f.sp().resource;
  Emit(f, event_types::TaskEvents(res.kind).timed_out, TaskErrorDetails(res, e));
  StateFailed(f, std::move(e));
}

void Execution::FinishWithResult(Frame& f, json::Value result) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  if (st.result_selector) {
    Result<json::Value> r = st.result_selector->Evaluate(result, ctx);
    if (!r.ok()) return StateFailed(f, std::move(r).error());
    result = std::move(r).value();
  }
  if (st.assign) {
    Status s = EvaluateAssign(f, *st.assign, result, ctx);
    if (!s.ok()) return StateFailed(f, std::move(s).error());
  }
  Result<json::Value> out = ApplyResultPathField(st.result_path, f.raw_input, std::move(result));
  if (!out.ok()) return StateFailed(f, std::move(out).error());
  ExitState(f, std::move(out).value());
}

// ---------------------------------------------------------------------------------------------
// Parallel and Map

void Execution::RunParallelAttempt(Frame& f) {
  const asl::State& st = f.st();
  const StatePlan& sp = f.sp();
  FrameContext ctx(this, &f);
  Result<json::Value> eff = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff.ok()) return RaiseRuntime(f, std::move(eff).error());
  json::Value input = std::move(eff).value();
  if (st.parameters) {
    Result<json::Value> p = st.parameters->Evaluate(input, ctx);
    if (!p.ok()) return StateFailed(f, std::move(p).error());
    input = std::move(p).value();
  }
  const int64_t started = Emit(f, event_types::kParallelState.started, json::Value());
  if (finished()) return;
  auto g = std::make_unique<ChildGroup>();
  g->total = sp.branches.size();
  g->results.resize(g->total);
  g->frames.resize(g->total);
  g->started_event = started;
  g->last = f.last_event;
  f.phase = Phase::kBlocked;
  for (size_t b = 0; b < g->total; ++b) {
    g->frames[b] = NewFrame(sp.branches[b], &f, input, f.last_event, f.record);
    g->frames[b]->child_index = b;
    ++g->running;
    MakeReady(*g->frames[b]);
  }
  f.group = std::move(g);
  if (f.group->total == 0) {
    f.resume = ResumeKind::kChildrenDone;
    f.phase = Phase::kResume;
  }
}

void Execution::RunMapAttempt(Frame& f) {
  const asl::State& st = f.st();
  FrameContext ctx(this, &f);
  Result<json::Value> eff_r = ApplyInputOutputPath(st.input_path, f.raw_input, ctx);
  if (!eff_r.ok()) return RaiseRuntime(f, std::move(eff_r).error());
  json::Value eff = std::move(eff_r).value();
  json::Value items = eff;
  if (st.items_path && !(st.items_path->is_root() && !st.items_path->is_context())) {
    std::optional<json::Value> v = EvaluatePath(*st.items_path, eff, ctx);
    if (!v) return RaiseRuntime(f, NoResultsForPath(st.items_path->text()));
    items = std::move(*v);
  }
  if (!items.is_array()) {
    return RaiseRuntime(f, Error{std::string(kStatesRuntime),
                                 "Map state input must be an array but was: " + items.Dump()});
  }
  auto g = std::make_unique<ChildGroup>();
  g->is_map = true;
  g->distributed = st.distributed;
  if (st.max_concurrency.present()) {
    Result<int64_t> mc = ResolveInt(f, st.max_concurrency, eff, "MaxConcurrencyPath", 0);
    if (!mc.ok()) return RaiseRuntime(f, std::move(mc).error());
    g->max_concurrency = *mc;
  }
  if (st.tolerated_failure_count.present()) {
    Result<int64_t> c =
        ResolveInt(f, st.tolerated_failure_count, eff, "ToleratedFailureCountPath", 0);
    if (!c.ok()) return RaiseRuntime(f, std::move(c).error());
    g->tolerance = true;
    g->tolerated_count = *c;
    g->tolerated_percentage = 100;
  }
  if (st.tolerated_failure_percentage.present()) {
    double pct = 0;
    if (st.tolerated_failure_percentage.value) {
      pct = *st.tolerated_failure_percentage.value;
    } else {
      const asl::JsonPath& p = *st.tolerated_failure_percentage.path;
      std::optional<json::Value> v = EvaluatePath(p, eff, ctx);
      if (!v) return RaiseRuntime(f, NoResultsForPath(p.text()));
      std::optional<double> n = NumberValue(*v);
      if (!n || *n < 0 || *n > 100) {
        return RaiseRuntime(
            f, Error{std::string(kStatesRuntime),
                     "The ToleratedFailurePercentagePath field refers to value \"" +
                         MessageText(*v) + "\" which is not a valid percentage: " + p.text()});
      }
      pct = *n;
    }
    if (!g->tolerance) g->tolerated_count = INT64_MAX;
    g->tolerance = true;
    g->tolerated_percentage = pct;
  }
  if (g->distributed && !g->tolerance) {
    g->tolerance = true;
    g->tolerated_count = 0;
    g->tolerated_percentage = 0;
  }
  const json::Array& arr = items.as_array();
  if (st.item_batcher) {
    // Items pass through the ItemSelector first, then go into batches:
    // {"BatchInput": ..., "Items": [...]}.
    const asl::ItemBatcher& b = *st.item_batcher;
    int64_t max_items = INT64_MAX;
    int64_t max_bytes = INT64_MAX;
    if (b.max_items_per_batch.present()) {
      Result<int64_t> r = ResolveInt(f, b.max_items_per_batch, eff, "MaxItemsPerBatchPath", 1);
      if (!r.ok()) return RaiseRuntime(f, std::move(r).error());
      max_items = *r;
    }
    if (b.max_input_bytes_per_batch.present()) {
      Result<int64_t> r =
          ResolveInt(f, b.max_input_bytes_per_batch, eff, "MaxInputBytesPerBatchPath", 1);
      if (!r.ok()) return RaiseRuntime(f, std::move(r).error());
      max_bytes = *r;
    }
    std::optional<json::Value> batch_input;
    if (b.batch_input) {
      Result<json::Value> bi = b.batch_input->Evaluate(eff, ctx);
      if (!bi.ok()) return StateFailed(f, std::move(bi).error());
      batch_input = std::move(bi).value();
    }
    json::Array current;
    int64_t current_bytes = 0;
    auto flush = [&] {
      json::Object o;
      if (batch_input) o.emplace_back("BatchInput", *batch_input);
      o.emplace_back("Items", json::Value::MakeArray(std::move(current)));
      g->inputs.push_back(json::Value::MakeObject(std::move(o)));
      current.clear();
      current_bytes = 0;
    };
    for (size_t i = 0; i < arr.size(); ++i) {
      json::Value item = arr[i];
      if (st.parameters) {
        FrameContext ictx(this, &f, &arr[i], static_cast<int64_t>(i));
        Result<json::Value> sel = st.parameters->Evaluate(eff, ictx);
        if (!sel.ok()) return StateFailed(f, std::move(sel).error());
        item = std::move(sel).value();
      }
      const int64_t bytes = static_cast<int64_t>(JsonSize(item, SIZE_MAX));
      if (!current.empty() && (static_cast<int64_t>(current.size()) >= max_items ||
                               current_bytes + bytes > max_bytes)) {
        flush();
      }
      current.push_back(std::move(item));
      current_bytes += bytes;
    }
    if (!current.empty()) flush();
    g->total = g->inputs.size();
  } else {
    g->total = arr.size();
  }
  g->items = items;
  g->results.resize(g->total);
  g->frames.resize(g->total);
  f.effective = eff;
  const int64_t started = Emit(f, event_types::kMapState.started,
                               history::MapStateStarted(static_cast<int64_t>(arr.size())));
  if (finished()) return;
  g->started_event = started;
  g->last = f.last_event;
  if (g->distributed) {
    std::string label = st.label.empty() ? NewUuid() : st.label;
    std::string arn = "arn:aws:states:" + options_.region + ":" + options_.account +
                      ":mapRun:" + options_.state_machine_name + "/" + label + ":" + NewUuid();
    Emit(f, event_types::kMapRun.started, history::MapRunStarted(arn));
    g->last = f.last_event;
  }
  f.group = std::move(g);
  f.phase = Phase::kBlocked;
  if (f.group->total == 0) {
    f.resume = ResumeKind::kChildrenDone;
    f.phase = Phase::kResume;
    return;
  }
  LaunchIterations(f);
}

void Execution::LaunchIterations(Frame& owner) {
  ChildGroup& g = *owner.group;
  const asl::State& st = owner.st();
  const StatePlan& sp = owner.sp();
  while (g.next < g.total &&
         (g.max_concurrency == 0 || static_cast<int64_t>(g.running) < g.max_concurrency)) {
    const size_t i = g.next++;
    json::Value input;
    if (!g.inputs.empty()) {
      input = g.inputs[i];
    } else {
      const json::Value& item = g.items.as_array()[i];
      if (st.parameters) {
        FrameContext ictx(this, &owner, &item, static_cast<int64_t>(i));
        Result<json::Value> sel = st.parameters->Evaluate(owner.effective, ictx);
        if (!sel.ok()) {
          owner.pending_error = std::move(sel).error();
          if (owner.pending_error.error == kStatesRuntime) {
            owner.pending_error.cause = RuntimePrefix(owner) + owner.pending_error.cause;
          }
          owner.last_event = g.last;
          owner.resume = ResumeKind::kChildFailed;
          owner.phase = Phase::kResume;
          MakeReady(owner);
          g.next = g.total;
          return;
        }
        input = std::move(sel).value();
      } else {
        input = item;
      }
    }
    int64_t prev = g.started_event;
    if (!g.free_slots.empty()) {
      prev = g.free_slots.front();
      g.free_slots.pop_front();
    }
    const bool record = owner.record && !g.distributed;
    int64_t last = prev;
    if (record) {
      const int64_t id = EmitCompact(owner, prev, event_types::kMapIterationStarted,
                                     HistoryEvent::Compact::kMapIteration,
                                     json::Value::Int(static_cast<int64_t>(i)));
      if (id != 0) last = id;
    }
    if (finished()) return;
    g.frames[i] = NewFrame(sp.iterator, &owner, std::move(input), last, record);
    g.frames[i]->child_index = i;
    ++g.running;
    MakeReady(*g.frames[i]);
  }
}

void Execution::OnChildDone(Frame& child) {
  Frame& p = *child.parent;
  ChildGroup& g = *p.group;
  const size_t i = child.child_index;
  const bool inline_map = g.is_map && !g.distributed && p.record;
  --g.running;
  ++g.done;
  std::unique_ptr<Frame> holder = std::move(g.frames[i]);  // destroyed on return
  live_.erase(child.id);
  if (child.ok) {
    g.results[i] = std::move(child.output);
    if (inline_map) {
      const int64_t id = EmitCompact(p, child.last_event, event_types::kMapIterationSucceeded,
                                     HistoryEvent::Compact::kMapIteration,
                                     json::Value::Int(static_cast<int64_t>(i)));
      if (id != 0) g.last = id;
      g.free_slots.push_back(child.last_event);
    } else if (!g.is_map) {
      g.last = child.last_event;
    }
  } else {
    if (inline_map) {
      EmitCompact(p, child.last_event, event_types::kMapIterationFailed,
                  HistoryEvent::Compact::kMapIteration, json::Value::Int(static_cast<int64_t>(i)));
    }
    ++g.failed;
    bool tolerated = false;
    if (g.is_map && g.tolerance && !IsTerminalError(child.error.error)) {
      const double pct = 100.0 * static_cast<double>(g.failed) / static_cast<double>(g.total);
      tolerated =
          static_cast<int64_t>(g.failed) <= g.tolerated_count && pct <= g.tolerated_percentage;
    }
    if (tolerated) {
      g.results[i] = ErrorOutput(child.error);
      g.free_slots.push_back(child.last_event);
    } else {
      Error e = child.error;
      if (g.is_map && g.tolerance && !IsTerminalError(e.error)) {
        e = Error{std::string(kStatesExceedToleratedFailureThreshold),
                  "The specified tolerated failure threshold was exceeded"};
      }
      if (child.last_event != 0) p.last_event = child.last_event;
      p.pending_error = std::move(e);
      p.resume = ResumeKind::kChildFailed;
      p.phase = Phase::kResume;
      g.next = g.total;  // launch nothing more
      MakeReady(p);
      return;
    }
  }
  if (finished()) return;
  if (g.is_map) LaunchIterations(p);
  if (g.done == g.total && p.phase == Phase::kBlocked) {
    p.resume = ResumeKind::kChildrenDone;
    p.phase = Phase::kResume;
    MakeReady(p);
  }
}

void Execution::FinishChildren(Frame& f) {
  std::unique_ptr<ChildGroup> g = std::move(f.group);
  f.last_event = g->last;
  if (g->is_map && g->distributed) Emit(f, event_types::kMapRun.succeeded, json::Value());
  Emit(f, event_types::ChildrenEvents(g->is_map).succeeded, json::Value(),
       /*update_tracker=*/false);
  if (finished()) return;
  json::Value result = json::Value::MakeArray(std::move(g->results));
  FinishWithResult(f, std::move(result));
}

void Execution::AbortChildren(Frame& owner) {
  if (!owner.group) return;
  ChildGroup& g = *owner.group;
  const bool inline_map = g.is_map && !g.distributed && owner.record;
  for (size_t i = 0; i < g.frames.size(); ++i) {
    if (!g.frames[i]) continue;
    Frame& child = *g.frames[i];
    AbortFrame(child);
    if (inline_map) {
      EmitCompact(owner, child.last_event, event_types::kMapIterationAborted,
                  HistoryEvent::Compact::kMapIteration, json::Value::Int(static_cast<int64_t>(i)));
    }
    g.frames[i].reset();
  }
  g.running = 0;
}

void Execution::AbortFrame(Frame& f) {
  if (f.group) {
    AbortChildren(f);
    f.group.reset();
  }
  if (f.phase == Phase::kBlocked || f.phase == Phase::kResume) {
    const StateType t = f.st().type;
    if (t == StateType::kTask || t == StateType::kWait || t == StateType::kMap ||
        t == StateType::kParallel) {
      Emit(f, f.sp().aborted, json::Value());
    }
  }
  CancelTimers(f);
  ++f.token;
  f.phase = Phase::kDone;
  live_.erase(f.id);
}

// ---------------------------------------------------------------------------------------------
// Errors

void Execution::RaiseRuntime(Frame& f, Error e) {
  if (e.error == kStatesRuntime) e.cause = RuntimePrefix(f) + e.cause;
  if (!IsTerminalError(e.error)) return StateFailed(f, std::move(e));
  FinishExecution(ExecutionStatus::kFailed, history::ErrorCause(e.error, e.cause), f.last_event,
                  std::nullopt, e.error, e.cause);
}

void Execution::StateFailed(Frame& f, Error e) {
  f.pending_assign = nullptr;  // the state's own Assign never applies when it fails
  if (IsTerminalError(e.error)) {
    if (e.error == kStatesRuntime &&
        e.cause.find("An error occurred while executing the state") == std::string::npos) {
      e.cause = RuntimePrefix(f) + e.cause;
    }
    FinishExecution(ExecutionStatus::kFailed, history::ErrorCause(e.error, e.cause), f.last_event,
                    std::nullopt, e.error, e.cause);
    return;
  }
  const asl::State& st = f.st();
  const bool handles =
      st.type == StateType::kTask || st.type == StateType::kParallel || st.type == StateType::kMap;
  if (handles) {
    if (f.retrier_attempts.size() < st.retry.size()) f.retrier_attempts.resize(st.retry.size());
    for (size_t i = 0; i < st.retry.size(); ++i) {
      const asl::Retrier& r = st.retry[i];
      if (!ErrorMatches(r.error_equals, e.error)) continue;
      if (f.retrier_attempts[i] < r.max_attempts) {
        ++f.retrier_attempts[i];
        ++f.retry_count;
        const int64_t delay = RetryDelayMillis(r, f.retrier_attempts[i], Random01());
        f.phase = Phase::kBlocked;
        ArmTimer(f, TimerKind::kRetry, Now() + delay, &f.timer);
        return;
      }
      break;  // the first matching retrier decides
    }
    if (st.type == StateType::kMap || st.type == StateType::kParallel) {
      Emit(f, event_types::ChildrenEvents(st.type == StateType::kMap).failed, json::Value());
    }
    if (finished()) return;
    for (const asl::Catcher& c : st.catchers) {
      if (!ErrorMatches(c.error_equals, e.error)) continue;
      json::Value error_output = ErrorOutput(e);
      if (c.assign) {
        FrameContext ctx(this, &f);
        Status s = EvaluateAssign(f, *c.assign, error_output, ctx);
        if (!s.ok()) {
          // Not handed to the catchers again: fail the frame (or, if terminal, the execution).
          if (IsTerminalError(s.error().error)) return RaiseRuntime(f, std::move(s).error());
          return FailFrame(f, std::move(s).error());
        }
      }
      Result<json::Value> out =
          ApplyResultPathField(c.result_path, f.raw_input, std::move(error_output));
      if (!out.ok()) return FailFrame(f, std::move(out).error());
      return EmitExited(f, std::move(out).value(), c.next);
    }
  }
  FailFrame(f, std::move(e));
}

// ---------------------------------------------------------------------------------------------
// Helpers

Result<int64_t> Execution::ResolveInt(Frame& f, const asl::NumberField& field,
                                      const json::Value& input, const char* field_name,
                                      int64_t min_value) {
  if (field.value) return static_cast<int64_t>(*field.value);
  FrameContext ctx(this, &f);
  std::optional<json::Value> v = EvaluatePath(*field.path, input, ctx);
  if (!v) return NoResultsForPath(field.path->text());
  std::optional<int64_t> n = IntegerValue(*v);
  if (!n || *n < min_value) {
    return Error{std::string(kStatesRuntime),
                 std::string("The ") + field_name + " field refers to value \"" + MessageText(*v) +
                     "\" which is not a valid integer: " + field.path->text()};
  }
  return *n;
}

bool Execution::CheckSize(Frame& f, const json::Value& v, bool is_input) {
  if (v.kind() < json::Kind::kString) return true;
  if (SameNode(v, size_checked_)) return true;
  if (JsonSize(v) > kMaxPayloadBytes) {
    const std::string& name = f.sp().state->name;
    std::string cause =
        is_input ? "The state/task '" + name +
                       "' has an input with a size exceeding the maximum number of bytes service "
                       "limit."
                 : "The state/task '" + name +
                       "' returned a result with a size exceeding the maximum number of bytes "
                       "service limit.";
    FinishExecution(ExecutionStatus::kFailed,
                    history::ErrorCause(std::string(kStatesDataLimitExceeded), cause), f.last_event,
                    std::nullopt, std::string(kStatesDataLimitExceeded), cause);
    return false;
  }
  size_checked_ = v;
  return true;
}

void Execution::ArmTimer(Frame& f, TimerKind kind, int64_t due_millis, uint64_t* slot) {
  if (scheduler_ == nullptr) return;
  if (replay_ != nullptr) {
    // Held until the history shows the timer fired (or until the replay is over).
    *slot = kReplayTimerBit | next_replay_timer_++;
    replay_timers_.push_back(ReplayTimer{*slot, due_millis, f.id, f.token, kind});
    return;
  }
  std::weak_ptr<Execution> weak = weak_from_this();
  const uint64_t fid = f.id;
  const uint64_t token = f.token;
  *slot = scheduler_->AddTimer(due_millis, [weak, fid, token, kind] {
    if (auto e = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kTimer;
      m.frame_id = fid;
      m.token = token;
      m.timer = kind;
      e->Deliver(std::move(m));
    }
  });
}

void Execution::CancelTimer(uint64_t* slot) {
  if (*slot == 0) return;
  if ((*slot & kReplayTimerBit) != 0) {
    std::erase_if(replay_timers_, [id = *slot](const ReplayTimer& t) { return t.id == id; });
  } else if (scheduler_ != nullptr) {
    scheduler_->CancelTimer(*slot);
  }
  *slot = 0;
}

void Execution::CancelTimers(Frame& f) {
  for (Scheduler::TimerId* t : {&f.timer, &f.timeout_timer, &f.heartbeat_timer}) CancelTimer(t);
}

// ---------------------------------------------------------------------------------------------
// Crash resume

bool Execution::ReplayEvent(int64_t id, std::string_view type) {
  const HistoryEvent& recorded = (*replay_)[id - 1];
  if (recorded.type != type) {
    FailResume("event " + std::to_string(id) + " was " + std::string(recorded.type) +
               ", the re-run recorded " + std::string(type));
    return false;
  }
  replay_now_ = recorded.timestamp_millis;
  if (id == replayed_events_) {
    replay_.reset();  // what follows is live
    GoLive();
  }
  return true;
}

namespace {

// The outcome a recorded task event (…Succeeded, …Failed, …TimedOut) reports; for TaskSubmitted,
// the output it reported.
TaskOutcome RecordedOutcome(const HistoryEvent& e) {
  auto text = [&](const char* key) -> std::string {
    const json::Value* v = e.details.is_object() ? e.details.Find(key) : nullptr;
    return v != nullptr && v->is_string() ? v->as_string() : std::string();
  };
  if (e.type.ends_with("Succeeded") || e.type == event_types::kTaskSubmitted.type) {
    const json::Value* out = e.details.is_object() ? e.details.Find("output") : nullptr;
    if (out == nullptr || !out->is_string()) return json::Value();
    Result<json::Value> parsed = json::Parse(out->as_string());
    if (!parsed.ok()) return json::Value::String(out->as_string());
    return std::move(parsed).value();
  }
  return Error{text("error"), text("cause")};
}

}  // namespace

bool Execution::ReplayNextInput() {
  const HistoryEvent& next = (*replay_)[next_event_id_ - 1];
  if (next.type == event_types::kExecutionTimedOut.type) {
    Message m;
    m.kind = Message::Kind::kTimer;
    m.timer = TimerKind::kExecutionTimeout;
    HandleMessage(m);
    return true;
  }
  // A task's outcome: the next event follows the task's Started event.
  for (size_t i = 0; i < replay_tasks_.size(); ++i) {
    if (replay_tasks_[i].started_event != next.previous_event_id) continue;
    const uint64_t fid = replay_tasks_[i].frame_id;
    const uint64_t token = replay_tasks_[i].token;
    if (next.type == event_types::kTaskSubmitted.type) {
      // Not an outcome: the task runs on, and its outcome follows this event.
      replay_tasks_[i].started_event = next_event_id_;
      Message m;
      m.kind = Message::Kind::kSubmitted;
      m.frame_id = fid;
      m.token = token;
      Result<json::Value> output = RecordedOutcome(next);
      m.payload = output.ok() ? std::move(output).value() : json::Value();
      HandleMessage(m);
      return true;
    }
    replay_tasks_.erase(replay_tasks_.begin() + static_cast<std::ptrdiff_t>(i));
    auto it = live_.find(fid);
    Frame* f = it == live_.end() ? nullptr : it->second;
    if (next.type.ends_with("TimedOut") && f != nullptr) {
      // The task's TimeoutSeconds or HeartbeatSeconds timer fired.
      const json::Value* error = next.details.is_object() ? next.details.Find("error") : nullptr;
      const bool heartbeat =
          error != nullptr && error->is_string() && error->as_string() == kStatesHeartbeatTimeout;
      const uint64_t slot = heartbeat ? f->heartbeat_timer : f->timeout_timer;
      if (slot != 0) {
        std::erase_if(replay_timers_, [slot](const ReplayTimer& t) { return t.id == slot; });
        Message m;
        m.kind = Message::Kind::kTimer;
        m.frame_id = fid;
        m.token = token;
        m.timer = heartbeat ? TimerKind::kHeartbeat : TimerKind::kTaskTimeout;
        HandleMessage(m);
        return true;
      }
    }
    Message m;
    m.kind = Message::Kind::kTaskDone;
    m.frame_id = fid;
    m.token = token;
    m.outcome.emplace(RecordedOutcome(next));
    HandleMessage(m);
    return true;
  }
  // A Wait or a retry back-off that ended: the one of the frame the next event continues, else
  // the one due first (how the scheduler fires them).
  const ReplayTimer* pick = nullptr;
  for (const ReplayTimer& t : replay_timers_) {
    if (t.kind != TimerKind::kWait && t.kind != TimerKind::kRetry) continue;
    auto it = live_.find(t.frame_id);
    if (it != live_.end() && it->second->last_event == next.previous_event_id) {
      pick = &t;
      break;
    }
    if (pick == nullptr || t.due < pick->due || (t.due == pick->due && t.id < pick->id)) pick = &t;
  }
  if (pick == nullptr) return false;
  Message m;
  m.kind = Message::Kind::kTimer;
  m.frame_id = pick->frame_id;
  m.token = pick->token;
  m.timer = pick->kind;
  const uint64_t id = pick->id;
  std::erase_if(replay_timers_, [id](const ReplayTimer& t) { return t.id == id; });
  HandleMessage(m);
  return true;
}

void Execution::GoLive() {
  std::vector<ReplayTimer> timers = std::move(replay_timers_);
  std::vector<ParkedTask> tasks = std::move(replay_tasks_);
  replay_timers_.clear();
  replay_tasks_.clear();
  for (const ReplayTimer& t : timers) {
    auto it = live_.find(t.frame_id);
    if (it == live_.end() || it->second->token != t.token) continue;
    Frame& f = *it->second;
    for (Scheduler::TimerId* slot : {&f.timer, &f.timeout_timer, &f.heartbeat_timer}) {
      if (*slot == t.id) ArmTimer(f, t.kind, t.due, slot);
    }
  }
  for (ParkedTask& t : tasks) {
    auto it = live_.find(t.frame_id);
    if (it == live_.end() || it->second->token != t.token || it->second->phase != Phase::kBlocked) {
      continue;
    }
    // In flight when the server stopped: its outcome was never recorded, so it runs again
    // (at least once, as AWS runs a task whose worker was lost).
    t.request.context = &t.context;
    DispatchTask(t.request, t.frame_id, t.token);
  }
}

void Execution::FailResume(const std::string& why) {
  replay_.reset();
  recorded_clock_ = false;
  replay_timers_.clear();
  replay_tasks_.clear();
  next_event_id_ = replayed_events_ + 1;
  const std::string cause = "The execution could not be resumed after a restart: " + why + ".";
  FinishExecution(ExecutionStatus::kFailed, history::ErrorCause(std::string(kStatesRuntime), cause),
                  replayed_events_, std::nullopt, std::string(kStatesRuntime), cause);
}

const json::Value& Execution::ContextFor(const Frame& cf, const json::Value* item, int64_t index) {
  Frame& f = const_cast<Frame&>(cf);
  if (item == nullptr && f.context) return *f.context;
  if (context_execution_.is_null()) {
    context_execution_ = json::Value::MakeObject({
        {"Id", json::Value::String(execution_arn_)},
        {"Input", options_.input},
        {"StartTime", json::Value::String(FormatTimestamp(start_millis_))},
        {"Name", json::Value::String(name_)},
        {"RoleArn", json::Value::String(role_arn_)},
        {"RedriveCount", json::Value::Int(0)},
    });
    context_state_machine_ = json::Value::MakeObject({
        {"Id", json::Value::String(state_machine_arn_)},
        {"Name", json::Value::String(options_.state_machine_name)},
    });
  }
  const StateType t = f.st().type;
  json::Object state;
  state.emplace_back("Name", f.sp().name);
  state.emplace_back("EnteredTime", json::Value::String(FormatTimestamp(f.entered_millis)));
  if (t == StateType::kTask || t == StateType::kParallel || t == StateType::kMap) {
    state.emplace_back("RetryCount", json::Value::Int(f.retry_count));
  }
  json::Object o;
  o.emplace_back("Execution", context_execution_);
  o.emplace_back("StateMachine", context_state_machine_);
  o.emplace_back("State", json::Value::MakeObject(std::move(state)));
  if (item != nullptr) {
    o.emplace_back("Map", json::Value::MakeObject({{"Item", json::Value::MakeObject({
                                                                {"Index", json::Value::Int(index)},
                                                                {"Value", *item},
                                                            })}}));
  }
  if (!f.task_token.empty()) {
    o.emplace_back("Task", json::Value::MakeObject({{"Token", json::Value::String(f.task_token)}}));
  }
  json::Value v = json::Value::MakeObject(std::move(o));
  if (item != nullptr) {
    // A per-item context (Map ItemSelector): FrameContext copies it right away.
    scratch_context_ = std::move(v);
    return scratch_context_;
  }
  f.context = std::move(v);
  return *f.context;
}

std::string Execution::NewUuid() {
  const uint64_t a = rng_();
  const uint64_t b = rng_();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0x0fff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

double Execution::Random01() {
  return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);
}

// ---------------------------------------------------------------------------------------------

ExecutionResult RunToCompletion(std::shared_ptr<const asl::StateMachine> machine,
                                const ExecutionOptions& options, TaskRunner* tasks, Clock* clock) {
  Scheduler scheduler(clock);
  std::shared_ptr<Execution> exec =
      Execution::Create(std::move(machine), options, tasks, &scheduler);
  exec->Start();
  scheduler.RunUntil([&] { return exec->finished(); });
  exec->Detach();
  return exec->TakeResult();
}

}  // namespace stator::engine
