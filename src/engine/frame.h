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
#include <vector>

#include "asl/state_machine.h"
#include "common/json.h"
#include "common/result.h"
#include "engine/execution.h"
#include "engine/machine_plan.h"
#include "engine/scheduler.h"

namespace stator::engine {

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

}  // namespace stator::engine
