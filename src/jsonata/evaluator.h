// The JSONata evaluator: walks the post-processed syntax tree over Values (value.h).
//
// One Evaluator serves one evaluation (Expression::Evaluate): it owns the evaluation's limits
// (depth, time, and the engine's own guard against exhausting the C++ stack) and reaches the
// Program's built-in functions and the host's Bindings through the root frame. Function calls
// run through Apply, which trampolines tail calls (a lambda whose body ends in a call returns a
// thunk that Apply keeps evaluating in a loop), so tail recursion runs in constant stack.
//
// Thread-safety: an Evaluator is used by one thread; the Program it reads is immutable.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "jsonata/ast.h"
#include "jsonata/function.h"
#include "jsonata/jsonata.h"
#include "jsonata/value.h"

namespace stator::jsonata::internal {

struct Program {
  std::string text;
  std::unique_ptr<Node> ast;
  std::vector<Extension> extensions;
  std::vector<std::pair<std::string, Value>> extension_functions;  // by name, over built-ins
  std::vector<std::string> removed;                                // built-ins the host removed
  std::vector<std::string> free_variables;
  std::vector<std::string> states_fields;
  bool reads_context = false;  // see Expression::reads_context
};

using EvalResult = Result<Value, jsonata::Error>;

class Evaluator {
 public:
  Evaluator(const Program& program, const Bindings* bindings, const Limits& limits);

  EvalResult Run(const Arg& input);

  EvalResult Eval(const Node* n, const Value& input, const std::shared_ptr<Frame>& env);
  // Applies a function value to arguments (trampolining tail calls).
  // `call_position`: where the call is written (errors leaving the function are reported
  // there), or -1.
  EvalResult Apply(const Value& fn, std::vector<Value> args, const Value& input,
                   const std::shared_ptr<Frame>& env, int call_position = -1);
  int Arity(const Value& fn) const;
  Value Lookup(const std::shared_ptr<Frame>& env, std::string_view name) const;
  const std::shared_ptr<Frame>& root() const { return root_; }
  // The evaluation's fixed timestamp (ms since the epoch) that $now and $millis report: the
  // clock is read at the first call, so an evaluation that never asks does not read it.
  double now_millis() const;

 private:
  friend class PathEvaluator;
  EvalResult EvalInner(const Node* n, const Value& input, const std::shared_ptr<Frame>& env);
  EvalResult EvalBinary(const Node* n, const Value& input, const std::shared_ptr<Frame>& env);
  EvalResult EvalArray(const Node* n, const Value& input, const std::shared_ptr<Frame>& env);
  EvalResult EvalFunction(const Node* n, const Value& input, const std::shared_ptr<Frame>& env,
                          const Value* apply_to);
  EvalResult EvalPartial(const Node* n, const Value& input, const std::shared_ptr<Frame>& env);
  EvalResult EvalApply(const Node* n, const Value& input, const std::shared_ptr<Frame>& env);
  EvalResult ApplyInner(const Value& fn, std::vector<Value> args, const Value& input,
                        const std::shared_ptr<Frame>& env);
  EvalResult ApplyTransform(const Function& f, const Value& obj);
  EvalResult ApplyRegex(const Function& f, const std::vector<Value>& args);

  // Path machinery (evaluator_path.cc).
  bool PlainStep(const Node* step) const;
  EvalResult EvalPath(const Node* n, const Value& input, const std::shared_ptr<Frame>& env);
  EvalResult EvalStep(const Node* step, const Value& input_seq, const std::shared_ptr<Frame>& env,
                      bool last);
  EvalResult EvalTupleStep(const Node* step, const Value& input_seq, const Value* tuples,
                           const std::shared_ptr<Frame>& env);
  EvalResult EvalStages(const std::vector<Stage>& stages, Value input,
                        const std::shared_ptr<Frame>& env);
  EvalResult EvalFilter(const Node* pred, const Value& input, const std::shared_ptr<Frame>& env);
  EvalResult EvalGroup(const Group& g, const Value& input, const std::shared_ptr<Frame>& env) {
    return EvalGroupPairs(g.pairs, g.position, input, env);
  }
  EvalResult EvalGroupPairs(
      const std::vector<std::pair<std::unique_ptr<Node>, std::unique_ptr<Node>>>& pairs,
      int position, const Value& input, const std::shared_ptr<Frame>& env);
  EvalResult EvalSort(const Node* n, const Value& input, const std::shared_ptr<Frame>& env);
  Result<bool, jsonata::Error> SortGreater(const Node* n, const Value& a, const Value& b,
                                           bool tuples, const std::shared_ptr<Frame>& env);
  std::shared_ptr<Frame> FrameFromTuple(const std::shared_ptr<Frame>& env, const Value& tuple);

  jsonata::Error LimitError(bool depth) const;

  const Program& program_;
  const Bindings* bindings_;
  Limits limits_;
  Frame root_frame_{nullptr};
  Value root_input_;  // what the root frame binds to `$` (`$$`), looked up after its vars
  std::shared_ptr<Frame> root_;
  std::vector<std::shared_ptr<Frame>> cyclic_frames_;
  int depth_ = 0;
  uint32_t ticks_ = 0;
  std::chrono::steady_clock::time_point start_;
  mutable std::optional<double> now_millis_;
  const char* stack_base_ = nullptr;
  size_t stack_budget_ = 0;
};

// Builds a function value for a built-in or an extension (used by Compile).
Value MakeBuiltinFunction(const Builtin* b, std::shared_ptr<const Signature> sig);
Value MakeExtensionFunction(const Extension* e, std::shared_ptr<const Signature> sig);

// The built-in functions as values, by name (built once).
const std::unordered_map<std::string, Value>& BuiltinFunctions();

// Helpers shared by the evaluator's files.
bool IsNumeric(const Value& v);                // a finite number
std::vector<Value> Elements(const Value& v);   // items of an array value
Value Append(const Value& a, const Value& b);  // the reference's fn.append

}  // namespace stator::jsonata::internal
