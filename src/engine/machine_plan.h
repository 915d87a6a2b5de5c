// MachinePlan: what the executor precomputes once per compiled state machine so that running a
// state needs no string building or lookups: each state's name as a shared json::Value, its
// history event type names, its parsed Task resource, and the plans of its Parallel branches
// and Map item processor.
//
// Plans are cached per StateMachine (GetPlan); every execution of the same machine shares one.
// Thread-safety: a plan is immutable once built; GetPlan may be called from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asl/state_machine.h"
#include "common/json.h"
#include "engine/event_type.h"
#include "engine/task_resource.h"

namespace stator::engine {

struct MachinePlan;

struct StatePlan {
  const asl::State* state = nullptr;
  json::Value name;  // the state's name as a JSON string (shared by all its events)
  // The state's own history events; types interned (InternEventName) so that events can point
  // to them.
  EventType entered;                         // "PassStateEntered", stateEnteredEventDetails
  EventType exited;                          // "PassStateExited", stateExitedEventDetails
  EventType aborted;                         // "TaskStateAborted", no details
  TaskResource resource;                     // Task states only
  std::vector<const MachinePlan*> branches;  // Parallel
  const MachinePlan* iterator = nullptr;     // Map
};

struct MachinePlan {
  const asl::StateMachine* machine = nullptr;
  std::vector<StatePlan> states;
  std::vector<std::unique_ptr<MachinePlan>> owned;  // nested plans (branches, iterators)
};

// The plan for machine (built on first use, then shared).
std::shared_ptr<const MachinePlan> GetPlan(const std::shared_ptr<const asl::StateMachine>& machine);

}  // namespace stator::engine
