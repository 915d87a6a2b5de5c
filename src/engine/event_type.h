// EventType: one kind of history event as AWS names it: its type ("TaskScheduled") and the key of
// its details object ("taskScheduledEventDetails"; empty for events that have none).
//
// Every event the executor records is named here, once, with both its names: an event's type and
// its details key are never spelled apart, and events that come in families (the ends of an
// execution, the events of a Task attempt by how its resource runs, the ends of a Parallel or Map
// state) are looked up in a table instead of being chosen between by paired string literals.
// The per-state events (<Type>StateEntered/Exited/Aborted) carry the state type's name and are
// built once per machine (MachinePlan); their details keys are here.
//
// Both names are string literals: they live as long as the process, as HistoryEvent requires.
// Thread-safety: constants.
#pragma once

#include <string_view>

#include "engine/execution.h"
#include "engine/task_resource.h"

namespace stator::engine {

struct EventType {
  std::string_view type;         // "TaskScheduled"
  std::string_view details_key;  // "taskScheduledEventDetails", or "" when it has no details
};

namespace event_types {

// Details keys of the per-state events (their types come from the machine's plan).
inline constexpr std::string_view kStateEnteredDetails = "stateEnteredEventDetails";
inline constexpr std::string_view kStateExitedDetails = "stateExitedEventDetails";

inline constexpr EventType kExecutionStarted{"ExecutionStarted", "executionStartedEventDetails"};
inline constexpr EventType kExecutionSucceeded{"ExecutionSucceeded",
                                               "executionSucceededEventDetails"};
inline constexpr EventType kExecutionFailed{"ExecutionFailed", "executionFailedEventDetails"};
inline constexpr EventType kExecutionTimedOut{"ExecutionTimedOut", "executionTimedOutEventDetails"};
inline constexpr EventType kExecutionAborted{"ExecutionAborted", "executionAbortedEventDetails"};
inline constexpr EventType kExecutionRedriven{"ExecutionRedriven", "executionRedrivenEventDetails"};

// The event that ends an execution with this status (status is not kRunning).
// A JSONata state's expression failed: {cause, error, location?, state}, before the state's
// Retry/Catch run.
inline constexpr EventType kEvaluationFailed{"EvaluationFailed", "evaluationFailedEventDetails"};

constexpr const EventType& ExecutionEnded(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kSucceeded:
      return kExecutionSucceeded;
    case ExecutionStatus::kTimedOut:
      return kExecutionTimedOut;
    case ExecutionStatus::kAborted:
      return kExecutionAborted;
    case ExecutionStatus::kRunning:
    case ExecutionStatus::kFailed:
      break;
  }
  return kExecutionFailed;
}

// The events of one Task state attempt. Which family an attempt records depends on how its
// resource runs (TaskResource::Kind): a service integration, a Lambda function ARN or an
// activity ARN.
struct TaskEventTypes {
  EventType scheduled;
  EventType started;
  EventType succeeded;
  EventType failed;
  EventType timed_out;
};

inline constexpr TaskEventTypes kServiceTask{
    {"TaskScheduled", "taskScheduledEventDetails"}, {"TaskStarted", "taskStartedEventDetails"},
    {"TaskSucceeded", "taskSucceededEventDetails"}, {"TaskFailed", "taskFailedEventDetails"},
    {"TaskTimedOut", "taskTimedOutEventDetails"},
};
inline constexpr TaskEventTypes kLambdaFunctionTask{
    {"LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails"},
    {"LambdaFunctionStarted", ""},
    {"LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails"},
    {"LambdaFunctionFailed", "lambdaFunctionFailedEventDetails"},
    {"LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails"},
};
inline constexpr TaskEventTypes kActivityTask{
    {"ActivityScheduled", "activityScheduledEventDetails"},
    {"ActivityStarted", "activityStartedEventDetails"},
    {"ActivitySucceeded", "activitySucceededEventDetails"},
    {"ActivityFailed", "activityFailedEventDetails"},
    {"ActivityTimedOut", "activityTimedOutEventDetails"},
};
// Service integrations only (.sync): the job was submitted; details as TaskSucceeded's.
inline constexpr EventType kTaskSubmitted{"TaskSubmitted", "taskSubmittedEventDetails"};

constexpr const TaskEventTypes& TaskEvents(TaskResource::Kind kind) {
  switch (kind) {
    case TaskResource::Kind::kLambdaFunction:
      return kLambdaFunctionTask;
    case TaskResource::Kind::kActivity:
      return kActivityTask;
    case TaskResource::Kind::kService:
      break;
  }
  return kServiceTask;
}

// The events that frame a Parallel state's branches or a Map state's iterations.
struct ChildrenEventTypes {
  EventType started;
  EventType succeeded;
  EventType failed;
};

inline constexpr ChildrenEventTypes kParallelState{
    {"ParallelStateStarted", ""},
    {"ParallelStateSucceeded", ""},
    {"ParallelStateFailed", ""},
};
inline constexpr ChildrenEventTypes kMapState{
    {"MapStateStarted", "mapStateStartedEventDetails"},
    {"MapStateSucceeded", ""},
    {"MapStateFailed", ""},
};
// A distributed Map's run (its child executions keep their own histories).
inline constexpr ChildrenEventTypes kMapRun{
    {"MapRunStarted", "mapRunStartedEventDetails"},
    {"MapRunSucceeded", ""},
    {"MapRunFailed", "mapRunFailedEventDetails"},
};

constexpr const ChildrenEventTypes& ChildrenEvents(bool is_map) {
  return is_map ? kMapState : kParallelState;
}

// One inline Map iteration (details: {name, index}, HistoryEvent::Compact::kMapIteration).
inline constexpr EventType kMapIterationStarted{"MapIterationStarted",
                                                "mapIterationStartedEventDetails"};
inline constexpr EventType kMapIterationSucceeded{"MapIterationSucceeded",
                                                  "mapIterationSucceededEventDetails"};
inline constexpr EventType kMapIterationFailed{"MapIterationFailed",
                                               "mapIterationFailedEventDetails"};
inline constexpr EventType kMapIterationAborted{"MapIterationAborted",
                                                "mapIterationAbortedEventDetails"};

}  // namespace event_types
}  // namespace stator::engine
