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
#include <string_view>
#include <vector>

#include "asl/assignment.h"
#include "asl/choice_rule.h"
#include "asl/intrinsics.h"
#include "asl/jsonata_template.h"
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

// A number given literally, through a path (Seconds / SecondsPath, MaxConcurrency(Path), ...)
// or, in a JSONata state, as a "{% %}" expression.
struct NumberField {
  std::optional<double> value;  // integer fields hold whole numbers
  std::optional<JsonPath> path;
  std::optional<JsonataTemplate> expr;
  bool present() const { return value.has_value() || path.has_value() || expr.has_value(); }
};

// Fail's Error/ErrorPath and Cause/CausePath: a literal, a path, or an intrinsic call.
// In a JSONata state: a literal or a "{% %}" expression (expr).
struct StringField {
  std::optional<std::string> value;
  std::optional<JsonPath> path;
  std::optional<IntrinsicCall> call;
  std::optional<JsonataTemplate> expr;
  bool present() const { return value || path || call || expr; }
};

enum class JitterStrategy : uint8_t { kNone, kFull };

struct Retrier {
  std::vector<std::string> error_equals;
  int64_t interval_seconds = 1;
  int64_t max_attempts = 3;
  bool max_attempts_given = false;  // MaxAttempts was written (KNIX's default differs: 1)
  double backoff_rate = 2.0;
  std::optional<int64_t> max_delay_seconds;
  JitterStrategy jitter = JitterStrategy::kNone;
};

struct Catcher {
  std::vector<std::string> error_equals;
  std::optional<Assignment> assign;  // Assign (non-empty), evaluated on the error output
  PathField result_path;
  std::optional<JsonataTemplate> output;  // JSONata: Output (absent: the error output)
  int next = kEnd;
  std::string next_name;
};

struct StateMachine;

// KNIX's extensions of a top-level state (CompileOptions::knix only; the KNIX dialect,
// shared/design/knix-protocol.md §2-3). A KNIX workflow is dataflow: a state's output goes to
// every state it routes to, each of which runs on its own ("a fork"), and every route that
// reaches the exit delivers a result.
struct KnixState {
  // More static routes than Next/End (a SAND `next` list of other than one entry; kEnd is the
  // exit), and whether the state routes nowhere once done (no Next, no End: SAND `next: []`, or
  // a KNIX Task that only has PotentialNext).
  std::vector<int> also_next;
  std::vector<std::string> also_next_names;
  bool stops = false;
  // PotentialNext: the states user code may route to (add_workflow_next); the exit always.
  std::vector<int> potential_next;
  std::vector<std::string> potential_next_names;
  // Task: a long-running session function instance, with its parameters as written (null when
  // absent).
  bool session_function = false;
  json::Value session_function_parameters;
  // Parallel: WaitForNumBranches, ascending: the state's Next runs each time this many branches
  // have finished (the others null in the result).
  std::vector<int64_t> wait_for_num_branches;
};

// An optional value kept out of line (null when absent): for a large, rarely present field of
// State, which would otherwise make every State of a machine (10,000 in a long chain) larger.
// Reads like std::optional (bool, *, ->); copies deep.
template <typename T>
class OutOfLine {
 public:
  OutOfLine() = default;
  OutOfLine(const OutOfLine& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  OutOfLine(OutOfLine&&) noexcept = default;
  OutOfLine& operator=(const OutOfLine& o) {
    p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  OutOfLine& operator=(OutOfLine&&) noexcept = default;
  OutOfLine& operator=(T v) {
    p_ = std::make_unique<T>(std::move(v));
    return *this;
  }
  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return p_ != nullptr; }
  const T& operator*() const { return *p_; }
  const T* operator->() const { return p_.get(); }
  T& operator*() { return *p_; }
  T* operator->() { return p_.get(); }

 private:
  std::unique_ptr<T> p_;
};

struct ItemBatcher {
  NumberField max_items_per_batch;
  NumberField max_input_bytes_per_batch;
  std::optional<PayloadTemplate> batch_input;
  std::optional<JsonataTemplate> batch_input_jsonata;  // a JSONata Map's BatchInput
};

struct State {
  std::string name;
  StateType type = StateType::kPass;
  std::string comment;
  int next = kEnd;        // Next (index), or kEnd
  std::string next_name;  // Next as written (empty when End)

  // QueryLanguage JSONata: the state's fields below hold JsonataTemplates (Arguments, Output,
  // Items, ItemSelector, NumberField/StringField::expr, Timestamp) and no JSONPath ones;
  // `jsonata_uses_context` says whether any of its expressions reads $states.context.
  bool jsonata = false;
  bool jsonata_uses_context = false;
  std::optional<JsonataTemplate> arguments;      // Task, Parallel
  std::optional<JsonataTemplate> output;         // absent: the result (or the input)
  std::optional<JsonataTemplate> items;          // Map (absent: the state input)
  std::optional<JsonataTemplate> item_selector;  // Map
  std::optional<JsonataTemplate> wait_timestamp_expr;

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
  OutOfLine<ItemBatcher> item_batcher;
  std::string label;
  bool distributed = false;  // ItemProcessor.ProcessorConfig.Mode == DISTRIBUTED
  // Distributed mode: ProcessorConfig.ExecutionType is EXPRESS (else STANDARD); the
  // ItemProcessor as written (what each child execution runs, ProcessorConfig left out); the
  // ResultWriter object as written (null when absent).
  bool express_children = false;
  json::Value item_processor;
  json::Value result_writer;
  std::optional<PayloadTemplate> result_writer_parameters;  // its Parameters, compiled

  // Task, Parallel, Map
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;

  // The KNIX dialect only (CompileOptions::knix): null otherwise, and for states without a KNIX
  // extension.
  std::shared_ptr<const KnixState> knix;
};

struct StateMachine {
  std::vector<State> states;
  int start_at = 0;
  std::string comment;
  std::optional<int64_t> timeout_seconds;  // top-level only
  std::optional<std::string> version;
  // The KNIX dialect (top level): whether the machine is in it, AllowImmediateMessages
  // (send_to_function_now may start any state at once), and whether some state routes as KNIX
  // does (State::knix, or a Task's Catch), so that an execution may run several top-level
  // walkers at once.
  bool knix = false;
  bool allow_immediate_messages = false;
  bool knix_routes = false;
  // Top level only: the definition's workflow variable names, by the id its compiled paths and
  // JSONata expressions carry (VariableTable), for callers that hold variables by name
  // (TestState's request variables).
  std::vector<std::string> variable_names;
  // The index of the state named `name` in states, or -1.
  int IndexOf(std::string_view name) const;
};

}  // namespace stator::asl
