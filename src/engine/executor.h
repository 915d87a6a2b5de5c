// Execution: one run of a compiled state machine, as a resumable object.
//
// An execution is a tree of frames: the top-level frame, one frame per running Parallel branch
// and one per running Map iteration. Each frame walks the states of its (sub-)machine. A frame
// runs until it has to wait (Wait state, Retry back-off, a Task in flight, children running)
// and then gives the thread back; timers (Scheduler::AddTimer) and task completions (from any
// thread) are delivered to the execution's inbox and make it runnable again. No thread ever
// sleeps on behalf of an execution.
//
// Usage (a server; RunToCompletion does the same for one execution):
//   auto exec = Execution::Create(machine, options, runner, &scheduler);
//   exec->Start();                      // records ExecutionStarted, schedules the first step
//   scheduler.RunUntil([&] { return exec->finished(); });
//   ExecutionResult r = exec->TakeResult();
//
// Ownership: the execution shares ownership of the machine; it does not own the TaskRunner or
// the Scheduler, which must outlive it or be released with Detach() first.
// Thread-safety: Start, Stop, Deliver-side callbacks (task completions, heartbeats, timers),
// finished() and Detach() may be called from any thread. Run() is called by the scheduler and is
// never entered by two threads at once. TakeResult() may be called once finished() is true.
//
// The private member functions live one concept per file, executor_*.cc (the map is in
// executor_internal.h); the frames they walk are in frame.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "asl/state_machine.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "engine/event_type.h"
#include "engine/execution.h"
#include "engine/machine_plan.h"
#include "engine/scheduler.h"

namespace stator::engine {

struct Frame;
struct ChildGroup;
class FrameContext;

class Execution : public Runnable, public std::enable_shared_from_this<Execution> {
 public:
  static std::shared_ptr<Execution> Create(std::shared_ptr<const asl::StateMachine> machine,
                                           ExecutionOptions options, TaskRunner* tasks,
                                           Scheduler* scheduler);
  ~Execution() override;

  // Records ExecutionStarted and makes the execution runnable. With run_here, the calling
  // thread runs it right away until it ends or has to wait (what follows a wait runs on the
  // scheduler): a synchronous Express execution then costs no thread hand-off.
  void Start(bool run_here = false) EXCLUDES(inbox_mu_);
  // Ends a running execution as ABORTED (StopExecution).
  void Stop(const std::string& error, const std::string& cause) EXCLUDES(inbox_mu_);
  // Called once, on the thread that finished the execution, after its final event.
  void SetOnFinished(std::function<void()> fn);

  bool finished() const { return finished_.load(std::memory_order_acquire); }
  const std::string& execution_arn() const { return execution_arn_; }
  const std::string& name() const { return name_; }

  // The result; events are moved out. Only once finished().
  ExecutionResult TakeResult();

  // Stops talking to the scheduler (late task completions are dropped). Call before destroying
  // a scheduler that may still get completions for this execution.
  void Detach() EXCLUDES(inbox_mu_);

  // Runnable: steps every runnable frame (called by the scheduler).
  void Run() override EXCLUDES(inbox_mu_);

 private:
  // The executor's own types (executor_internal.h, frame.h).
  friend class FrameContext;
  friend class JsonataView;
  struct Message;
  struct ReplayTimer;
  struct ParkedTask;
  enum class TimerKind : uint8_t { kWait, kRetry, kTaskTimeout, kHeartbeat, kExecutionTimeout };
  // Who runs the execution: it is queued at most once and never run by two threads at once.
  enum class RunState : uint8_t {
    kIdle,                 // neither queued nor running
    kQueued,               // handed to the scheduler, not running yet
    kRunning,              // a thread is in Run (or in Start(run_here))
    kRunningWithMoreWork,  // and something arrived meanwhile: Run goes round once more
  };

  Execution(std::shared_ptr<const asl::StateMachine> machine, ExecutionOptions options,
            TaskRunner* tasks, Scheduler* scheduler);
  std::string NewUuid();
  double Random01();

