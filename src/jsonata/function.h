// Function values and variable frames of the JSONata evaluator.
//
// A Function is a lambda (its AST node, the focus it was defined on and its closure frame), a
// native built-in or host extension with its parsed signature, a partial application of a
// native, a regex matcher, a transform (| ... |) or a `~>` composition of two functions.
// A Frame is one scope of variable bindings; frames form a chain to the root, where the host's
// Bindings and the built-ins are looked up.
//
// Ownership: Functions and Frames are shared (shared_ptr); a closure keeps its frame alive.
// Thread-safety: both belong to one evaluation, except the built-in Functions a Program creates
// once, which are immutable and shared by all evaluations.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "jsonata/ast.h"
#include "jsonata/builtins.h"
#include "jsonata/jsonata.h"
#include "jsonata/regex_adaptor.h"
#include "jsonata/signature.h"
#include "jsonata/value.h"

namespace stator::jsonata::internal {

struct Frame;

struct Function {
  enum class Kind : uint8_t {
    kLambda,
    kNative,
    kExtension,
    kPartialNative,
    kRegex,
    kTransform,
    kChain,
    kClosure  // a function passed as an argument (target): the reference's JS closure wrapper
  };
  Kind kind = Kind::kLambda;

  // kLambda: node is the lambda (params, signature, body in node->expr, node->thunk).
  // A partially applied lambda has its own remaining params (own_params).
  const Node* node = nullptr;
  bool has_own_params = false;
  std::vector<std::string> own_params;
  Value input;
  std::shared_ptr<Frame> env;

  // kNative / kExtension: the implementation and its parsed signature.
  const Builtin* builtin = nullptr;
  const Extension* extension = nullptr;
  std::shared_ptr<const Signature> signature;
  std::string name;  // without '$'

  // kPartialNative: the native (as a Function) and the arguments, placeholders marked.
  // kChain: bound[0] then bound[1].
  std::shared_ptr<const Function> target;
  std::vector<Value> bound;
  std::vector<bool> placeholder;

  // kRegex
  std::shared_ptr<const Regex> regex;

  const std::vector<std::string>& params() const {
    return has_own_params ? own_params : node->params;
  }
};

struct Frame {
  explicit Frame(std::shared_ptr<Frame> p) : parent(std::move(p)) {}
  std::shared_ptr<Frame> parent;
  std::vector<std::pair<std::string, Value>> vars;

  void Bind(std::string_view name, Value v) {
    for (auto& [k, old] : vars) {
      if (k == name) {
        old = std::move(v);
        return;
      }
    }
    vars.emplace_back(std::string(name), std::move(v));
  }
  // Walks the chain; nullptr when no frame binds `name`.
  const Value* Find(std::string_view name) const {
    for (const Frame* f = this; f; f = f->parent.get()) {
      for (const auto& [k, v] : f->vars) {
        if (k == name) return &v;
      }
    }
    return nullptr;
  }
};

}  // namespace stator::jsonata::internal
