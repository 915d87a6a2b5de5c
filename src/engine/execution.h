// The engine's public face: run executions of a compiled state machine and get their results and
// histories in the shape GetExecutionHistory returns.
//
// This header is the contract between the engine and its callers (the CLI now, the API server
// later). The executor behind it is event-driven: an execution is a resumable object stepped by a
// scheduler; Wait, Retry back-off and timeouts are timers, not sleeping threads; Task states go
// out through TaskRunner and come back through a completion callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/state_machine.h"
#include "common/clock.h"
#include "common/execution_status.h"
#include "common/json.h"
#include "common/result.h"
#include "engine/distributed_map.h"
#include "engine/event_log.h"

namespace stator::engine {

// One history event. Recording one allocates nothing but the event's slot in the EventLog: its
// type and details key are views of names that live as long as the process (string literals or
// InternEventName), and its payloads are json::Values shared with the execution.
//
// The details ("<kind>EventDetails", named by details_key; empty for events without details) are
// kept in one of two forms:
// - compact (compact != kNone): the events every state and Map iteration records keep only the
//   state's name and one value, and Details() builds the object when asked:
//     kStateEntered  {"name", "input": payload, "inputDetails"}
//     kStateExited   {"name", "output": payload, "outputDetails"}
//     kMapIteration  {"name", "index": payload}
// - otherwise, details holds the object in AWS's shape, except that its payload fields ("input",
//   "output", "parameters") hold the payload as a json::Value.
// Either way recording an event never serializes a payload: ToJson renders payloads as the JSON
// strings AWS returns.
struct HistoryEvent {
  enum class Compact : uint8_t { kNone, kStateEntered, kStateExited, kMapIteration };

  int64_t id = 0;
  int64_t previous_event_id = 0;
  int64_t timestamp_millis = 0;
  std::string_view type;         // "PassStateEntered", "TaskScheduled", ...
  std::string_view details_key;  // "stateEnteredEventDetails", ...
  json::Value details;
  json::Value state_name;  // compact forms: the state's name (a string)
  json::Value payload;     // compact forms: the input, output or iteration index
  Compact compact = Compact::kNone;
  // Added: when true, the payload fields of details already hold JSON text (a string) that
  // ToJson shows as it is (ExecutionStarted with ExecutionOptions::input_text).
  bool payloads_are_text = false;

  // The details object in the form described above (payloads as json::Values); null when the
  // event has none.
  json::Value Details() const;
  // The details object as GetExecutionHistory shows it (payloads as JSON text), what a store
  // keeps; null when the event has none.
  json::Value RenderedDetails() const;
  // {"timestamp": <epoch seconds, fractional>, "type": ..., "id": ..., "previousEventId": ...,
  //  "<details_key>": {...}} as GetExecutionHistory returns it.
  json::Value ToJson() const;
};

// name as a view that stays valid for the life of the process: the same view for equal names.
// For event types and details keys that come from outside the engine (a stored history).
// Thread-safe; each distinct name is copied once and never freed.
std::string_view InternEventName(std::string_view name);

using EventLog = ChunkedLog<HistoryEvent>;

using ::stator::ExecutionStatus;  // common/execution_status.h
using ::stator::ExecutionStatusName;

// How a KNIX Task routes a value to another state (TaskRequest::route).
enum class KnixRoute : uint8_t {
  kAtEnd,     // add_workflow_next: once the task has succeeded; to a PotentialNext state or "end"
  kNow,       // send_to_function_now: at once, to any top-level state or "end"; needs the
              // workflow's AllowImmediateMessages
  kPlatform,  // as kNow, without that check: the platform's own messages (session heartbeats)
};

// What the task runner is asked to do for one Task state attempt.
struct TaskRequest {
  std::string state_name;
  std::string resource;                    // as written in the definition
  json::Value parameters;                  // the effective input after InputPath/Parameters
  std::optional<int64_t> timeout_seconds;  // resolved TimeoutSeconds(Path)
  std::optional<int64_t> heartbeat_seconds;
  const json::Value* context = nullptr;  // the context object (valid during Start only)

