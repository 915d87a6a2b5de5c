// Assignment: a compiled "Assign" object — the workflow variables that a state, one of its
// Choice rules or one of its Catchers sets.
//
// Each key names a variable. A key ending in ".$" takes its value from a path ("$..." on the
// value the state hands to Assign, "$$..." on the context object, "$name..." on a variable) or
// an intrinsic call; any other value is copied, with nested objects and arrays treated as
// payload templates (their own ".$" keys are evaluated). Evaluate returns {"name": value, ...}
// in key order; the engine decides what the input is and when the values take effect (see
// docs/engine.md, "Workflow variables").
//
// Thread-safety: immutable after Compile; Evaluate may run on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/context.h"
#include "asl/diagnostic.h"
#include "asl/jsonata_template.h"
#include "asl/variable_table.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::asl {

class Assignment {
 public:
  // Compiles assign (the value of an "Assign" field) found at location; problems go to diags
  // (and the result is nullopt). Variable names are numbered in vars.
  static std::optional<Assignment> Compile(const json::Value& assign, const std::string& location,
                                           Diagnostics* diags, VariableTable* vars);

  // The Assign of a JSONata state: each value a JsonataTemplate ("{% %}" strings evaluated,
  // the rest literal) whose expressions may read the $states fields `scope` allows.
  // `field` names it in runtime messages ("Assign", "Catch[0]/Assign", "Choices[1]/Assign").
  static std::optional<Assignment> CompileJsonata(const json::Value& assign,
                                                  const std::string& location, StatesScope scope,
                                                  Diagnostics* diags, VariableTable* vars,
                                                  std::string field = "Assign");
  bool jsonata() const;
  bool uses_context() const;  // a JSONata Assign that reads $states.context

  // The variables set, in key order ("a" and "a.$" in one object count once, as in templates).
  size_t size() const;
  bool empty() const { return size() == 0; }
  uint32_t variable_id(size_t i) const;
  const std::string& name(size_t i) const;

  // {"name": value, ...}, one member per variable in the order above.
  Result<json::Value> Evaluate(const json::Value& input, const Context& context) const;
  // The same for a JSONata Assign (jsonata() only).
  Result<json::Value, QueryFailure> EvaluateJsonata(const JsonataScope& scope) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace stator::asl