  // The inbox and run-state protocol, timers and task dispatch (executor_inbox.cc).
  void Deliver(Message m) EXCLUDES(inbox_mu_);
  // Makes the execution runnable (queues it, or tells the running thread there is more).
  void Notify() REQUIRES(inbox_mu_);
  // One task of this execution that ran outside the scheduler has answered.
  void EndExternalLocked() REQUIRES(inbox_mu_);
  // Handles one inbox message (in arrival order); false when the inbox is empty.
  bool HandleOneMessage() EXCLUDES(inbox_mu_);
  void HandleMessage(Message& m);
  void ArmTimer(Frame& f, TimerKind kind, int64_t due_millis, uint64_t* timer_slot)
      EXCLUDES(inbox_mu_);
  void CancelTimers(Frame& f) EXCLUDES(inbox_mu_);
  void CancelTimer(uint64_t* timer_slot) EXCLUDES(inbox_mu_);
  // Hands a task to the runner (or holds it, see ExecutionOptions::when_durable); its
  // completion comes back through the inbox. DispatchNow may run on any thread.
  void DispatchTask(TaskRequest& request, uint64_t frame_id, uint64_t token) EXCLUDES(inbox_mu_);
  void DispatchNow(TaskRequest& request, uint64_t frame_id, uint64_t token);
  // Parks `request` in `list`.
  static void Park(std::vector<ParkedTask>* list, const TaskRequest& request, uint64_t frame_id,
                   uint64_t token, int64_t started_event);
  void ReleaseHeldTasks();

  // Events (executor_events.cc).
  // Each returns the new event's id, or 0 when the frame records no events (or the execution
  // ended). type's names must live as long as the process (see HistoryEvent).
  int64_t Emit(Frame& f, const EventType& type, json::Value details, bool update_tracker = true);
  // An event of f's state in one of HistoryEvent's compact forms, with prev as its previous
  // event; EmitState also makes it f's last event.
  int64_t EmitCompact(Frame& f, int64_t prev, const EventType& type, HistoryEvent::Compact form,
                      json::Value payload);
  int64_t EmitState(Frame& f, const EventType& type, HistoryEvent::Compact form,
                    const json::Value& payload);
  // *recorded, when given, is set to the event kept in the history, or nullptr.
  int64_t EmitWithPrev(Frame& f, int64_t prev, const EventType& type, json::Value details,
                       HistoryEvent** recorded = nullptr);
  // Records the event that ends the execution with status (event_types::ExecutionEnded) and
  // sets the result.
  void FinishExecution(ExecutionStatus status, json::Value details, int64_t prev,
                       std::optional<json::Value> output, std::optional<std::string> error,
                       std::optional<std::string> cause) EXCLUDES(inbox_mu_);
  // Hands the events recorded so far to options_.history_sink, if there is one.
  void FlushHistory();

  // The step loop (executor_step.cc).
  std::unique_ptr<Frame> NewFrame(const MachinePlan* plan, Frame* parent, json::Value input,
                                  int64_t last_event, bool records_history);
  void MakeReady(Frame& f);
  void Step(Frame& f);
  void EnterState(Frame& f);
  void RunAttempt(Frame& f);
  // Completes a Pass/Task/Parallel/Map state with its raw result: ResultSelector, Assign,
  // ResultPath, OutputPath, the Exited event, the transition.
  void FinishWithResult(Frame& f, json::Value result);
  // OutputPath, then EmitExited to the state's Next: how most states leave.
  void ExitState(Frame& f, json::Value&& state_output_before_output_path);
  // Applies the state's OutputPath (when it has one) to *out; false when that failed the
  // execution.
  bool ApplyOutputPath(Frame& f, json::Value* out);
  // Size check, pending variables committed, Exited event, transition to next (and, in a KNIX
  // workflow, the state's own routes unless the exit is a Catch's).
  void EmitExited(Frame& f, json::Value&& output, int next, bool caught = false);
  void Transition(Frame& f, int next, json::Value output);
  void FrameSucceeded(Frame& f, json::Value output);
  void FailFrame(Frame& f, Error e);
  // A *Path field's integer (TimeoutSecondsPath, MaxConcurrencyPath, ...), at least min_value.
  Result<int64_t> ResolveInt(Frame& f, const asl::NumberField& field, const json::Value& input,
                             const char* field_name, int64_t min_value);
  // States.DataLimitExceeded: false (and the execution failed) when v is over the payload quota.
  bool CheckSize(Frame& f, const json::Value& v, bool is_input);