  // For runners that need them (each may be ignored):
  std::string execution_arn;
  // The id of this attempt's TaskScheduled (LambdaFunctionScheduled, ActivityScheduled) event:
  // unique within the execution, and the same when a resumed execution dispatches the attempt
  // again, so a runner can derive idempotency keys from it.
  int64_t scheduled_event_id = 0;
  // Set for .waitForTaskToken resources (also $$.Task.Token) and for activities (what
  // GetActivityTask hands the worker).
  std::string task_token;
  // May be called from any thread while the task runs (before done): a heartbeat resets the
  // HeartbeatSeconds timer; submitted records a TaskSubmitted event (.sync integrations) or,
  // for an activity, ActivityStarted with the value as its details ({"workerName"}), once per
  // attempt.
  std::function<void()> heartbeat;
  std::function<void(json::Value)> submitted;
  // A resumed execution dispatching again a task that was in flight: true when the task had
  // already reported `submitted` (its TaskSubmitted / ActivityStarted is in the history: an
  // activity task a worker holds, which must not be handed to another).
  bool already_submitted = false;

  // KNIX workflows (asl::StateMachine::knix): the state's KNIX extensions (null when it has
  // none; valid while the execution lives), and route(next, value, how), which sends value to
  // the state named next ("end": the workflow's exit, delivering value as a result) as KnixRoute
  // says. May be called from any thread while the task runs (before done); an kAtEnd route is
  // dropped when the task fails. Answers an Error whose cause is KNIX's
  // MicroFunctionsWorkflowException message when the route is not allowed. Unset for other
  // machines.
  const asl::KnixState* knix = nullptr;
  std::function<Status(const std::string& next, json::Value value, KnixRoute how)> route;
};

// A task's outcome: the result value, or an Error whose error/cause become the task failure.
using TaskOutcome = Result<json::Value>;
using TaskCompletion = std::function<void(TaskOutcome)>;

// Resolves and runs Task resources. Start may complete synchronously (call done before
// returning) or later from any thread; done must be called exactly once.
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual void Start(const TaskRequest& request, TaskCompletion done) = 0;
};

// While one of these is alive on a thread, a task completion called on that thread runs its
// execution right there (until it waits again) when no other thread is running it, instead of
// handing it to a scheduler thread: a futex wake-up and a context switch less per Task. For
// task runners whose completions come from a thread of their own that may run engine steps
// (the functions runtime's reactor); the steps then hold that thread up for as long as they
// take.
class RunCompletionsHere {
 public:
  RunCompletionsHere();
  ~RunCompletionsHere();
  RunCompletionsHere(const RunCompletionsHere&) = delete;
  RunCompletionsHere& operator=(const RunCompletionsHere&) = delete;
  static bool active();
};

struct ExecutionOptions {
  std::string account = "123456789012";
  std::string region = "us-east-1";
  std::string state_machine_name = "StateMachine";
  std::string execution_name;  // generated (a UUID) when empty
  std::string role_arn;        // default: arn:aws:iam::<account>:role/StatesExecutionRole
  json::Value input = json::Value::EmptyObject();
  bool keep_history = true;
  // The history-length cap (AWS: 25,000 events; reaching it fails the execution with
  // States.Runtime), and the seed of the execution's random draws (retry jitter, States.UUID,
  // States.MathRandom; random when absent).
  int64_t max_history_events = 25000;
  std::optional<uint64_t> random_seed;
  // The execution input as the caller sent it; ExecutionStarted shows this text verbatim, as
  // AWS does (AWS keeps the client's spacing there). Must be the text `input` was parsed from.
  std::optional<std::string> input_text;

  // For a caller that keeps executions outside the engine (server::ExecutionService); each
  // optional. The execution's start time (default: the clock's time when Start is called), so that
  // a record written before Start and the ExecutionStarted event agree.
  std::optional<int64_t> start_millis;
  // When set (with keep_history), recorded events are handed to history_sink in batches while
  // the execution runs instead of being kept until TakeResult: at the end of every Run (the
  // events that step recorded) and, when the execution ends, the final events just before the
  // SetOnFinished callback. Called on the thread running the execution, never concurrently,
  // batches in event order; TakeResult().events then holds nothing.
  std::function<void(std::vector<HistoryEvent> events)> history_sink;

  // For a durable caller, optional: when set, tasks are not handed to the TaskRunner as
  // their Task state runs but held until the events recorded so far are durable. At the end of
  // every Run that started tasks (after history_sink got its events), the execution calls
  // when_durable(dispatch); the server calls dispatch (from any thread) once everything handed
  // to history_sink before is committed. So no task runs on the strength of an event that a
  // crash could still take back.
  std::function<void(std::function<void()> dispatch)> when_durable;

