// What the files of the executor share (executor*.cc): the inbox message, the context object
// (FrameContext), and small helpers. The executor is one class, Execution (executor.h), whose
// member functions live one concept per file:
//   executor.cc              construction, start, stop, result; RunToCompletion
//   executor_inbox.cc        the inbox and run-state protocol, timers, task dispatch: the only
//                            code that runs on other threads
//   executor_step.cc         the step loop: entering a state, an attempt, exiting, transitions
//   executor_events.cc       recording history events
//   executor_basic_states.cc Pass, Succeed, Choice, Wait, Fail
//   executor_task_state.cc   Task
//   executor_map_parallel.cc Parallel and Map (children, iterations, tolerated failures)
//   executor_retry_catch.cc  a state's failure: Retry, Catch, failing the frame or the execution
//   executor_variables.cc    workflow variables (Assign)
//   executor_replay.cc       crash resume (ExecutionOptions::replay)
//   executor_context.cc      the context object ($$)
//   executor_knix.cc         KNIX workflows: routes, forks, results, k-of-n joins
// Not for use outside these files.
// Thread-safety: as Execution's (executor.h); FrameContext lives on the running thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "asl/context.h"
#include "common/json.h"
#include "engine/executor.h"
#include "engine/frame.h"

namespace stator::engine {

// One input to an execution, from a timer, a task runner or StopExecution (any thread).
struct Execution::Message {
  enum class Kind : uint8_t {
    kTaskDone,
    kSubmitted,
    kHeartbeat,
    kTimer,
    kStop,
    kRoute,
    kMapRunDone,  // a distributed Map's run ended (outcome)
  };
  Kind kind = Kind::kTimer;
  uint64_t frame_id = 0;
  uint64_t token = 0;
  TimerKind timer = TimerKind::kWait;
  std::optional<TaskOutcome> outcome;
  json::Value payload;
  std::string error;
  std::string cause;
  // kRoute (TaskRequest::route, checked): the target state (or asl::kEnd) and whether it is
  // taken now (send_to_function_now) or when the task succeeds; the value is the payload.
  int route_target = 0;
  bool route_now = false;
};

// A timer armed during a replay: held until the history shows it fired, or the replay ends.
struct Execution::ReplayTimer {
  uint64_t id;  // kReplayTimerBit | n: what the frame's timer slot holds meanwhile
  int64_t due;
  uint64_t frame_id;
  uint64_t token;
  TimerKind kind;
};

// A task not handed to its runner yet: held until its events are durable (when_durable),
// or, in a replay, waiting for its recorded outcome or for the replay to end. The request's
// context pointer is null while parked (the vector moves); it points at `context` once sent.
struct Execution::ParkedTask {
  TaskRequest request;
  json::Value context;
  uint64_t frame_id;
  uint64_t token;
  int64_t started_event = 0;  // replay: the Task/LambdaFunction/ActivityStarted event id
};

// Marks the ids of timers held during a replay (see ArmTimer); scheduler ids never reach it.
inline constexpr uint64_t kReplayTimerBit = uint64_t{1} << 63;

// The context object ($$) for one state step, built on first use.
class FrameContext : public asl::Context {
 public:
  FrameContext(Execution* execution, Frame* frame, const json::Value* map_item = nullptr,
               int64_t item_index = 0)
      : execution_(execution), frame_(frame), map_item_(map_item), item_index_(item_index) {}
  const json::Value& Get() const override {
    if (map_item_ != nullptr) {
      if (!item_context_) {
        item_context_ = execution_->ContextFor(*frame_, map_item_, item_index_);
      }
      return *item_context_;
    }
    return execution_->ContextFor(*frame_, nullptr, 0);
  }
  const json::Value* VariableById(uint32_t id, std::string_view) const override {
    return FindVariable(*frame_, id);
  }
  std::mt19937_64* Random() const override { return &execution_->rng_; }

  // The innermost variable with this id visible from f (its scope, then the outer ones).
  static const json::Value* FindVariable(const Frame& f, uint32_t id) {
    for (const Frame* scope = &f; scope != nullptr; scope = scope->parent) {
      for (const ScopeVariable& v : scope->variables) {
        if (v.id == id) return &v.value;
      }
    }
    return nullptr;
  }

 private:
  Execution* execution_;
  Frame* frame_;
  const json::Value* map_item_;
  int64_t item_index_;
  mutable std::optional<json::Value> item_context_;
};

// AWS's prefix of a States.Runtime cause: "An error occurred while executing the state 'X'
// (entered at the event id #N). ".
// What a JSONata state's expressions see (asl::JsonataScope): $states = {input, context (only
// when the state's expressions read it), result?, errorOutput?}, built once on first use, and
// the frame's workflow variables. Lives for one evaluation phase of one state.
class JsonataView : public asl::JsonataScope {
 public:
  JsonataView(Execution* execution, Frame* frame, const json::Value* input,
              const json::Value* result = nullptr, const json::Value* error_output = nullptr,
              const json::Value* map_item = nullptr, int64_t item_index = 0)
      : execution_(execution),
        frame_(frame),
        input_(input),
        result_(result),
        error_output_(error_output),
        map_item_(map_item),
        item_index_(item_index) {}
  const json::Value* States() const override;
  const json::Value* StatesMember(std::string_view field) const override;
  const json::Value* Variable(uint32_t id) const override {
    return FrameContext::FindVariable(*frame_, id);
  }
  std::mt19937_64* Random() const override { return &execution_->rng_; }

 private:
  Execution* execution_;
  Frame* frame_;
  const json::Value* input_;
  const json::Value* result_;
  const json::Value* error_output_;
  const json::Value* map_item_;
  int64_t item_index_;
  mutable std::optional<json::Value> states_;
};

std::string RuntimePrefix(const Frame& f);
// A caught or tolerated error as a state's result: {"Error", "Cause"} (no Cause when empty).
json::Value ErrorOutput(const Error& e);

}  // namespace stator::engine