  // The states (executor_basic_states.cc, executor_task_state.cc, executor_map_parallel.cc).
  void RunPass(Frame& f);
  void RunSucceed(Frame& f);
  void RunChoice(Frame& f);
  void RunWait(Frame& f);
  void FinishWait(Frame& f, json::Value effective_input);
  void RunFail(Frame& f);
  void RunTaskAttempt(Frame& f);
  void OnTaskOutcome(Frame& f, TaskOutcome outcome);
  void OnTaskTimeout(Frame& f, Error e);
  void RunParallelAttempt(Frame& f);
  void RunMapAttempt(Frame& f);
  void LaunchIterations(Frame& owner);
  void OnChildDone(Frame& child);
  void FinishChildren(Frame& f);
  // A child (or an ItemSelector) failed past tolerance: abort the others, then fail the state.
  void FailChildren(Frame& f);
  void AbortChildren(Frame& owner);
  void AbortFrame(Frame& f);

  // Distributed Map states run by options_.map_runner (distributed_map.cc): hands the Map Run
  // to the runner (held until its events are durable, parked while replaying); its outcome
  // resumes the Map state; an aborted Map state or a finished execution aborts it.
  void StartMapRun(Frame& f, const std::string& map_run_arn);
  // A Map state's failure before (more of) its iterations start — its ItemSelector or its
  // ResultWriter's Parameters failed: the state resumes failed with `e` (a States.Runtime cause
  // gets the state's prefix).
  void FailMapBeforeChildren(Frame& f, Error e);
  void DispatchMapRun(uint64_t frame_id, uint64_t token, MapRunRequest request);
  struct ParkedMapRun;
  // Gives a dispatched Map Run to the runner (any thread) and ends its hand-over's external
  // work.
  void HandOverMapRun(ParkedMapRun& run) EXCLUDES(inbox_mu_);
  void OnMapRunDone(Frame& f, Result<json::Value> outcome);
  void ReleaseHeldMapRuns();
  // Replay: the outcome of a parked Map Run the next recorded event reports; false if none.
  bool ReplayMapRunOutcome(const HistoryEvent& next);
  void AbortMapRun(ChildGroup& children);
  void AbortMapRuns();
  // JSONata states (executor_jsonata.cc). QueryFailed records the EvaluationFailed event and
  // returns the States.QueryEvaluationError to fail the state with (cause prefixed).
  Error QueryFailed(Frame& f, const asl::QueryFailure& failure);
  // Arguments of a Task or Parallel (*input: the raw input, replaced by the arguments); false
  // when the state failed.
  bool EvaluateArguments(Frame& f, json::Value* input);
  // A JSONata state's end: Assign and Output (with $states.result = value when has_result;
  // Output absent: value), the Exited event, the transition to next.
  void FinishJsonata(Frame& f, json::Value value, bool has_result, int next);
  void RunJsonataChoice(Frame& f);
  void RunJsonataWait(Frame& f);
  void RunJsonataFail(Frame& f);
  // A Map's items (Items, or the input): an array, or the state failed and nullopt.
  std::optional<json::Value> JsonataMapItems(Frame& f);
  // One Map item as its iteration's input: ItemSelector (JSONPath or JSONata) or the item.
  Result<json::Value> SelectItem(Frame& owner, const json::Value& item, int64_t index);
  // A number field's value from its JSONata expression (an integer >= min_value unless
  // `fraction`); failures are recorded (QueryFailed) and returned.
  Result<double> ResolveJsonataNumber(Frame& f, const asl::JsonataTemplate& expr, double min_value,
                                      double max_value, bool fraction);
  // A Catcher of a JSONata state: Assign and Output over $states.errorOutput.
  void CatchJsonata(Frame& f, const asl::Catcher& catcher, const Error& e);

