// Frame: one walker of a (sub-)machine inside an Execution — the top-level frame, a Parallel
// branch or a Map iteration — and ChildGroup, the branches or iterations that a Parallel or Map
// state runs.
//
// A frame is a small state machine of its own (Phase): it enters a state, runs the state's work
// (an attempt), and either moves on to the next state or blocks on a timer, a task or its
// children; a message or a finished child resumes it (ResumeKind). Its fields are the frame's
// position (state_index), the current state's input, its event trackers (previous-event ids,
// see docs/engine.md), the timers and task token of its current attempt, its workflow-variable
// scope, and, once done, its output or error.
//
// Ownership: the Execution owns the top-level frame; a frame owns its ChildGroup, which owns
// the running children's frames. A frame points at its parent and at its machine's plan (owned
// by the execution's MachinePlan).
// Thread-safety: frames belong to the thread running the execution (Execution::Run); they are
// never shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "asl/state_machine.h"
#include "common/json.h"
#include "common/result.h"
#include "engine/execution.h"
#include "engine/machine_plan.h"
#include "engine/map_policy.h"
#include "engine/scheduler.h"

namespace stator::engine {

// Where a frame is in its current state.
enum class Phase : uint8_t {
  kEnter,    // about to enter the state at state_index
  kAttempt,  // entered; run (or re-run, after a retry back-off) the state's work
  kResume,   // something the frame waited for happened (see Frame::resume_reason)
  kBlocked,  // waiting for a timer, a task or children
  kDone,     // finished (succeeded with output, or failed with error)
};

// What a frame in Phase::kResume resumes with.
enum class ResumeKind : uint8_t {
  kNone,
  kTaskOutcome,       // the task answered (Frame::task_outcome)
  kTaskTimeout,       // the task's TimeoutSeconds passed
  kHeartbeatTimeout,  // the task's HeartbeatSeconds passed without a heartbeat
  kWaitDone,          // the Wait state's time came
  kChildrenDone,      // every branch or iteration finished (or none was to run)
  kChildFailed,       // a branch or iteration failed past tolerance (Frame::children_error)
};

// A Parallel state's branches or a Map state's iterations while they run.
struct ChildGroup {
  bool is_map = false;
  bool distributed = false;
  // Distributed mode run by ExecutionOptions::map_runner: the Map Run's ARN while it runs there.
  std::string map_run_arn;
  std::optional<int64_t> tolerated_count;  // as resolved (DescribeMapRun shows them)
  std::optional<double> tolerated_percent;
  std::optional<json::Value> run_output;       // the runner's result (else results, as an array)
  size_t total = 0;                            // branches, items, or batches
  json::Value items;                           // Map: the items (when no batching)
  std::vector<json::Value> batch_inputs;       // Map with ItemBatcher: the batches; else empty
  std::vector<json::Value> results;            // by index
  std::vector<std::unique_ptr<Frame>> frames;  // running children, by index
  size_t next_index = 0;                       // the next child to launch
  size_t running = 0;
  size_t finished = 0;  // succeeded or failed
  size_t failed = 0;
  int64_t max_concurrency = 0;  // 0: unlimited
  MapFailureTolerance tolerance;
  std::deque<int64_t> free_slots;  // previous-event trackers of finished iterations
  int64_t started_event = 0;
  int64_t last_event = 0;  // the group's previous-event tracker
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
  // False inside a distributed Map (child executions keep no history here).
  bool records_history = true;
  int state_index = 0;  // the current state in plan->states
  Phase phase = Phase::kEnter;
  bool in_ready_queue = false;  // its id is in Execution::ready_
  json::Value raw_input;        // the current state's input
  json::Value effective_input;  // after InputPath / Parameters (Wait, Map)
  int64_t last_event = 0;       // the frame's previous-event tracker
  int64_t entered_event = 0;
  int64_t entered_previous = 0;  // the Entered event's previousEventId (EvaluationFailed's)
  int64_t entered_millis = 0;
  int64_t retry_count = 0;
  std::vector<int64_t> retrier_attempts;  // per Retrier of the current state
  uint64_t token = 1;                     // messages for an older token are stale
  Scheduler::TimerId delay_timer = 0;     // a Wait state's or a retry back-off's
  Scheduler::TimerId timeout_timer = 0;
  Scheduler::TimerId heartbeat_timer = 0;
  std::optional<int64_t> heartbeat_seconds;
  std::unique_ptr<ChildGroup> children;  // a Parallel or Map state's, while they run
  std::string task_token;
  bool task_submitted = false;  // this attempt's TaskSubmitted is recorded
  // The context object ($$) of the current state attempt, once built.
  std::optional<json::Value> context_object;
  ResumeKind resume_reason = ResumeKind::kNone;
  std::optional<TaskOutcome> task_outcome;
  Error children_error;  // what failed a child or an ItemSelector (ResumeKind::kChildFailed)
  // Workflow variables: this frame's scope (the execution's for the top frame, its own for a
  // Parallel branch or Map iteration; outer scopes are reached through parent), and the Assign
  // evaluated for the current state, which takes effect when the state exits.
  std::vector<ScopeVariable> variables;
  int64_t variables_bytes = 0;
  const asl::Assignment* pending_assign = nullptr;
  json::Value pending_values;  // {"name": value, ...}, in pending_assign's order
  // KNIX workflows (top-level frames only): the routes the current Task's user code added
  // (add_workflow_next: target state index or asl::kEnd, and the value), taken when the state
  // exits; and whether the frame ended without delivering a result (a state that routes nowhere).
  std::vector<std::pair<int, json::Value>> knix_routes;
  bool knix_stopped = false;
  Error knix_first_error;  // KNIX's Retry: the error of the state's first attempt
  // When done:
  bool succeeded = false;
  json::Value output;
  Error error;

  const StatePlan& state_plan() const { return plan->states[state_index]; }
  const asl::State& current_state() const { return *plan->states[state_index].state; }
};

}  // namespace stator::engine
