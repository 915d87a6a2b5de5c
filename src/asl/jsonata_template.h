// JsonataTemplate: a field of a JSONata state (Arguments, Output, Assign values, Items,
// ItemSelector, Condition, TimeoutSeconds, Wait Seconds/Timestamp, Fail Error/Cause, ...), with
// every string written "{% expression %}" compiled into a jsonata::Expression once, when the
// definition compiles. Any other value (strings without the braces included) is a literal.
//
// At run time the engine evaluates a template against a JsonataScope, its view of what the
// state's expressions see: the `$states` object ({input, context, result?, errorOutput?}) and
// the workflow variables. Every failure is a QueryFailure: the cause text AWS gives for
// States.QueryEvaluationError (without the "An error occurred while executing the state ..."
// prefix, which the engine adds) and the field's location ("Output/FunctionResult").
//
// AWS's extra functions ($partition, $range, $hash, $random, $uuid, $parse) are added to every
// expression; $eval is removed (jsonata_functions.h).
//
// Thread-safety: immutable after Compile; Evaluate may run on many threads at once (each with
// its own JsonataScope).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asl/diagnostic.h"
#include "asl/variable_table.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::asl {

// Which fields of `$states` a field's expressions may read besides input and context (AWS's
// scoping, checked when the definition compiles).
enum class StatesScope : uint8_t {
  kInput,        // input, context (Arguments, Items, Condition, Wait, Fail, limits, ...)
  kResult,       // + result (Output and Assign of Task, Parallel and Map)
  kErrorOutput,  // + errorOutput (Output and Assign of a Catcher)
};

// A failed evaluation: States.QueryEvaluationError's cause and the field it happened in.
struct QueryFailure {
  std::string cause;
  std::string location;  // "Output", "Output/FunctionResult", "Items", ...
};

// What the expressions of one state see; the engine implements it over the running state.
class JsonataScope {
 public:
  virtual ~JsonataScope() = default;
  // The `$states` object ({input, context, result?, errorOutput?}).
  virtual const json::Value* States() const = 0;
  // One member of `$states` ("input", "result", ...), or nullptr; a scope may answer it without
  // building the whole object.
  virtual const json::Value* StatesMember(std::string_view field) const {
    const json::Value* s = States();
    return s != nullptr && s->is_object() ? s->Find(field) : nullptr;
  }
  // The workflow variable with this id (VariableTable), or nullptr when it is not set.
  virtual const json::Value* Variable(uint32_t id) const = 0;
  // The random source of $random and $uuid (the execution's seeded generator), or nullptr.
  virtual std::mt19937_64* Random() const { return nullptr; }
};

class JsonataTemplate {
 public:
  // Compiles value (the JSON of field `field`, found at `location` in the definition; `field`
  // is how runtime messages name it, e.g. "Output", "Assign/total", "TimeoutSeconds").
  // Syntax errors and reads of `$states` fields outside `scope` are diagnostics (and nullopt).
  // Variables the expressions read are numbered (and noted as references) in vars.
  static std::optional<JsonataTemplate> Compile(const json::Value& value, std::string field,
                                                const std::string& location, StatesScope scope,
                                                Diagnostics* diags, VariableTable* vars);

  // True when value is a string of the form "{% ... %}".
  static bool IsExpression(const json::Value& value);

  // The value: literals as written, each expression replaced by its result. An expression
  // whose result is undefined, or that fails, is a QueryFailure.
  Result<json::Value, QueryFailure> Evaluate(const JsonataScope& scope) const;

  // Whether any expression reads $states.context (the engine builds it only then).
  bool uses_context() const;
  // The whole template is one expression: its text (trimmed), for result-type messages.
  bool is_expression() const;
  const std::string& expression_text() const;
  const std::string& field() const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// "The JSONata expression 'E' specified for the field 'F' returned an unexpected result type.
// Expected 'T', but was 'U' for value: V" — AWS's cause when a result has the wrong type.
QueryFailure UnexpectedResultType(const JsonataTemplate& t, std::string_view expected,
                                  const json::Value& value);
// JSONata's name for a value's type: "null", "number", "string", "boolean", "array", "object".
const char* JsonataTypeName(const json::Value& v);

}  // namespace stator::asl
