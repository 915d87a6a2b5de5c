#include "engine/executor.h"

#include <random>
#include <utility>

#include "common/mutex.h"
#include "common/uuid.h"
#include "engine/allocator_tuning.h"
#include "engine/executor_internal.h"
#include "engine/history.h"

namespace stator::engine {

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
  MutexLock lock(&inbox_mu_);
  if (scheduler_ != nullptr) {
    for (; external_in_flight_ > 0; --external_in_flight_) scheduler_->ExternalFinished();
  }
}

void Execution::Start(bool run_here) {
  // Running here: this thread is the execution's runner from now on, so anything delivered
  // meanwhile only marks more work for it (see Notify).
  if (run_here) run_state_.store(RunState::kRunning, std::memory_order_release);
  start_millis_ = options_.start_millis.value_or(Now());
  top_ = NewFrame(plan_.get(), nullptr, options_.input, 0, true);
  if (options_.input_text) {
    EmitWithPrev(*top_, 0, event_types::kExecutionStarted,
                 history::ExecutionStarted(json::Value::String(*options_.input_text), role_arn_));
    // (A redrive cut right after it records ExecutionRedriven, which has no payloads.)
    if (!events_.empty() && events_.back().type == event_types::kExecutionStarted.type) {
      events_.back().payloads_are_text = true;
    }
  } else {
    EmitWithPrev(*top_, 0, event_types::kExecutionStarted,
                 history::ExecutionStarted(options_.input, role_arn_));
  }
  // A redriven execution's timeout counts from its last redrive (MaybeRedrive arms it).
  if (machine_->timeout_seconds && options_.redrives.empty()) {
    ArmExecutionTimeout(start_millis_ + *machine_->timeout_seconds * 1000);
  }
  MakeReady(*top_);
  if (run_here) return Run();
  MutexLock lock(&inbox_mu_);
  Notify();
}

void Execution::ArmExecutionTimeout(int64_t due) {
  std::weak_ptr<Execution> weak = weak_from_this();
  MutexLock lock(&inbox_mu_);
  if (scheduler_ == nullptr) return;
  if (timeout_timer_ != 0) scheduler_->CancelTimer(timeout_timer_);
  timeout_timer_ = scheduler_->AddTimer(due, [weak] {
    if (auto execution = weak.lock()) {
      Message m;
      m.kind = Message::Kind::kTimer;
      m.timer = TimerKind::kExecutionTimeout;
      execution->Deliver(std::move(m));
    }
  });
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
  MutexLock lock(&inbox_mu_);
  if (scheduler_ != nullptr) {
    for (; external_in_flight_ > 0; --external_in_flight_) scheduler_->ExternalFinished();
  }
  scheduler_ = nullptr;
}

std::string Execution::NewUuid() {
  const uint64_t hi = rng_();
  const uint64_t lo = rng_();
  return UuidV4From(hi, lo);
}

double Execution::Random01() {
  return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);
}

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
