// Context: the source of the context object ("$$") while a state's paths and templates run.
//
// Building the context object costs allocations, and most states never read it, so evaluation
// asks for it only when a compiled path or template refers to "$$". The engine implements this
// interface over its execution state and builds the object at most once per state step. It also
// answers for workflow variables ("$name" paths), which live in the engine's scopes.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "common/json.h"

namespace stator::asl {

class Context {
 public:
  virtual ~Context() = default;
  // The context object: {"Execution": {...}, "State": {...}, "StateMachine": {...}, "Task"?,
  // "Map"?}
  virtual const json::Value& Get() const = 0;
  // The value of a workflow variable (set by Assign), or nullptr when it is not set.
  virtual const json::Value* Variable(std::string_view name) const { return nullptr; }
  // The same, for a compiled path: id is the variable's number in its definition's
  // VariableTable (kNoVariableId when the path was compiled without one). The engine looks
  // variables up by id; this default asks Variable(name).
  virtual const json::Value* VariableById(uint32_t id, std::string_view name) const {
    return Variable(name);
  }
  // The random source of States.UUID and an unseeded States.MathRandom: the engine hands out
  // its execution's seeded generator, so that re-running an execution from its input (crash
  // resume) draws the same values. nullptr: a per-thread generator.
  virtual std::mt19937_64* Random() const { return nullptr; }
};

// A Context over a value that already exists (tests, and callers that have one at hand).
class FixedContext : public Context {
 public:
  explicit FixedContext(json::Value v) : v_(std::move(v)) {}
  const json::Value& Get() const override { return v_; }

 private:
  json::Value v_;
};

}  // namespace stator::asl