  // A state's failure (executor_retry_catch.cc).
  void StateFailed(Frame& f, Error e);   // retry / catch / fail the frame
  void RaiseRuntime(Frame& f, Error e);  // prefixes the cause, fails the execution
  // The state's InputPath applied to the frame's raw input; on a runtime error, raised as above,
  // nullopt (the state has nothing more to do).
  std::optional<json::Value> EffectiveInput(Frame& f, const asl::Context& context);

  // Workflow variables (executor_variables.cc). EvaluateAssign computes an Assign block's values
  // (against the old variables) and keeps them pending on the frame; CommitVariables applies
  // them when the state exits (checking the size quotas and that no outer scope's variable is
  // set) and hands back {"name": value, ...} for the history, or fails the execution and
  // returns false.
  Status EvaluateAssign(Frame& f, const asl::Assignment& assign, const json::Value& input,
                        const asl::Context& context);
  bool CommitVariables(Frame& f, json::Value* assigned);

  // KNIX workflows (executor_knix.cc; asl::StateMachine::knix_routes): several top-level
  // frames (forks) walk at once; each that reaches the exit delivers a result.
  // Whether `next` may be routed to from state `from` as `how` says: the target index (or
  // asl::kEnd), or KNIX's error. Any thread (reads the immutable machine only).
  Result<int> CheckKnixRoute(const asl::KnixState* from, const std::string& next,
                             KnixRoute how) const;
  // The route callback (TaskRequest::route) of a top-level Task's request, request.knix set.
  void SetKnixRoute(TaskRequest& request, uint64_t frame_id, uint64_t token);
  void OnKnixRoute(Message& m);
  // A new top-level frame entering state `target` with `input` (target asl::kEnd: a result).
  void ForkAt(int target, json::Value input, const Frame& from);
  void DeliverResult(const json::Value& result);
  // The routes of f's state as it exits with `output` towards *next: static KnixNext, the
  // Task's dynamic ones; a state that routes nowhere makes *next the end without a result.
  void TakeKnixRoutes(Frame& f, const json::Value& output, int* next);
  // A top-level frame ended: deliver, fail, or end the execution once no frame walks.
  void TopFrameDone(Frame& f);
  // WaitForNumBranches: a fork continues after the Parallel with the branches finished so far.
  void JoinSome(Frame& parallel);
  // Whether the Parallel's full join is silent (its largest k is below the branch count).
  bool JoinsNoMore(const Frame& parallel) const;
  // KNIX's Retry and Catch of a top-level Task (StateUtils' exec_function_catch_retry).
  void KnixTaskFailed(Frame& f, Error e);

  // Crash resume, ExecutionOptions::replay (executor_replay.cc).
  // Checks event `id` of type `type` against the history; false when they disagree.
  bool ReplayEvent(int64_t id, std::string_view type);
  // Feeds the input (a task outcome or a timer) that led to the next recorded event; false
  // when there is none.
  bool ReplayNextInput();
  // Leaves replay (right after the last recorded event, before anything live can arm a timer,
  // so that timers keep their order): arms the held timers, dispatches the tasks in flight.
  void GoLive();
  // Ends a replay that disagrees with the history (see ExecutionOptions::replay).
  void FailResume(const std::string& why);
  // Redrive (ExecutionOptions::redrives): after event `id`, the next redrive's cut, if it is
  // there: ExecutionRedriven recorded (or replayed) at the cut's id.
  void MaybeRedrive(int64_t id);
  // (Re-)arms the machine's TimeoutSeconds to fire at `due`.
  void ArmExecutionTimeout(int64_t due);

