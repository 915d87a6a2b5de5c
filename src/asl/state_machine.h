// StateMachine: the immutable, compiled form (IR) of an Amazon States Language definition.
//
// Produced once by Compile (compiler.h) and shared (shared_ptr<const StateMachine>) by every
// execution of it. States are addressed by index; every transition target is an index resolved at
// compile time; every path, template, intrinsic and Choice rule is pre-compiled. Running a state
// never parses a string or looks a name up in a map.
//
// Parallel branches and Map item processors are nested StateMachines.
//
// Thread-safety: immutable; shared freely between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/assignment.h"
#include "asl/choice_rule.h"
#include "asl/intrinsics.h"
#include "asl/path.h"
#include "asl/payload_template.h"
#include "common/json.h"

namespace stator::asl {

enum class StateType : uint8_t { kPass, kTask, kChoice, kWait, kSucceed, kFail, kParallel, kMap };

// The type name as written in "Type" and in history event names ("Pass", "Task", ...).
const char* StateTypeName(StateType t);

inline constexpr int kEnd = -1;  // transition target meaning "End": true

// InputPath / OutputPath / ResultPath: absent means "$"; JSON null is a distinct setting
// (InputPath/OutputPath null -> {}, ResultPath null -> discard the result, keep the input).
struct PathField {
  enum class Mode : uint8_t { kDefault, kNull, kPath };
  Mode mode = Mode::kDefault;
  JsonPath path;  // "$" unless mode == kPath
};

// A number given literally or through a path (Seconds / SecondsPath, MaxConcurrency(Path), ...).
struct NumberField {
  std::optional<double> value;  // integer fields hold whole numbers
  std::optional<JsonPath> path;
  bool present() const { return value.has_value() || path.has_value(); }
};

// Fail's Error/ErrorPath and Cause/CausePath: a literal, a path, or an intrinsic call.
struct StringField {
  std::optional<std::string> value;
  std::optional<JsonPath> path;
  std::optional<IntrinsicCall> call;
  bool present() const { return value || path || call; }
};

enum class JitterStrategy : uint8_t { kNone, kFull };

struct Retrier {
  std::vector<std::string> error_equals;
  int64_t interval_seconds = 1;
  int64_t max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<int64_t> max_delay_seconds;
  JitterStrategy jitter = JitterStrategy::kNone;
};

struct Catcher {
  std::vector<std::string> error_equals;
  std::optional<Assignment> assign;  // Assign (non-empty), evaluated on the error output
  PathField result_path;
  int next = kEnd;
  std::string next_name;
};

struct StateMachine;

struct ItemBatcher {
  NumberField max_items_per_batch;
  NumberField max_input_bytes_per_batch;
  std::optional<PayloadTemplate> batch_input;
};

struct State {
  std::string name;
  StateType type = StateType::kPass;
  std::string comment;
  int next = kEnd;        // Next (index), or kEnd
  std::string next_name;  // Next as written (empty when End)

  // Input and output processing, in AWS's order.
  PathField input_path;
  std::optional<PayloadTemplate> parameters;  // Parameters (Map: legacy Parameters or ItemSelector)
  std::optional<PayloadTemplate> result_selector;
  PathField result_path;
  PathField output_path;

  // Workflow variables: what the state sets when it completes (Pass, Task, Choice when the
  // Default is taken, Wait, Parallel, Map; a non-empty Assign only), and the variables any of its
  // fields read, sorted (DescribeStateMachine's "variableReferences"; nested states excluded).
  std::optional<Assignment> assign;
  std::vector<std::string> variable_references;

  // Pass
  std::optional<json::Value> result;

  // Task
  std::string resource;
  NumberField timeout_seconds;
  NumberField heartbeat_seconds;
  std::optional<json::Value> credentials;

  // Choice (a matching rule's own Assign replaces the state's `assign`)
  std::vector<ChoiceRule> choices;
  int default_next = kEnd;  // kEnd: no Default
  std::string default_name;

  // Wait
  NumberField wait_seconds;
  std::optional<std::string> wait_timestamp;  // literal Timestamp, RFC 3339
  std::optional<JsonPath> wait_timestamp_path;

  // Fail
  StringField error;
  StringField cause;

  // Parallel
  std::vector<std::shared_ptr<const StateMachine>> branches;

  // Map
  std::shared_ptr<const StateMachine> iterator;  // Iterator or ItemProcessor
  std::optional<JsonPath> items_path;            // absent: "$"
  NumberField max_concurrency;
  NumberField tolerated_failure_count;
  NumberField tolerated_failure_percentage;
  std::optional<ItemBatcher> item_batcher;
  std::string label;
  bool distributed = false;  // ItemProcessor.ProcessorConfig.Mode == DISTRIBUTED

  // Task, Parallel, Map
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;
};

struct StateMachine {
  std::vector<State> states;
  int start_at = 0;
  std::string comment;
  std::optional<int64_t> timeout_seconds;  // top-level only
  std::optional<std::string> version;
};

}  // namespace stator::asl