  // Crash resume: the events this execution recorded before the server stopped (ids 1..n, in
  // order, details in the stored form: payload fields hold JSON text). The execution re-runs
  // from its input and checks every event it records against these instead of recording it
  // again: their timestamps are its clock, recorded task outcomes stand in for the tasks (no
  // task is dispatched again once its outcome is recorded), Wait and back-off timers fire in
  // the order the history shows. After event n it carries on live: timers due in the past fire
  // at once, tasks that were in flight are dispatched again. Needs the same random_seed (and
  // machine, name, input and start_millis) as the first run. Should the re-run ever record
  // something else than the history says, the execution fails (States.Runtime) right after
  // event n instead of guessing.
  std::shared_ptr<const std::vector<HistoryEvent>> replay;

  // Redrive (RedriveExecution): the re-run over `replay` skips what each redrive left behind.
  // For each redrive of the execution, in order: once the re-run has recorded event `after`
  // (the last event before the top-level state that did not complete), the next event is
  // ExecutionRedriven {redriveCount: its position + 1} with id `at`, and that state runs again
  // from there: the events between `after` and `at` (the failed attempt and its end) are not
  // re-run. The last redrive's `at` may lie past `replay` (the redrive being started: recorded
  // live). The machine's TimeoutSeconds counts from the last ExecutionRedriven, and
  // $$.Execution.RedriveCount is the number of redrives recorded so far.
  struct RedriveCut {
    int64_t after = 0;
    int64_t at = 0;
  };
  std::vector<RedriveCut> redrives;

  // KNIX workflows (asl::StateMachine::knix_routes): a KNIX workflow is dataflow, and each walker
  // that reaches the exit delivers a result: on_result is called with each, in order, on the
  // thread running the execution (it must not block). The execution ends when every walker has
  // ended, SUCCEEDED with the last result delivered (null when none was), or FAILED at the
  // first error no state caught (the other walkers are dropped).
  std::function<void(const json::Value& result)> on_result;
  // KNIX workflows: when the execution fails while other walkers still have a task running,
  // the names of those walkers' states (their tasks finish, but their output goes nowhere).
  std::function<void(const std::vector<std::string>& states)> on_walkers_stopped;
  // Called once the execution has ended (any status), with its ARN, on the thread that ended
  // it, right after its final event: the KNIX front door stops the session function instances
  // the execution still runs.
  std::function<void(const std::string& execution_arn)> on_ended;
  // Runs distributed Map states' child executions (distributed_map.h); null: the engine runs
  // their iterations itself, as frames that record no history. Not owned.
  DistributedMapRunner* map_runner = nullptr;
  // Makes the task token of a .waitForTaskToken or activity Task attempt from the execution's
  // ARN and a nonce drawn from the execution's random generator (the same nonce when a resumed
  // execution re-runs the attempt, so the same token). Unset: the nonce is the token. A server
  // sets it to sign tokens with a secret of its own, so that they cannot be guessed.
  std::function<std::string(const std::string& execution_arn, const std::string& nonce)>
      make_task_token;
  // Whether an activity (its ARN) exists, asked as an activity Task state is about to schedule
  // its task (not while a resumed execution replays its history). One that does not fails the
  // execution with States.Runtime "The activity ARN does not exist.", as AWS does, before
  // ActivityScheduled. Unset: every activity exists.
  std::function<bool(const std::string& activity_arn)> activity_exists;
};

struct ExecutionResult {
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::optional<json::Value> output;  // SUCCEEDED only
  std::optional<std::string> error;   // FAILED / TIMED_OUT / ABORTED
  std::optional<std::string> cause;
  int64_t start_millis = 0;
  int64_t stop_millis = 0;
  EventLog events;
};

// Runs one execution to its end on the calling thread (the CLI's path). With a virtual clock the
// scheduler jumps over Waits and back-offs instantly; with a system clock it sleeps until the
// next timer when nothing is runnable. (A server drives many executions with engine::Execution
// and engine::Scheduler directly; see executor.h and scheduler.h.)
ExecutionResult RunToCompletion(std::shared_ptr<const asl::StateMachine> machine,
                                const ExecutionOptions& options, TaskRunner* tasks, Clock* clock);

}  // namespace stator::engine