  // The context object $$ of f's current state, built at most once per attempt; with map_item,
  // a per-item one for a Map's ItemSelector (executor_context.cc).
  const json::Value& ContextFor(const Frame& f, const json::Value* map_item, int64_t item_index);

  // The execution's clock: the recorded time while replaying, else the clock's.
  int64_t Now() const { return recorded_clock_ ? replay_now_ : clock_->NowMillis(); }

  // Immutable after construction.
  std::shared_ptr<const asl::StateMachine> machine_;
  std::shared_ptr<const MachinePlan> plan_;
  ExecutionOptions options_;
  TaskRunner* const tasks_;
  Clock* const clock_;
  std::string name_;
  std::string execution_arn_;
  std::string state_machine_arn_;
  std::string role_arn_;

  // Owned by the running thread (Run is never concurrent).
  std::unique_ptr<Frame> top_;
  // KNIX workflows: the other top-level frames, how many top-level frames still walk, and the
  // last result delivered.
  std::vector<std::unique_ptr<Frame>> forks_;
  int64_t live_top_frames_ = 1;
  json::Value last_result_;
  std::unordered_map<uint64_t, Frame*> live_;  // every frame that exists, by id
  std::deque<uint64_t> ready_;                 // frame ids to step
  uint64_t next_frame_id_ = 1;
  int64_t next_event_id_ = 1;
  int64_t start_millis_ = 0;
  EventLog events_;
  json::Value context_execution_;  // the "Execution" part of $$, built on first use
  json::Value context_state_machine_;
  std::mt19937_64 rng_;
  uint64_t timeout_timer_ = 0;
  json::Value scratch_context_;         // hands a per-item context to FrameContext
  json::Value size_checked_;            // the last payload found within quota (identity cache)
  std::vector<int64_t> sizes_scratch_;  // CommitVariables' per-variable sizes
  std::function<void()> on_finished_;
  ExecutionResult result_;
  std::vector<ParkedTask> held_tasks_;  // until their events are durable (when_durable)
  // Distributed Map Runs: held until durable, parked while replaying, and those running.
  struct ParkedMapRun {
    uint64_t frame_id = 0;
    uint64_t token = 0;
    int64_t started_event = 0;  // MapRunStarted's id
    MapRunRequest request;
  };
  std::vector<ParkedMapRun> held_map_runs_;
  std::vector<ParkedMapRun> replay_map_runs_;
  std::vector<std::string> running_map_runs_;
  std::vector<Message> pending_;  // taken from the inbox, handled one at a time
  size_t pending_next_ = 0;

  // Replay state (ExecutionOptions::replay); replay_ is null once live.
  std::shared_ptr<const std::vector<HistoryEvent>> replay_;
  int64_t replayed_events_ = 0;  // how many events the history held (ids 1..n)
  int64_t replay_now_ = 0;
  // True while the clock is the history's: during the replay and until what the last recorded
  // event's step set in motion has run (it all happened at that moment).
  bool recorded_clock_ = false;
  std::vector<ReplayTimer> replay_timers_;
  std::vector<ParkedTask> replay_tasks_;
  uint64_t next_replay_timer_ = 1;
  size_t next_redrive_ = 0;  // the next cut of options_.redrives

  // Cross-thread state.
  std::atomic<bool> finished_{false};
  std::atomic<RunState> run_state_{RunState::kIdle};
  Mutex inbox_mu_;
  std::vector<Message> inbox_ GUARDED_BY(inbox_mu_);
  Scheduler* scheduler_ GUARDED_BY(inbox_mu_);  // null once detached
  int64_t external_in_flight_ GUARDED_BY(inbox_mu_) = 0;
};

}  // namespace stator::engine
