// MachinePlan: what the executor precomputes once per compiled state machine so that running a
// state needs no string building or lookups: each state's name as a shared json::Value, its
// history event type names, its parsed Task resource, and the plans of its Parallel branches
// and Map item processor.
//
// Plans are cached per StateMachine (GetPlan); every execution of the same machine shares one.
// Thread-safety: a plan is immutable once built; GetPlan may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "asl/state_machine.h"
#include "common/json.h"
#include "engine/task_resource.h"

namespace stator::engine {

struct MachinePlan;

struct StatePlan {
  const asl::State* state = nullptr;
  json::Value name;          // the state's name as a JSON string (shared by all its events)
  std::string entered_type;  // "PassStateEntered"
  std::string exited_type;   // "PassStateExited"
  std::string aborted_type;  // "TaskStateAborted"
  TaskResource resource;     // Task states only
  std::vector<const MachinePlan*> branches;  // Parallel
  const MachinePlan* iterator = nullptr;     // Map
};

struct MachinePlan {
  const asl::StateMachine* machine = nullptr;
  std::vector<StatePlan> states;
  std::vector<std::unique_ptr<MachinePlan>> owned;  // nested plans (branches, iterators)
  // How many history events the last finished execution of this machine recorded: the next
  // one reserves that much up front (a hint only, hence mutable and relaxed).
  mutable std::atomic<int64_t> event_hint{0};
};

// The plan for machine (built on first use, then shared).
std::shared_ptr<const MachinePlan> GetPlan(const std::shared_ptr<const asl::StateMachine>& machine);

}  // namespace stator::engine
