// ChoiceRule: a compiled Choice rule (a top-level entry of a Choice state's "Choices", or a
// nested one inside And / Or / Not).
//
// Operators: And, Or, Not, IsPresent, IsNull, IsNumeric, IsString, IsBoolean, IsTimestamp,
// String/Numeric/Timestamp Equals / LessThan / GreaterThan / LessThanEquals / GreaterThanEquals,
// each also as ...Path (compare against another path's value), BooleanEquals(Path),
// StringMatches (with * wildcards and \* \\ escapes). Comparing against a value of the wrong type
// is false, not an error. Timestamps follow RFC 3339 as AWS parses them.
//
// Thread-safety: immutable after Compile; Evaluate may run on many threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "asl/assignment.h"
#include "asl/context.h"
#include "asl/diagnostic.h"
#include "asl/variable_table.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::asl {

class ChoiceRule {
 public:
  // Compiles one rule. A top-level rule must have "Next" (returned by next_name()) and may have
  // "Assign"; nested rules may have neither. Problems are appended to diags under location (e.g.
  // "/States/C/Choices/0"). Variable names are numbered in vars when given.
  static std::optional<ChoiceRule> Compile(const json::Value& rule, bool top_level,
                                           const std::string& location, Diagnostics* diags,
                                           VariableTable* vars = nullptr);

  // Rule `index` of a JSONata Choice state: {"Condition", "Next", "Assign"?, "Output"?,
  // "Comment"?}, Condition a boolean or a "{% %}" expression. Runtime messages name its fields
  // "Choices[index]/Condition", ".../Assign/x", ".../Output".
  static std::optional<ChoiceRule> CompileJsonata(const json::Value& rule, size_t index,
                                                  const std::string& location, Diagnostics* diags,
                                                  VariableTable* vars);

  const std::string& next_name() const;  // top-level rules only
  bool jsonata() const;
  bool uses_context() const;  // a JSONata rule whose Condition or Assign reads $states.context
  // The variables set when this rule matches (top-level rules), or nullptr for none.
  const Assignment* assign() const;
  int next() const { return next_; }  // state index, set by the compiler after name lookup
  void set_next(int index) { next_ = index; }

  // True when the rule matches. Fails with States.Runtime when a Variable path (or a ...Path
  // operand) does not exist in the input (or names a variable that is not set), with AWS's
  // message.
  Result<bool> Evaluate(const json::Value& input, const Context& context) const;
  // A JSONata rule: its Condition, which must give a boolean.
  Result<bool, QueryFailure> EvaluateJsonata(const JsonataScope& scope) const;
  // A JSONata rule's Output (replaces the state's when the rule matches), or nullptr.
  const JsonataTemplate* output() const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  int next_ = -1;
};

}  // namespace stator::asl
